package resolvers

// Arguments: how the resolvers read and check what a caller sent. Each
// check refuses with BAD_USER_INPUT naming the argument and what is
// accepted.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"

	"credithub/auth"
	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/ident"
	"credithub/internal/loaders"
	"credithub/internal/scalars"
	"credithub/internal/supervision"
	"credithub/internal/workflow"
)

// MaxPageSize bounds `first` on every connection, as GitHub's API does.
const MaxPageSize = 100

// DefaultWorkingDaysAhead is how far myWork's deadlines look ahead when
// not told.
const DefaultWorkingDaysAhead = 5

// MaxCreditChecks bounds the batch credit check (a tender's bidders).
const MaxCreditChecks = 100

// DefaultInspectorsPerEntity is inspectorsPerEntity when not given.
const DefaultInspectorsPerEntity = 2

// pageSize checks a connection's `first`.
func pageSize(first *int) (int, error) {
	if first == nil {
		return 20, nil
	}
	if *first < 1 || *first > MaxPageSize {
		return 0, apperr.BadInput("first", "first must be between 1 and %d, got %d", MaxPageSize, *first)
	}
	return *first, nil
}

// identError turns an identifier validation failure into BAD_USER_INPUT
// naming the argument and the rule.
func identError(field string, err error) error {
	var ie *ident.Error
	if errors.As(err, &ie) {
		return apperr.BadInput(field, "%s", ie.Message).With("rule", string(ie.Rule))
	}
	return apperr.BadInput(field, "%v", err)
}

// checkUSCC validates a unified social credit code the way the registry sees
// it: a code failing only its check character is accepted when the registry
// holds it as a legacy pilot code.
func checkUSCC(ctx context.Context, field, uscc string) error {
	err := ident.ValidateUSCC(uscc)
	if err == nil {
		return nil
	}
	var ie *ident.Error
	if !errors.As(err, &ie) || ie.Rule != ident.RuleCheckCharacter {
		return identError(field, err)
	}
	e, lerr := loaders.For(ctx).Entity.Load(ctx, uscc)()
	if lerr != nil {
		return lerr // the registry is down: the code cannot be vouched for
	}
	if e != nil && e.USCCLegacy {
		return nil
	}
	return identError(field, err)
}

// entityKey reads an entity key (entityByKey) as the registry holds it.
// A key that fails only its check character comes back with that failure
// in checkErr: the registry may hold it as it stands, and only the
// registry can tell. Any other malformed key is refused in err.
func entityKey(field, s string) (k market.Key, checkErr, err error) {
	kind, v, perr := ident.ParseEntityKey(s)
	if perr != nil && !ident.FailsCheckOnly(perr) {
		return k, nil, identError(field, perr)
	}
	return market.Key{Kind: kind, Value: v}, perr, nil
}

// checkUSCCs is checkUSCC for many codes, with their registry rows read in
// one statement: a code that breaks GB 32100 other than by its check
// character is refused before any source is asked. field names the
// argument of the i-th code.
func checkUSCCs(ctx context.Context, usccs []string, field func(i int) string) error {
	pilot := make([]bool, len(usccs))
	for i, u := range usccs {
		if err := ident.ValidateUSCC(u); err != nil {
			var ie *ident.Error
			if !errors.As(err, &ie) || ie.Rule != ident.RuleCheckCharacter {
				return identError(field(i), err)
			}
			pilot[i] = true
		}
	}
	l := loaders.For(ctx)
	l.Entity.LoadAll(ctx, usccs)
	for i, u := range usccs {
		if !pilot[i] {
			continue
		}
		e, err := l.Entity.Load(ctx, u)()
		if err != nil {
			return err // the registry is down: the code cannot be vouched for
		}
		if e == nil || !e.USCCLegacy {
			return identError(field(i), ident.ValidateUSCC(u))
		}
	}
	return nil
}

// checkKnownEntity checks a mutation's uscc argument: a valid code of an
// entity the registry holds, which it returns.
func checkKnownEntity(ctx context.Context, field, uscc string) (*model.MarketEntity, error) {
	if err := checkUSCC(ctx, field, uscc); err != nil {
		return nil, err
	}
	e, err := loaders.For(ctx).Entity.Load(ctx, uscc)()
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, apperr.New(apperr.NotFound, "the registry holds no entity %s", uscc).With("field", field)
	}
	return entityModel(e), nil
}

// checkDivision checks a division code; the city's code means every
// division, the empty answer.
func checkDivision(field, code string) (string, error) {
	if _, ok := ident.DivisionName(code); !ok {
		return "", apperr.BadInput(field, "unknown division %q; Heihe's divisions are 231100 (the whole city), 231102, 231123, 231124, 231181, 231182, 231183 and 231199 (the free trade zone)", truncate(code))
	}
	if code == "231100" {
		return "", nil
	}
	return code, nil
}

