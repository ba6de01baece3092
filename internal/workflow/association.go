package workflow

// Industry associations and chambers of commerce (行业协会商会, T29: 支持有关
// 部门授权的行业协会商会协助开展行业信用建设和信用监管。鼓励行业协会商会建立
// 会员信用记录，开展信用承诺、信用培训、诚信宣传、诚信倡议等). A department
// authorises an association for an industry (a GB/T 4754 section); the
// association, signed in as itself (token kind association, its org its
// code), keeps its member registry and records its members' self-discipline
// measures, commitments, training and honours, for the members of the
// industries it is authorised for:
//
//	authorization (associationAuthorization)
//	authorize  —        → GRANTED   a department                     association:authorize
//	revoke     GRANTED  → REVOKED   the department that granted it   association:authorize
//
//	membership
//	register   —        → MEMBER    the association itself           association:members
//	leave      MEMBER   → LEFT      the association itself           association:members
//	record     MEMBER   → MEMBER    the association itself           association:record
//	expel      MEMBER   → LEFT      the association itself           association:record
//
// What each writes, besides its row and a history row:
//
//	authorize  the association's row when the hub did not know it yet
//	register   nothing else; the entity must be in an industry a live
//	           authorisation of the association covers
//	record     a record of the member (ASSOCIATION_DISCIPLINE for a
//	           self-discipline measure, ASSOCIATION_RECORD for a
//	           commitment, training or an honour), its source the
//	           associations (credit.Associations), its authority the
//	           association; it rests on the membership and on a live
//	           authorisation for the member's industry, both locked FOR
//	           SHARE until it commits, so that a concurrent revocation or
//	           end waits for it
//	expel      the self-discipline record of the measure 取消会员资格, and
//	           the membership ends on its decision date
//
// A revoked authorisation leaves the registry as it is; the association
// no longer registers, records for nor reads (auth.Decide) the members of
// that industry. The members' records are as open as the information
// catalogue says (migration 00035).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// The machines' names in workflow_history, and the objects' global ID
// types.
const (
	WorkflowAssociationAuthorization = "associationAuthorization"
	WorkflowMembership               = "membership"

	TypeAssociation              = "Association"
	TypeAssociationAuthorization = "AssociationAuthorization"
	TypeMembership               = "Membership"
)

// The actions.
const (
	actionAuthorize = "authorize"
	actionRevoke    = "revoke"
	actionRegister  = "register"
	actionLeave     = "leave"
	actionExpel     = "expel"
)

// AuthorizationState is where an association's authorisation stands;
// MembershipState where a membership does.
type (
	AuthorizationState State
	MembershipState    State
)

// The states.
const (
	AuthorizationGranted AuthorizationState = "GRANTED"
	AuthorizationRevoked AuthorizationState = "REVOKED"

	MembershipMember MembershipState = "MEMBER"
	MembershipLeft   MembershipState = "LEFT"
)

// MemberRecordCategory is what an association records of a member;
// DisciplineMeasure is a self-discipline measure (自律惩戒).
type (
	MemberRecordCategory string
	DisciplineMeasure    string
)

// The categories and the measures, in the schema's order.
const (
	CategorySelfDiscipline MemberRecordCategory = "SELF_DISCIPLINE"
	CategoryCommitment     MemberRecordCategory = "COMMITMENT"
	CategoryTraining       MemberRecordCategory = "TRAINING"
	CategoryHonour         MemberRecordCategory = "HONOUR"

	MeasureWarning             DisciplineMeasure = "WARNING"
	MeasureCirculatedCriticism DisciplineMeasure = "CIRCULATED_CRITICISM"
	MeasurePublicCensure       DisciplineMeasure = "PUBLIC_CENSURE"
	MeasureMembershipRevoked   DisciplineMeasure = "MEMBERSHIP_REVOKED"
)

