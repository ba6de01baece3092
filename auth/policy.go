package auth

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"credithub/internal/apperr"
	"credithub/internal/credit"
)

// Level is how open a piece of information is (the schema's Openness).
type Level int

// The openness levels, from most to least open.
const (
	Public Level = iota
	Shared
	Personal
)

func (l Level) String() string {
	return [...]string{"PUBLIC", "SHARED", "PERSONAL"}[l]
}

// LevelOf maps a record's publicity to a level.
func LevelOf(p credit.Publicity) Level {
	switch p {
	case credit.Public:
		return Public
	case credit.Shared:
		return Shared
	}
	return Personal
}

// Mask is how a refused value is shown instead of null.
type Mask string

// The masks of Chinese public portals.
const (
	MaskNone     Mask = "NONE"
	MaskIDNumber Mask = "ID_NUMBER"
	MaskMobile   Mask = "MOBILE"
	MaskName     Mask = "NAME"
)

// Rule is a field's marking: its level, the scope it needs (SHARED and
// PERSONAL have defaults) and the mask shown to callers without it.
type Rule struct {
	Level Level
	Scope string
	Mask  Mask
	// Only restricts the field to these callers, whatever scopes others
	// hold (the schema's @open(only:)); empty for any caller.
	Only []Caller
	// Write is the scope a Mutation field needs (its @write), checked
	// before the mutation runs; "" for every other field.
	Write string
}

// Rules are the markings of every field of the schema, read once at start-up
// from its @open directives. Looked up by type, then field: the middleware
// asks for every field of every answer, so the lookup must not allocate.
type Rules struct {
	byField map[string]Rule
	byType  map[string]map[string]Rule
	// Subjects tells whose data the graph's entity and person objects are.
	Subjects SubjectFunc
}

// DirectiveName is the schema directive that marks openness.
const DirectiveName = "open"

// WriteDirectiveName is the schema directive naming a mutation's scope.
const WriteDirectiveName = "write"

// RulesFromSchema reads every object's and interface's field markings: a
// field's own @open, else its type's. A field with neither is an error —
// nothing reaches a client unmarked.
func RulesFromSchema(s *ast.Schema) (*Rules, error) {
	r := &Rules{byField: map[string]Rule{}, byType: map[string]map[string]Rule{}}
	var unmarked, unwritten []string
	mutation := ""
	if s.Mutation != nil {
		mutation = s.Mutation.Name
	}
	for name, def := range s.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") || (def.Kind != ast.Object && def.Kind != ast.Interface) {
			continue
		}
		typeRule, typeMarked, err := ruleOf(def.Directives)
		if err != nil {
			return nil, fmt.Errorf("type %s: %w", name, err)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			rule, marked, err := ruleOf(f.Directives)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", name, f.Name, err)
			}
			write, err := writeOf(f.Directives)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", name, f.Name, err)
			}
			if name == mutation {
				// A mutation is gated by its @write scope alone: a read
				// scope never grants a write.
				if marked && rule.Level != Public {
					return nil, fmt.Errorf("%s.%s: a mutation is not gated by @open(level: %s); give it @write(scope:) with a write scope of its area",
						name, f.Name, rule.Level)
				}
				if write == "" {
					unwritten = append(unwritten, f.Name)
					continue
				}
				// Its @open(level: PUBLIC, only: [...]) names the kinds
				// of caller it is for, refused before it runs as on any
				// field (OnlyFor).
				rule = Rule{Level: Public, Mask: MaskNone, Write: write, Only: rule.Only}
				r.add(name, f.Name, rule)
				continue
			}
			if write != "" {
				return nil, fmt.Errorf("%s.%s: @write is for Mutation fields only", name, f.Name)
			}
			switch {
			case marked:
			case typeMarked:
				rule = typeRule
			default:
				unmarked = append(unmarked, name+"."+f.Name)
				continue
			}
			r.add(name, f.Name, rule)
		}
	}
	if len(unwritten) > 0 {
		sort.Strings(unwritten)
		return nil, fmt.Errorf("mutations without a @write scope (every mutation needs a write scope of its area): %s", strings.Join(unwritten, ", "))
	}
	if len(unmarked) > 0 {
		sort.Strings(unmarked)
		return nil, fmt.Errorf("fields without an @open marking (mark the field or its type): %s", strings.Join(unmarked, ", "))
	}
	return r, nil
}