// checkDepartment checks a department code.
func checkDepartment(field, code string) error {
	if _, ok := datasources.DepartmentByCode(code); !ok {
		return apperr.BadInput(field, "unknown department %q; departments are market, environment, fire, housing and court", truncate(code))
	}
	return nil
}

// listFilter validates an EntityFilter.
func listFilter(filter *model.EntityFilter) (market.ListFilter, error) {
	var f market.ListFilter
	if filter == nil {
		return f, nil
	}
	if filter.Division != nil {
		d, err := checkDivision("filter.division", *filter.Division)
		if err != nil {
			return f, err
		}
		f.Division = d
	}
	if filter.Kind != nil {
		f.EntityTypes = market.EntityTypesOf(*filter.Kind)
	}
	if filter.Status != nil {
		f.Status = market.StatusWord(*filter.Status)
	}
	if filter.NameContains != nil {
		s := *filter.NameContains
		if n := utf8.RuneCountInString(s); n < 2 || n > 50 {
			return f, apperr.BadInput("filter.nameContains", "nameContains must be 2 to 50 characters, got %d", n)
		}
		f.NameContains = s
	}
	return f, nil
}

// recordsRequest validates a records(...) field's arguments for a subject
// and narrows it to what the caller may see (auth.ViewOf): openness is a
// property of the kind (and of whether the subject is a person), so it
// becomes a kind filter every department applies in SQL; callers who see
// only public records also see them only inside their publicity period,
// which the fan-out filters row by row.
func recordsRequest(ctx context.Context, cat *catalogue.Catalogue, sub datasources.Subject, filter *model.RecordFilter, first *int, after *string) (loaders.RecordsRequest, error) {
	n, err := pageSize(first)
	if err != nil {
		return loaders.RecordsRequest{}, err
	}
	req := loaders.RecordsRequest{Subject: sub, First: n}
	if after != nil {
		if req.After, err = parseRecordCursor(*after); err != nil {
			return req, err
		}
	}
	view := auth.ViewOf(ctx, auth.Subject{USCC: sub.USCC, IDNumber: sub.IDNumber})
	publicities := view.Publicities
	var kinds []credit.Kind
	if filter != nil {
		for _, code := range filter.Sources {
			if err := checkDepartment("filter.sources", code); err != nil {
				return req, err
			}
		}
		req.Sources = filter.Sources
		if filter.DecidedFrom != nil {
			req.From = filter.DecidedFrom.String()
		}
		if filter.DecidedTo != nil {
			req.To = filter.DecidedTo.String()
		}
		if filter.DecidedFrom != nil && filter.DecidedTo != nil && filter.DecidedTo.Before(*filter.DecidedFrom) {
			return req, apperr.BadInput("filter.decidedTo", "decidedTo (%s) is before decidedFrom (%s)", req.To, req.From)
		}
		kinds = filter.Kinds
		if len(filter.Publicity) > 0 {
			// A filter on what the caller may not see selects nothing; it
			// does not reveal whether such records exist.
			publicities = publicities.Intersect(credit.PublicitySetOf(filter.Publicity...))
		}
	}
	// Among a person's records, an organisation's record that binds the
	// person (credit.BindingKinds) keeps the organisation's openness: such
	// a kind is asked for when either may be seen, and its rows are then
	// sorted out one by one by the records' own rule (auth.SeesRecord).
	var orgView credit.PublicitySet
	entityCaller := auth.FromContext(ctx).Kind() == auth.KindEntity
	if sub.IsPerson() {
		var own auth.Subject
		if entityCaller {
			own.USCC = auth.FromContext(ctx).Org() // the organisation may be the caller itself
		}
		orgView = auth.ViewOf(ctx, own).Publicities
		if filter != nil && len(filter.Publicity) > 0 {
			orgView = orgView.Intersect(credit.PublicitySetOf(filter.Publicity...))
		}
	}
	var open []credit.Kind
	rowByRow := false
	for _, e := range cat.Entries() {
		if len(kinds) > 0 && !slices.Contains(kinds, e.Kind) {
			continue
		}
		p := e.EntityPublicity
		if sub.IsPerson() {
			p = e.PersonPublicity
		}
		in := publicities.Has(p)
		if sub.IsPerson() && slices.Contains(credit.BindingKinds, e.Kind) {
			// Row by row when the caller sees one kind of party and not the
			// other, or is an entity (which sees its own orders only).
			org := orgView.Has(e.EntityPublicity)
			rowByRow = rowByRow || ((org || in) && (org != in || entityCaller))
			in = in || org
		}
		if in {
			open = append(open, e.Kind)
			// A kind public only once concluded (a complaint, T10) has
			// rows of two levels: for a caller (or a filter) without the
			// shared one, each is sorted out by the records' rule; the rest
			// see both and pay nothing per row.
			rowByRow = rowByRow || (e.PublicOnceConcluded && !publicities.Has(credit.Shared))
		}
	}
	req.NoMatch = len(open) == 0
	req.Kinds = datasources.KindSetOf(open...)
	if view.PublicOnly {
		req.Visible = view.Sees
	}
	if rowByRow {
		var wanted []credit.Publicity
		if filter != nil {
			wanted = filter.Publicity
		}
		req.Visible = func(rec credit.Record) bool {
			return (len(wanted) == 0 || slices.Contains(wanted, rec.Common().Publicity)) && auth.SeesRecord(ctx, rec)
		}
	}
	return req, nil
}