// MemberRecordCategories and DisciplineMeasures list them.
var (
	MemberRecordCategories = []MemberRecordCategory{CategorySelfDiscipline, CategoryCommitment, CategoryTraining, CategoryHonour}
	DisciplineMeasures     = []DisciplineMeasure{MeasureWarning, MeasureCirculatedCriticism, MeasurePublicCensure, MeasureMembershipRevoked}
)

var memberRecordNames = map[MemberRecordCategory]string{
	CategorySelfDiscipline: "行业自律惩戒", CategoryCommitment: "信用承诺", CategoryTraining: "信用培训", CategoryHonour: "诚信荣誉",
}

var disciplineMeasureNames = map[DisciplineMeasure]string{
	MeasureWarning: "警告", MeasureCirculatedCriticism: "通报批评", MeasurePublicCensure: "公开谴责", MeasureMembershipRevoked: "取消会员资格",
}

func (s AuthorizationState) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(s)) }
func (s *AuthorizationState) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "AssociationAuthorizationState", []AuthorizationState{AuthorizationGranted, AuthorizationRevoked}, s)
}
func (s MembershipState) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(s)) }
func (s *MembershipState) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "MembershipState", []MembershipState{MembershipMember, MembershipLeft}, s)
}
func (c MemberRecordCategory) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(c)) }
func (c *MemberRecordCategory) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "MemberRecordCategory", MemberRecordCategories, c)
}
func (m DisciplineMeasure) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(m)) }
func (m *DisciplineMeasure) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "DisciplineMeasure", DisciplineMeasures, m)
}

var authorizationMachine = Machine{Name: WorkflowAssociationAuthorization, Transitions: []Transition{
	{Action: actionAuthorize, To: State(AuthorizationGranted), Scope: auth.ScopeAssociationAuthorize, Owner: Department},
	{Action: actionRevoke, From: []State{State(AuthorizationGranted)}, To: State(AuthorizationRevoked), Scope: auth.ScopeAssociationAuthorize, Owner: Department},
}}

var membershipMachine = Machine{Name: WorkflowMembership, Transitions: []Transition{
	{Action: actionRegister, To: State(MembershipMember), Scope: auth.ScopeAssociationMembers, Owner: Association},
	{Action: actionLeave, From: []State{State(MembershipMember)}, To: State(MembershipLeft), Scope: auth.ScopeAssociationMembers, Owner: Association},
	{Action: actionRecord, From: []State{State(MembershipMember)}, To: State(MembershipMember), Scope: auth.ScopeAssociationRecord, Owner: Association},
	{Action: actionExpel, From: []State{State(MembershipMember)}, To: State(MembershipLeft), Scope: auth.ScopeAssociationRecord, Owner: Association},
}}

// Association checks that the caller is the association owner, signed in
// as itself.
func Association(p *auth.Principal, owner string) error {
	if !p.IsAssociation(owner) {
		return apperr.New(apperr.Forbidden, "only the association %s, signed in as itself, keeps its member registry and its members' records", owner).
			With("owner", owner)
	}
	return nil
}

// AssociationInfo is an industry association as the graph shows it.
type AssociationInfo struct {
	Code string
	Name string
}

func (a *AssociationInfo) ID() string    { return gid.Encode(TypeAssociation, a.Code) }
func (a *AssociationInfo) GetID() string { return a.ID() }
func (a *AssociationInfo) IsNode()       {}

// AssociationAuthorization is a department's authorisation of an
// association for an industry.
type AssociationAuthorization struct {
	DBID            int64
	Association     string
	AssociationName string
	IndustryCode    string
	DepartmentCode  string
	Basis           string
	State           AuthorizationState
	GrantedAt       time.Time
	RevokedAt       *time.Time
	RevokeReason    *string
}

func (a *AssociationAuthorization) ID() string    { return EncodeID(TypeAssociationAuthorization, a.DBID) }
func (a *AssociationAuthorization) GetID() string { return a.ID() }
func (a *AssociationAuthorization) IsNode()       {}
func (a *AssociationAuthorization) Department() *credit.Department {
	return department(a.DepartmentCode)
}
func (a *AssociationAuthorization) Industry() *Industry { return IndustryOf(a.IndustryCode) }
func (a *AssociationAuthorization) Of() *AssociationInfo {
	return &AssociationInfo{Code: a.Association, Name: a.AssociationName}
}