func (r *Rules) add(typ, field string, rule Rule) {
	r.byField[typ+"."+field] = rule
	if r.byType[typ] == nil {
		r.byType[typ] = map[string]Rule{}
	}
	r.byType[typ][field] = rule
}

// writeOf reads a field's @write scope: "" when it has none.
func writeOf(ds ast.DirectiveList) (string, error) {
	d := ds.ForName(WriteDirectiveName)
	if d == nil {
		return "", nil
	}
	v := d.Arguments.ForName("scope")
	if v == nil || v.Value.Raw == "" {
		return "", fmt.Errorf("@write without a scope")
	}
	if !slices.Contains(Scopes, v.Value.Raw) {
		return "", fmt.Errorf("@write names unknown scope %q; scopes are %s", v.Value.Raw, strings.Join(Scopes, " "))
	}
	if slices.Contains(ReadScopes, v.Value.Raw) {
		return "", fmt.Errorf("@write names read scope %q: a read scope never grants a write", v.Value.Raw)
	}
	return v.Value.Raw, nil
}

// Writes returns every mutation's @write scope by field name.
func (r *Rules) Writes(mutation string) map[string]string {
	out := map[string]string{}
	for f, rule := range r.byType[mutation] {
		out[f] = rule.Write
	}
	return out
}

func ruleOf(ds ast.DirectiveList) (Rule, bool, error) {
	d := ds.ForName(DirectiveName)
	if d == nil {
		return Rule{}, false, nil
	}
	var r Rule
	switch v := d.Arguments.ForName("level"); {
	case v == nil:
		return r, false, fmt.Errorf("@open without a level")
	case v.Value.Raw == "PUBLIC":
		r.Level = Public
	case v.Value.Raw == "SHARED":
		r.Level, r.Scope = Shared, ScopeEntityRead
	case v.Value.Raw == "PERSONAL":
		r.Level, r.Scope = Personal, ScopePersonRead
	default:
		return r, false, fmt.Errorf("unknown openness %q", v.Value.Raw)
	}
	if v := d.Arguments.ForName("scope"); v != nil {
		if !slices.Contains(Scopes, v.Value.Raw) {
			return r, false, fmt.Errorf("unknown scope %q", v.Value.Raw)
		}
		r.Scope = v.Value.Raw
	}
	r.Mask = MaskNone
	if v := d.Arguments.ForName("mask"); v != nil {
		r.Mask = Mask(v.Value.Raw)
	}
	if v := d.Arguments.ForName("only"); v != nil {
		for _, c := range v.Value.Children {
			caller := Caller(c.Value.Raw)
			if !slices.Contains(Callers, caller) {
				return r, false, fmt.Errorf("unknown caller %q in only", c.Value.Raw)
			}
			r.Only = append(r.Only, caller)
		}
	}
	return r, true, nil
}

// Caller is one of the callers a field may be restricted to (@open's
// only).
type Caller string

// The callers of the schema's Caller enum.
const (
	CallerSupervisors Caller = "SUPERVISORS"
	CallerSubject     Caller = "SUBJECT"
	CallerAgency      Caller = "AGENCY"
	CallerPerson      Caller = "PERSON"
	CallerEntity      Caller = "ENTITY"
	// CallerCreditOffice is the city's credit office (admin tokens).
	CallerCreditOffice Caller = "CREDIT_OFFICE"
	// CallerDepartment is a department's token, not the credit office's.
	CallerDepartment Caller = "DEPARTMENT"
	// CallerAssociation is an industry association signed in as itself.
	CallerAssociation Caller = "ASSOCIATION"
)

// Callers are the values of Caller.
var Callers = []Caller{CallerSupervisors, CallerSubject, CallerAgency, CallerPerson, CallerEntity, CallerCreditOffice,
	CallerDepartment, CallerAssociation}

// OnlyFor refuses the request's caller unless it is one of only, about the
// subject subj (SUBJECT: the entity or person subj names, signed in as
// itself); nil for an empty only.
func OnlyFor(ctx context.Context, only []Caller, subj Subject) error {
	if len(only) == 0 {
		return nil
	}
	p := FromContext(ctx)
	for _, c := range only {
		switch c {
		case CallerSupervisors:
			if p.IsSupervisor() {
				return nil
			}
		case CallerSubject:
			if p.IsSubject(subj) {
				return nil
			}
		case CallerAgency:
			if p.Kind() == KindAgency {
				return nil
			}
		case CallerPerson:
			if p.Kind() == KindPerson {
				return nil
			}
		case CallerEntity:
			if p.Kind() == KindEntity {
				return nil
			}
		case CallerCreditOffice:
			if p.Kind() == KindAdmin {
				return nil
			}
		case CallerDepartment:
			if p.Kind() == KindDepartment {
				return nil
			}
		case CallerAssociation:
			if p.Kind() == KindAssociation {
				return nil
			}
		}
	}
	names := make([]string, len(only))
	for i, c := range only {
		names[i] = callerNames[c]
	}
	return apperr.New(apperr.Forbidden, "this is only for %s", strings.Join(names, " or ")).With("allowedCallers", only)
}