// decodeObjectID returns the row id of a workflow object's global ID, or
// BAD_USER_INPUT naming the argument.
func decodeObjectID(field, typ, what, id string) (int64, error) {
	n, ok := workflow.DecodeID(typ, id)
	if !ok {
		return 0, apperr.BadInput(field, "%s is not the ID of a %s", field, what)
	}
	return n, nil
}

// workflowID returns the row id of the global ID of the objection or repair
// an id argument names.
func workflowID(typ, id string) (int64, error) {
	n, ok := workflow.DecodeID(typ, id)
	if !ok {
		return 0, apperr.BadInput("id", "id is not the ID of a %s; use the id the graph returned for it", typ)
	}
	return n, nil
}

// workflowFilter validates the department and uscc of a workflow filter.
func workflowFilter(ctx context.Context, department, uscc *string) (string, string, error) {
	var d, u string
	if department != nil {
		if err := checkDepartment("filter.department", *department); err != nil {
			return "", "", err
		}
		d = *department
	}
	if uscc != nil {
		if err := checkUSCC(ctx, "filter.uscc", *uscc); err != nil {
			return "", "", err
		}
		u = *uscc
	}
	return d, u, nil
}

// warningFilter validates a WarningFilter.
func (r *Resolver) warningFilter(ctx context.Context, filter *model.WarningFilter) (supervision.Filter, error) {
	var f supervision.Filter
	if filter == nil {
		return f, nil
	}
	if filter.Uscc != nil {
		if err := checkUSCC(ctx, "filter.uscc", *filter.Uscc); err != nil {
			return f, err
		}
		f.USCC = *filter.Uscc
	}
	if filter.Level != nil {
		f.Level = string(*filter.Level)
	}
	if filter.Rule != nil {
		rules, err := r.Supervision.WarningRules(ctx)
		if err != nil {
			return f, err
		}
		var codes []string
		for _, ru := range rules {
			codes = append(codes, ru.Code)
		}
		if !slices.Contains(codes, *filter.Rule) {
			return f, apperr.BadInput("filter.rule", "unknown warning rule %q; the rules are %v (warningRules lists them)", truncate(*filter.Rule), codes)
		}
		f.Rule = *filter.Rule
	}
	if filter.Since != nil {
		f.Since = *filter.Since
	}
	for _, st := range filter.State {
		f.States = append(f.States, string(st))
	}
	if filter.Division != nil {
		d, err := checkDivision("filter.division", *filter.Division)
		if err != nil {
			return f, err
		}
		f.Division = d
	}
	return f, nil
}

// disclosurePeriod finds the period of the disclosureStats field a
// DepartmentDisclosure row belongs to: the row carries only its counts.
func disclosurePeriod(ctx context.Context) (from, to scalars.Date, err error) {
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		if fc.Field.Field == nil || fc.Field.Name != "disclosureStats" {
			continue
		}
		from, okFrom := fc.Args["from"].(scalars.Date)
		to, okTo := fc.Args["to"].(scalars.Date)
		if okFrom && okTo {
			return from, to, nil
		}
	}
	return scalars.Date{}, scalars.Date{}, fmt.Errorf("DepartmentDisclosure.overdueRecords outside disclosureStats")
}

// truncate keeps a hostile argument from filling an error message.
func truncate(s string) string {
	if utf8.RuneCountInString(s) <= 32 {
		return s
	}
	return string([]rune(s)[:32]) + "…"
}

// keyOf binds a mutation's idempotency key to the arguments it came with:
// the hash of the GraphQL field's arguments, without the key itself. A
// retry must repeat the request exactly; the same key with other arguments
// is refused (hubdb.Idempotent).
func keyOf(ctx context.Context, key string) hubdb.Key {
	args := map[string]any{}
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		for k, v := range fc.Args {
			if k != "idempotencyKey" {
				args[k] = v
			}
		}
	}
	return hubdb.Key{Value: key, Fingerprint: hubdb.Fingerprint(args)}
}