// AssociationAuthorizationOf maps a stored authorisation.
func AssociationAuthorizationOf(r *hubdb.AssociationAuthorizationRow) *AssociationAuthorization {
	return &AssociationAuthorization{DBID: r.ID, Association: r.Association, AssociationName: r.AssociationName, IndustryCode: r.Industry,
		DepartmentCode: r.Department, Basis: r.Basis, State: AuthorizationState(r.State), GrantedAt: r.GrantedAt,
		RevokedAt: r.RevokedAt, RevokeReason: r.RevokeReason}
}

// Membership is an entity's membership of an association.
type Membership struct {
	DBID            int64
	Association     string
	AssociationName string
	USCC            string
	IndustryCode    string
	JoinedOn        scalars.Date
	LeftOn          *scalars.Date
	State           MembershipState
	LeftReason      *string
}

func (m *Membership) ID() string          { return EncodeID(TypeMembership, m.DBID) }
func (m *Membership) GetID() string       { return m.ID() }
func (m *Membership) IsNode()             {}
func (m *Membership) Industry() *Industry { return IndustryOf(m.IndustryCode) }
func (m *Membership) Of() *AssociationInfo {
	return &AssociationInfo{Code: m.Association, Name: m.AssociationName}
}

// DataSubject is the member.
func (m *Membership) DataSubject() (string, string) { return m.USCC, "" }

// MembershipOf maps a stored membership.
func MembershipOf(r *hubdb.MembershipRow) *Membership {
	return &Membership{DBID: r.ID, Association: r.Association, AssociationName: r.AssociationName, USCC: r.USCC,
		IndustryCode: r.Industry, JoinedOn: scalars.DateOf(r.JoinedOn), LeftOn: dateOf(r.LeftOn), State: MembershipState(r.State),
		LeftReason: r.LeftReason}
}

// Industry is a section of GB/T 4754-2017.
type Industry struct {
	Code string
	Name string
}

// IndustryOf returns the industry with code (its own code as its name
// when it is none of GB/T 4754's sections).
func IndustryOf(code string) *Industry {
	if name, ok := credit.Industries[code]; ok {
		return &Industry{Code: code, Name: name}
	}
	return &Industry{Code: code, Name: code}
}

// checkIndustry refuses a code that is no GB/T 4754 section.
func checkIndustry(field, code string) error {
	if _, ok := credit.Industries[code]; !ok || len(code) != 1 {
		return apperr.BadInput(field, "%s must be a GB/T 4754-2017 section letter, A to T (E 建筑业, H 住宿和餐饮业, …), got %q", field, truncate(code))
	}
	return nil
}

// AuthorizeAssociationInput is a department's authorisation of an
// association for an industry.
type AuthorizeAssociationInput struct {
	Association string
	Name        string
	Industry    string
	Basis       string
}