var callerNames = map[Caller]string{
	CallerSupervisors:  "supervising departments and the credit office",
	CallerSubject:      "the entity or person it is about, signed in as itself",
	CallerAgency:       "licensed credit agencies",
	CallerPerson:       "a person signed in as themselves",
	CallerEntity:       "a market entity signed in as itself",
	CallerCreditOffice: "the credit office",
	CallerDepartment:   "departments",
	CallerAssociation:  "an industry association signed in as itself",
}

// For returns the rule of a field; a field the rules do not know (the
// introspection meta-fields) is public.
func (r *Rules) For(object, field string) Rule {
	if rule, ok := r.byType[object][field]; ok {
		return rule
	}
	return Rule{Level: Public}
}

// TypeLevel returns the level every field of a type carries, and whether
// they all carry the same one; used to check the schema against the
// information catalogue.
func (r *Rules) TypeLevel(object string) (Level, bool) {
	var lv Level
	seen := false
	for k, rule := range r.byField {
		if strings.HasPrefix(k, object+".") {
			if seen && rule.Level != lv {
				return lv, false
			}
			lv, seen = rule.Level, true
		}
	}
	return lv, seen
}

// Subject is whose data a value is: an entity, a natural person, or
// nobody's in particular.
type Subject struct {
	USCC     string
	IDNumber string
}

// Decide says whether the request's caller may read information of the
// given level about subj; nil means yes. scope overrides the level's
// default scope.
//
// The data subject reads their own data (PIPL arts. 44–45): an entity
// signed in as itself its shared data, a person signed in as themselves
// everything shared or personal about them, without any read scope. A
// person reads as the data's subject, purpose DATA_SUBJECT, implied
// (selfPurpose); and nothing personal about anybody else, whatever the
// token holds.
//
// An industry association (T29) reads the shared records (record:read)
// of its members, without the scope: of the entities that are its members
// today in an industry a department's live authorisation covers (the
// request's MemberStore). Of anybody else it reads what the public reads,
// and nothing personal about anybody.
func Decide(ctx context.Context, level Level, scope string, subj Subject) error {
	p := FromContext(ctx)
	switch level {
	case Public:
		return nil
	case Shared:
		if scope == "" {
			scope = ScopeEntityRead
		}
		// The subject itself reads its own shared data without the read
		// scope; a scope that does something (report:issue stores a
		// report) it needs like anyone.
		if p.HasScope(scope) || (p.IsSubject(subj) && slices.Contains(ReadScopes, scope)) {
			return nil
		}
		if p.Kind() == KindAssociation && scope == ScopeRecordRead {
			member, err := RequestFrom(ctx).member(ctx, subj.USCC)
			if err != nil {
				return err
			}
			if member {
				return nil
			}
			return apperr.New(apperr.Forbidden,
				"an industry association reads the shared records of its own members only, in the industries a department authorised it for").
				With("requiredScopes", []string{scope})
		}
		return forbidden(scope)
	}
	if p.Kind() == KindAssociation {
		return apperr.New(apperr.Forbidden, "an industry association reads no personal data")
	}
	if p.Kind() == KindPerson {
		if subj.USCC != "" || !p.IsPerson(subj.IDNumber) {
			return apperr.New(apperr.Forbidden, "a person signed in as themselves reads their own personal data only")
		}
		return selfPurpose(ctx)
	}
	if scope == "" {
		scope = ScopePersonRead
	}
	if !p.HasScope(scope) {
		return forbidden(scope)
	}
	purpose, ok := PurposeFrom(ctx)
	if !ok {
		return apperr.New(apperr.PurposeRequired,
			"personal data needs a declared purpose: send the %s header with one of %s", PurposeHeader, PurposeList()).
			With("acceptedPurposes", Purposes)
	}
	if p.Kind() == KindAgency {
		if subj.IDNumber == "" {
			return apperr.New(apperr.AuthorizationRequired, "an agency reads personal data only of a person who authorised it in writing")
		}
		ok, err := RequestFrom(ctx).authorized(ctx, subj.IDNumber, purpose)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.AuthorizationRequired,
				"this agency holds no live written authorisation from the person for purpose %s", purpose)
		}
	}
	return nil
}