// AuthorizeAssociation records that the calling department authorises the
// association for the industry; the hub knows the association from then
// on. An authorisation of the same association for the same industry by
// the same department that is live already is a CONFLICT.
func (s *Service) AuthorizeAssociation(ctx context.Context, in AuthorizeAssociationInput, key hubdb.Key) (*AssociationAuthorization, error) {
	if err := needScope(ctx, &authorizationMachine, actionAuthorize); err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	if p.Kind() != auth.KindDepartment {
		return nil, apperr.New(apperr.Forbidden, "a department authorises industry associations")
	}
	if err := auth.ValidateAssociationCode(in.Association); err != nil {
		return nil, apperr.BadInput("input.association", "input.association must be the association's unified social credit code: %v", err)
	}
	name, err := needText("input.name", in.Name, maxShortText)
	if err != nil {
		return nil, err
	}
	if err := checkIndustry("input.industry", in.Industry); err != nil {
		return nil, err
	}
	basis, err := needText("input.basis", in.Basis, maxReason)
	if err != nil {
		return nil, err
	}
	return transact(ctx, s, key, "authorizeAssociation", func(tx *hubdb.DB, now time.Time) (*AssociationAuthorization, error) {
		t, err := authorizationMachine.transition(ctx, actionAuthorize, "", p.Org())
		if err != nil {
			return nil, err
		}
		a, err := tx.Associations().Register(ctx, hubdb.AssociationRow{Code: in.Association, Name: name, CreatedAt: now, CreatedBy: actorName(ctx)})
		if err != nil {
			return nil, err
		}
		if a.Name != name {
			return nil, apperr.New(apperr.Conflict, "association %s is known to the hub as %s; give its name as registered", a.Code, a.Name).
				With("field", "input.name")
		}
		row, err := tx.Associations().Authorize(ctx, hubdb.AssociationAuthorizationRow{Association: a.Code, Industry: in.Industry,
			Department: p.Org(), Basis: basis, GrantedAt: now, GrantedBy: actorName(ctx)})
		if errors.Is(err, hubdb.ErrAlreadyOpen) {
			return nil, apperr.New(apperr.Conflict, "%s already authorises association %s for industry %s; revoke that authorisation first",
				p.Org(), a.Code, in.Industry)
		}
		if err != nil {
			return nil, err
		}
		return AssociationAuthorizationOf(&row), record(ctx, tx, WorkflowAssociationAuthorization, row.ID, actionAuthorize, "", t.To, "", now)
	})
}

// RevokeAssociationAuthorization revokes an authorisation, by the
// department that granted it, with a reason: the association no longer
// registers, records for nor reads the members of that industry (unless
// another live authorisation covers it).
func (s *Service) RevokeAssociationAuthorization(ctx context.Context, id int64, reason string, key hubdb.Key) (*AssociationAuthorization, error) {
	reason, err := needText("reason", reason, maxReason)
	if err != nil {
		return nil, err
	}
	return transact(ctx, s, key, "revokeAssociationAuthorization", func(tx *hubdb.DB, now time.Time) (*AssociationAuthorization, error) {
		row, t, err := deciding(ctx, &authorizationMachine, actionRevoke, authorizationRows{tx.Associations()}, "association authorisation", id,
			func(r hubdb.AssociationAuthorizationRow) (State, string) { return State(r.State), r.Department })
		if err != nil {
			return nil, err
		}
		out, err := tx.Associations().RevokeAuthorization(ctx, row.ID, now, actorName(ctx), reason)
		if err != nil {
			return nil, err
		}
		return AssociationAuthorizationOf(&out), record(ctx, tx, WorkflowAssociationAuthorization, row.ID, actionRevoke, State(row.State), t.To, reason, now)
	})
}

// authorizationRows and membershipRows are the association store's
// authorisations and memberships as deciding reads them.
type (
	authorizationRows struct{ s hubdb.AssociationStore }
	membershipRows    struct{ s hubdb.AssociationStore }
)

func (r authorizationRows) Get(ctx context.Context, id int64) (hubdb.AssociationAuthorizationRow, error) {
	return r.s.Authorization(ctx, id)
}
func (r authorizationRows) LockForDecision(ctx context.Context, id int64) (hubdb.AssociationAuthorizationRow, error) {
	return r.s.LockAuthorization(ctx, id)
}
func (r membershipRows) Get(ctx context.Context, id int64) (hubdb.MembershipRow, error) {
	return r.s.Membership(ctx, id)
}
func (r membershipRows) LockForDecision(ctx context.Context, id int64) (hubdb.MembershipRow, error) {
	return r.s.LockMembership(ctx, id)
}

// liveAuthorization refuses an association that holds no live
// authorisation for industry; the ones it holds stay locked against a
// revocation until the transaction ends.
func liveAuthorization(ctx context.Context, tx *hubdb.DB, association, industry string) error {
	live, err := tx.Associations().LiveAuthorizations(ctx, association, industry)
	if err != nil {
		return err
	}
	if len(live) == 0 {
		return apperr.New(apperr.Forbidden,
			"association %s holds no live authorisation for industry %s (%s): a department's authorisation for the industry comes first, and a revoked one no longer counts",
			association, industry, IndustryOf(industry).Name).With("industry", industry)
	}
	return nil
}

// RegisterMemberInput is an entity an association registers as its
// member: Industry is the entity's as the registry gives it (the
// resolver reads it), Name its registered name.
type RegisterMemberInput struct {
	Association string
	USCC        string
	Name        string
	Industry    string
	JoinedOn    scalars.Date
}

// RegisterMember registers the entity as a member of the calling
// association, in an industry a live authorisation of the association
// covers.
func (s *Service) RegisterMember(ctx context.Context, in RegisterMemberInput, key hubdb.Key) (*Membership, error) {
	if err := needScope(ctx, &membershipMachine, actionRegister); err != nil {
		return nil, err
	}
	if err := Association(auth.FromContext(ctx), in.Association); err != nil {
		return nil, err
	}
	if in.Industry == "" {
		return nil, apperr.BadInput("input.uscc", "the registry gives entity %s no industry: an association registers members of the industries it is authorised for", in.USCC)
	}
	if in.JoinedOn.IsZero() || in.JoinedOn.After(s.Today()) {
		return nil, apperr.BadInput("input.joinedOn", "joinedOn (%s) must be today (%s) or earlier", in.JoinedOn, s.Today())
	}
	return transact(ctx, s, key, "registerMember", func(tx *hubdb.DB, now time.Time) (*Membership, error) {
		t, err := membershipMachine.transition(ctx, actionRegister, "", in.Association)
		if err != nil {
			return nil, err
		}
		if err := liveAuthorization(ctx, tx, in.Association, in.Industry); err != nil {
			return nil, err
		}
		row, err := tx.Associations().AddMember(ctx, hubdb.MembershipRow{Association: in.Association, USCC: in.USCC, EntityName: in.Name,
			Industry: in.Industry, JoinedOn: in.JoinedOn.Time(), RegisteredAt: now, RegisteredBy: actorName(ctx)})
		if errors.Is(err, hubdb.ErrAlreadyOpen) {
			return nil, apperr.New(apperr.Conflict, "%s is a member of association %s already", in.USCC, in.Association).With("field", "input.uscc")
		}
		if err != nil {
			return nil, err
		}
		return MembershipOf(&row), record(ctx, tx, WorkflowMembership, row.ID, actionRegister, "", t.To, "", now)
	})
}

// EndMembership records that a member left the association on leftOn
// (not before it joined, not after today), with a reason.
func (s *Service) EndMembership(ctx context.Context, id int64, leftOn scalars.Date, reason string, key hubdb.Key) (*Membership, error) {
	reason, err := needText("reason", reason, maxReason)
	if err != nil {
		return nil, err
	}
	if leftOn.IsZero() || leftOn.After(s.Today()) {
		return nil, apperr.BadInput("leftOn", "leftOn (%s) must be today (%s) or earlier", leftOn, s.Today())
	}
	return transact(ctx, s, key, "endMembership", func(tx *hubdb.DB, now time.Time) (*Membership, error) {
		row, t, err := deciding(ctx, &membershipMachine, actionLeave, membershipRows{tx.Associations()}, "membership", id,
			func(r hubdb.MembershipRow) (State, string) { return State(r.State), r.Association })
		if err != nil {
			return nil, err
		}
		if leftOn.Before(scalars.DateOf(row.JoinedOn)) {
			return nil, apperr.BadInput("leftOn", "leftOn (%s) is before the member joined (%s)", leftOn, scalars.DateOf(row.JoinedOn))
		}
		out, err := tx.Associations().EndMembership(ctx, row.ID, leftOn.String(), now, actorName(ctx), reason)
		if err != nil {
			return nil, err
		}
		return MembershipOf(&out), record(ctx, tx, WorkflowMembership, row.ID, actionLeave, State(row.State), t.To, reason, now)
	})
}