// ForSupervisors refuses a supervisors-only service to anyone else.
func ForSupervisors(ctx context.Context) error {
	if FromContext(ctx).IsSupervisor() {
		return nil
	}
	return apperr.New(apperr.Forbidden, "this is for supervising departments only")
}

func forbidden(scope string) error {
	return apperr.New(apperr.Forbidden, "this needs the %s scope", scope).With("requiredScopes", []string{scope})
}

// RecordView is which of a subject's records the caller may see.
type RecordView struct {
	// Publicities the caller may see: PUBLIC always, SHARED and PERSONAL
	// as Decide allows. A set, not a slice: ViewOf runs for every entity
	// of a page, and costs no allocation.
	Publicities credit.PublicitySet
	// PublicOnly callers see a record only inside its publicity period:
	// not expired, repaired or revoked. So does an association among its
	// members' shared records: it is no supervising department, and a
	// repaired record stops being shared (T24).
	PublicOnly bool
}

// ViewOf returns the caller's view of subj's records. SHARED records need
// record:read (or being the entity itself); PERSONAL ones everything
// Decide asks for personal data.
func ViewOf(ctx context.Context, subj Subject) RecordView {
	v := RecordView{Publicities: credit.PublicitySetOf(credit.Public)}
	if Decide(ctx, Shared, ScopeRecordRead, subj) == nil {
		v.Publicities |= credit.PublicitySetOf(credit.Shared)
	}
	if subj.IDNumber != "" && Decide(ctx, Personal, "", subj) == nil {
		v.Publicities |= credit.PublicitySetOf(credit.Personal)
	}
	v.PublicOnly = v.Publicities.Len() == 1 || FromContext(ctx).Kind() == KindAssociation
	return v
}

// Sees reports whether the view includes r.
func (v RecordView) Sees(r credit.Record) bool {
	b := r.Common()
	if !v.Publicities.Has(b.Publicity) {
		return false
	}
	return !v.PublicOnly || credit.InForce(r)
}

// RecordSubject is whose record rec is, on every path it is reached by:
// the party its department filed it against (credit.Base.FiledAgainst),
// not the entity or person whose records it was found among.
func RecordSubject(rec credit.Record) Subject {
	s := rec.Common().FiledAgainst()
	return Subject{USCC: s.USCC, IDNumber: s.IDNumber}
}

// SeesRecord reports whether the caller sees rec: the one rule every path
// to a record applies, lists row by row included (SeeRecord's, without
// the error).
func SeesRecord(ctx context.Context, rec credit.Record) bool {
	seen, err := SeeRecord(ctx, rec)
	return err == nil && seen != nil
}

// SeeRecord is the one rule for a record, whatever the path (node, a
// workflow object's record, an entity's or a person's records, a credit
// check's triggers): FORBIDDEN naming the scope when the caller may not see
// records of its publicity; nil, as if it did not exist, when it is
// outside the caller's view (a public caller and a repaired record); else
// the record. The record's publicity and subject are its own
// (RecordSubject), never the path's.
func SeeRecord(ctx context.Context, rec credit.Record) (credit.Record, error) {
	if rec == nil {
		return nil, nil
	}
	b := rec.Common()
	view := ViewOf(ctx, RecordSubject(rec))
	if !view.Publicities.Has(b.Publicity) {
		switch FromContext(ctx).Kind() {
		case KindPerson:
			// No scope would let a person in: they see their own only.
			return nil, apperr.New(apperr.Forbidden, "a person signed in as themselves sees their own records only")
		case KindAssociation:
			// Nor an association: its members' shared records only.
			return nil, apperr.New(apperr.Forbidden,
				"an industry association sees the shared records of its own members only, in the industries a department authorised it for")
		}
		scope := ScopeRecordRead
		if b.Publicity == credit.Personal {
			scope = ScopePersonRead
		}
		return nil, apperr.New(apperr.Forbidden, "this record needs the %s scope", scope).With("requiredScopes", []string{scope})
	}
	if !view.Sees(rec) {
		return nil, nil
	}
	return rec, nil
}