// MemberRecordInput is what an association records of one of its members.
type MemberRecordInput struct {
	Association string
	USCC        string
	Category    MemberRecordCategory
	// Measure is a self-discipline measure's, and only its.
	Measure      *DisciplineMeasure
	Title        string
	DecisionNo   string
	DecisionDate scalars.Date
}

// MemberRecorded is what RecordForMember wrote: the member's record (its
// global ID and kind) and the membership, which a MEMBERSHIP_REVOKED
// measure ended.
type MemberRecorded struct {
	RecordID   string
	Kind       credit.Kind
	Membership *Membership
}

// DataSubject is the member.
func (m *MemberRecorded) DataSubject() (string, string) { return m.Membership.USCC, "" }

// RecordForMember records a self-discipline measure, a commitment, a
// training or an honour of a member of the calling association: the
// entity must be its member, in an industry a live authorisation covers.
// The measure MEMBERSHIP_REVOKED (取消会员资格) also ends the membership on
// its decision date.
func (s *Service) RecordForMember(ctx context.Context, in MemberRecordInput, key hubdb.Key) (*MemberRecorded, error) {
	action := actionRecord
	switch {
	case in.Category == CategorySelfDiscipline && in.Measure == nil:
		return nil, apperr.BadInput("input.measure", "a SELF_DISCIPLINE record needs its measure: WARNING, CIRCULATED_CRITICISM, PUBLIC_CENSURE or MEMBERSHIP_REVOKED")
	case in.Category != CategorySelfDiscipline && in.Measure != nil:
		return nil, apperr.BadInput("input.measure", "only a SELF_DISCIPLINE record has a measure; leave it out for %s", in.Category)
	case in.Measure != nil && *in.Measure == MeasureMembershipRevoked:
		action = actionExpel
	}
	if err := needScope(ctx, &membershipMachine, action); err != nil {
		return nil, err
	}
	if err := Association(auth.FromContext(ctx), in.Association); err != nil {
		return nil, err
	}
	title, err := needText("input.title", in.Title, maxShortText)
	if err != nil {
		return nil, err
	}
	decisionNo, err := optionalText("input.decisionNo", in.DecisionNo, 100)
	if err != nil {
		return nil, err
	}
	if in.DecisionDate.IsZero() || in.DecisionDate.After(s.Today()) {
		return nil, apperr.BadInput("input.decisionDate", "decisionDate (%s) must be today (%s) or earlier", in.DecisionDate, s.Today())
	}
	return transact(ctx, s, key, "recordForMember", func(tx *hubdb.DB, now time.Time) (*MemberRecorded, error) {
		m, err := tx.Associations().LiveMembership(ctx, in.Association, in.USCC)
		if errors.Is(err, hubdb.ErrNotFound) {
			return nil, apperr.New(apperr.Forbidden, "%s is not a member of association %s: an association records for its own members only", in.USCC, in.Association).
				With("field", "input.uscc")
		}
		if err != nil {
			return nil, err
		}
		t, err := membershipMachine.transition(ctx, action, State(m.State), m.Association)
		if err != nil {
			return nil, err
		}
		if err := liveAuthorization(ctx, tx, in.Association, m.Industry); err != nil {
			return nil, err
		}
		if in.DecisionDate.Before(scalars.DateOf(m.JoinedOn)) {
			return nil, apperr.BadInput("input.decisionDate", "decisionDate (%s) is before %s joined the association (%s)", in.DecisionDate, in.USCC, scalars.DateOf(m.JoinedOn))
		}
		kind, summary, measure := credit.KindAssociationRecord, fmt.Sprintf("%s：%s", memberRecordNames[in.Category], title), ""
		if in.Measure != nil {
			kind, measure = credit.KindAssociationDiscipline, string(*in.Measure)
			summary = fmt.Sprintf("%s（%s）：%s", memberRecordNames[in.Category], disciplineMeasureNames[*in.Measure], title)
		}
		var no *string
		if decisionNo != "" {
			no = &decisionNo
		}
		membershipID := EncodeID(TypeMembership, m.ID)
		recID, err := s.addRecord(ctx, tx, hubdb.HubRecordRow{Kind: kind, SubjectUSCC: m.USCC, Department: m.Association,
			DecisionNo: no, DecisionDate: in.DecisionDate.Time(), Summary: summary,
			Detail: hubdb.Detail{AssociationName: m.AssociationName, MembershipID: membershipID, Category: string(in.Category),
				Measure: measure, Title: title}, CreatedAt: now})
		if err != nil {
			return nil, err
		}
		ref := credit.Ref{Source: hubdb.Source, Kind: kind, LocalID: recID}
		if action == actionExpel {
			if m, err = tx.Associations().EndMembership(ctx, m.ID, in.DecisionDate.String(), now, actorName(ctx), summary); err != nil {
				return nil, err
			}
		}
		out := &MemberRecorded{RecordID: gid.Record(ref), Kind: kind, Membership: MembershipOf(&m)}
		return out, record(ctx, tx, WorkflowMembership, m.ID, action, State(MembershipMember), t.To, summary, now)
	})
}

// AssociationFilter selects authorisations or memberships; zero fields
// select all. After is the last id of the previous page (newest first).
type AssociationFilter struct {
	Association string
	Department  string
	USCC        string
	Industry    string
	State       string
	After       int64
	Limit       int
}

func (f AssociationFilter) row() hubdb.AssociationFilter {
	return hubdb.AssociationFilter{Association: f.Association, Department: f.Department, USCC: f.USCC, Industry: f.Industry,
		State: f.State, After: f.After, Limit: f.Limit}
}

// AssociationAuthorizations returns a page of authorisations, newest
// first, in one statement.
func (s *Service) AssociationAuthorizations(ctx context.Context, f AssociationFilter) ([]*AssociationAuthorization, error) {
	rows, err := s.DB.Associations().Authorizations(ctx, f.row())
	return mapRows(rows, AssociationAuthorizationOf), err
}

// Memberships returns a page of memberships, newest first, in one
// statement.
func (s *Service) Memberships(ctx context.Context, f AssociationFilter) ([]*Membership, error) {
	rows, err := s.DB.Associations().Memberships(ctx, f.row())
	return mapRows(rows, MembershipOf), err
}

// Associations returns the associations the hub knows by code, after the
// code after, in one statement.
func (s *Service) Associations(ctx context.Context, after string, limit int) ([]*AssociationInfo, error) {
	rows, err := s.DB.Associations().List(ctx, after, limit)
	out := make([]*AssociationInfo, len(rows))
	for i, r := range rows {
		out[i] = &AssociationInfo{Code: r.Code, Name: r.Name}
	}
	return out, err
}

// Association returns the association with code; nil when the hub does
// not know it.
func (s *Service) Association(ctx context.Context, code string) (*AssociationInfo, error) {
	rows, err := s.DB.Associations().ByCodes(ctx, []string{code})
	if err != nil {
		return nil, err
	}
	r, ok := rows[code]
	if !ok {
		return nil, nil
	}
	return &AssociationInfo{Code: r.Code, Name: r.Name}, nil
}

// AssociationAuthorizationByID returns authorisation id; nil when none.
func (s *Service) AssociationAuthorizationByID(ctx context.Context, id int64) (*AssociationAuthorization, error) {
	row, err := s.DB.Associations().Authorization(ctx, id)
	if errors.Is(err, hubdb.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return AssociationAuthorizationOf(&row), nil
}

// MembershipByID returns membership id; nil when none.
func (s *Service) MembershipByID(ctx context.Context, id int64) (*Membership, error) {
	row, err := s.DB.Associations().Membership(ctx, id)
	if errors.Is(err, hubdb.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return MembershipOf(&row), nil
}
