package workflow

// Lists and interviews (T14–T16, T21–T22).
//
// An identifying department (认定部门) puts an entity on a list, on a basis
// and with the credit records the listing rests on:
//
//   - JOINT_PUNISHMENT, the joint-punishment list (联合惩戒对象名单): public;
//     it also goes into the personal credit records of the entity's legal
//     representative, principal and actual controller (T22), and a
//     joint-punishment case may be opened from it (jointcase.go);
//   - KEY_ATTENTION, the key-attention list of a domain (重点关注对象名单,
//     T15): shared among departments, never public;
//   - MARKET_BAN, a market or industry ban (市场和行业禁入, T21): from a
//     start date to an end date, or permanently.
//
//	          enter                 remove (REPAIRED | EXPIRED | REVOKED)
//	(none) ─────────► LISTED ────────────────────────────────► REMOVED
//	                   │  ▲
//	                   └──┘ interview (after a missed rectification deadline)
//	                        openCase  (joint-punishment listings, jointcase.go)
//
// Entering writes the list entry and a credit record of the entity (kind
// LISTING, or KEY_ATTENTION for the key-attention list), plus one personal
// LISTING record per responsible person for the joint-punishment list.
// Removing ends those records' effect: EXPIRED when the entity repaired
// its credit or the listing ran out, REVOKED when the listing was wrong.
// An interview (提示约谈 / 警示约谈) is held by the identifying department
// (谁认定、谁约谈) once the rectification deadline passed while the entity is
// still listed; it becomes a credit record of the entity (INTERVIEW).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"credithub/auth"
	"credithub/datasources"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// WorkflowListing names the list entries' machine in workflow_history.
const WorkflowListing = "listing"

// The list entry's actions.
const (
	actionEnter     = "enter"
	actionRemove    = "remove"
	actionInterview = "interview"
	actionOpenCase  = "openCase"
)

var listingMachine = Machine{Name: WorkflowListing, Transitions: []Transition{
	// The caller's department is the identifying department.
	{Action: actionEnter, To: State(Listed), Scope: auth.ScopeListWrite, Owner: Department},
	// Only the identifying department removes its listing and holds its
	// interviews.
	{Action: actionRemove, From: []State{State(Listed)}, To: State(Removed), Scope: auth.ScopeListWrite, Owner: Department},
	{Action: actionInterview, From: []State{State(Listed)}, To: State(Listed), Scope: auth.ScopeListWrite, Owner: Department},
	// The identifying department or the credit office's desk opens a
	// joint-punishment case on a listing; another department holding
	// case:write does not open cases on listings not its own.
	{Action: actionOpenCase, From: []State{State(Listed)}, To: State(Listed), Scope: auth.ScopeCaseWrite, Owner: providerOrCreditOffice},
}}

// KeyAttentionDomains are the domains of the key-attention lists (T15:
// 金融、养老、幼教、家政、食品药品、旅游文化、体育、农资化肥), as the graph
// spells them, with their Chinese names.
var KeyAttentionDomains = []struct{ Code, Name string }{
	{"finance", "金融"},
	{"elderly care", "养老"},
	{"pre-school", "幼教"},
	{"housekeeping", "家政"},
	{"food and drugs", "食品药品"},
	{"tourism and culture", "旅游文化"},
	{"sports", "体育"},
	{"agricultural inputs", "农资化肥"},
}

func keyAttentionDomain(code string) (string, bool) {
	for _, d := range KeyAttentionDomains {
		if d.Code == code {
			return d.Name, true
		}
	}
	return "", false
}

func keyAttentionDomainList() string {
	names := make([]string, len(KeyAttentionDomains))
	for i, d := range KeyAttentionDomains {
		names[i] = fmt.Sprintf("%q", d.Code)
	}
	return strings.Join(names, ", ")
}

var roleNames = map[credit.Role]string{
	credit.RoleLegalRepresentative: "法定代表人",
	credit.RolePrincipal:           "主要负责人",
	credit.RoleActualController:    "实际控制人",
}

// ListingInput is a listing to enter. The resolver has checked the code
// and that the registry knows the entity.
type ListingInput struct {
	ListType        credit.ListType
	Domain          *string
	USCC            string
	Basis           string
	LinkedRecordIDs []string
	RectifyBy       *scalars.Date
	BanStart        *scalars.Date
	BanEnd          *scalars.Date
	Permanent       bool
	// BannedRoles are the responsible persons a market ban also bars
	// (T21): the entity's persons in these roles, from the registry.
	BannedRoles []credit.Role
	// LegacyKeys are the entity's organisation code and registration
	// number: a linked record a department filed under one of them is the
	// entity's too.
	LegacyKeys []string
}

// MaxLinkedRecords bounds the records a listing names.
const MaxLinkedRecords = 50

// EnterListing puts an entity on a list for the caller's department. The
// linked records are looked up first (lookup, as the caller may see them;
// each must be a record of this entity), and for the joint-punishment list
// the entity's responsible persons are read from the registry: when either
// fails nothing is written.
func (s *Service) EnterListing(ctx context.Context, in ListingInput, lookup RecordLookup, key hubdb.Key) (*ListEntry, error) {
	dept := auth.FromContext(ctx).Org()
	t, err := listingMachine.transition(ctx, actionEnter, "", dept)
	if err != nil {
		return nil, err
	}
	today := s.Today()
	if err := checkListing(&in, today); err != nil {
		return nil, err
	}
	if in.Basis, err = needText("input.basis", in.Basis, 2000); err != nil {
		return nil, err
	}
	if err := checkLinkedRecords(ctx, in.USCC, in.LegacyKeys, in.LinkedRecordIDs, lookup); err != nil {
		return nil, err
	}
	var persons []Person
	if in.ListType == credit.ListJointPunishment || len(in.BannedRoles) > 0 {
		if s.Persons == nil {
			return nil, errors.New("workflow: Service.Persons is not set")
		}
		all, err := s.Persons(ctx, in.USCC)
		if err != nil {
			if apperr.CodeOf(err) == apperr.Internal {
				err = apperr.Unavailable(datasources.Market, err)
			}
			return nil, err
		}
		// One personal record per person, under the first of their roles;
		// a ban only for the roles it names.
		for _, p := range all {
			if in.ListType == credit.ListMarketBan && !slices.Contains(in.BannedRoles, p.Role) {
				continue
			}
			if !slices.ContainsFunc(persons, func(q Person) bool { return q.IDNo == p.IDNo }) {
				persons = append(persons, p)
			}
		}
	}
	// T23: an organ, public institution or state-owned enterprise on the
	// joint-punishment list is notified to its superior and audit bodies,
	// in the listing's transaction.
	var orgType, superior string
	if in.ListType == credit.ListJointPunishment && s.Org != nil {
		if orgType, superior, err = s.Org(ctx, in.USCC); err != nil {
			if apperr.CodeOf(err) == apperr.Internal {
				err = apperr.Unavailable(datasources.Market, err)
			}
			return nil, err
		}
	}
	return transact(ctx, s, key, "enterListing", func(tx *hubdb.DB, now time.Time) (*ListEntry, error) {
		row := hubdb.ListEntryRow{ListType: in.ListType, Domain: in.Domain, USCC: in.USCC, DepartmentCode: dept, Basis: in.Basis,
			LinkedRecords: in.LinkedRecordIDs, EnteredOn: now, RectifyBy: timeOf(in.RectifyBy), BanStart: timeOf(in.BanStart),
			BanEnd: timeOf(in.BanEnd), Permanent: in.Permanent, State: string(t.To)}
		var err error
		if row.ID, err = tx.ListEntries().Enter(ctx, row); err != nil {
			return nil, err
		}
		e := ListEntryOf(&row, scalars.Date{})
		if err := record(ctx, tx, WorkflowListing, e.DBID, actionEnter, "", t.To, e.Basis, now); err != nil {
			return nil, err
		}
		if err := s.feed(ctx, tx, listingChange(hubdb.ActionEntered, e)); err != nil {
			return nil, err
		}
		kind, detail := credit.KindListing, hubdb.Detail{ListType: e.ListType, ListEntryID: e.ID()}
		if e.ListType == credit.ListKeyAttention {
			kind = credit.KindKeyAttention
		}
		if e.Domain != nil {
			detail.Domain = *e.Domain
		}
		detail.BanStart, detail.BanEnd = e.BanStart, e.BanEnd
		if _, err := s.addRecord(ctx, tx, hubdb.HubRecordRow{Kind: kind, SubjectUSCC: e.USCC, Department: dept,
			DecisionDate: now, Summary: listingSummary(e), Detail: detail, CreatedAt: now}); err != nil {
			return nil, err
		}
		if e.ListType == credit.ListJointPunishment {
			msg := "列入联合惩戒对象名单：" + e.Basis
			if _, err := tx.Notifications().Notify(ctx, hubdb.NotifyCause{Cause: hubdb.CauseJointPunishment, CauseID: e.ID(),
				USCC: e.USCC, OrgType: orgType, SuperiorCode: superior, Name: e.USCC, Message: msg}, now); err != nil {
				return nil, err
			}
		}
		for _, p := range persons {
			role := p.Role
			// A responsible person who is a public employee: their unit
			// and the discipline-inspection and personnel bodies.
			if e.ListType == credit.ListJointPunishment {
				if _, err := tx.Notifications().Notify(ctx, hubdb.NotifyCause{Cause: hubdb.CauseJointPunishment,
					CauseID: e.ID() + "/" + personTag(p.IDNo), IDNo: p.IDNo, Name: p.Name,
					Message: fmt.Sprintf("作为市场主体（%s）的%s，随其列入联合惩戒对象名单：%s", e.USCC, roleNames[role], e.Basis)}, now); err != nil {
					return nil, err
				}
			}
			summary := fmt.Sprintf("作为市场主体（%s）的%s，随其列入联合惩戒对象名单：%s", e.USCC, roleNames[role], e.Basis)
			if e.ListType == credit.ListMarketBan {
				summary = fmt.Sprintf("作为市场主体（%s）的%s，随其%s", e.USCC, roleNames[role], listingSummary(e))
			}
			if _, err := s.addRecord(ctx, tx, hubdb.HubRecordRow{Kind: credit.KindListing, SubjectIDNo: p.IDNo, SubjectName: p.Name,
				Department: dept, DecisionDate: now, Summary: summary,
				Detail:    hubdb.Detail{ListType: e.ListType, ListEntryID: e.ID(), Role: &role, BanStart: e.BanStart, BanEnd: e.BanEnd},
				CreatedAt: now}); err != nil {
				return nil, err
			}
		}
		return e, nil
	})
}

// checkListing checks the fields that depend on the list type.
func checkListing(in *ListingInput, today scalars.Date) error {
	if !slices.Contains(credit.ListTypes, in.ListType) {
		return apperr.BadInput("input.listType", "listType must be JOINT_PUNISHMENT, KEY_ATTENTION or MARKET_BAN")
	}
	if in.USCC == "" {
		return apperr.BadInput("input.uscc", "uscc must be the entity's unified social credit code")
	}
	if in.Domain != nil {
		d := strings.TrimSpace(*in.Domain)
		in.Domain = &d
	}
	ban := in.BanStart != nil || in.BanEnd != nil || in.Permanent
	switch in.ListType {
	case credit.ListKeyAttention:
		if in.Domain == nil {
			return apperr.BadInput("input.domain", "a key-attention listing needs its domain: one of %s", keyAttentionDomainList())
		}
		if _, ok := keyAttentionDomain(*in.Domain); !ok {
			return apperr.BadInput("input.domain", "%q is not a key-attention domain; the domains are %s", truncate(*in.Domain), keyAttentionDomainList())
		}
	case credit.ListJointPunishment:
		if in.Domain != nil {
			return apperr.BadInput("input.domain", "the joint-punishment list has no domain; domain is for key-attention lists and bans")
		}
	case credit.ListMarketBan:
		if in.Domain != nil {
			if *in.Domain == "" || len([]rune(*in.Domain)) > 64 {
				return apperr.BadInput("input.domain", "domain names the industry the ban covers, 1 to 64 characters")
			}
		}
		if in.BanStart == nil {
			return apperr.BadInput("input.banStart", "a market ban needs its start date (banStart)")
		}
		if in.BanEnd == nil && !in.Permanent {
			return apperr.BadInput("input.banEnd", "a market ban needs an end date (banEnd), or permanent: true")
		}
		if in.BanEnd != nil && in.Permanent {
			return apperr.BadInput("input.banEnd", "a permanent ban has no end date: give banEnd or permanent: true, not both")
		}
		if in.BanEnd != nil && !in.BanEnd.After(*in.BanStart) {
			return apperr.BadInput("input.banEnd", "banEnd (%s) must be after banStart (%s)", in.BanEnd, in.BanStart)
		}
		if in.BanEnd != nil && in.BanEnd.Before(today) {
			return apperr.BadInput("input.banEnd", "banEnd (%s) has passed; a ban that has ended is not entered", in.BanEnd)
		}
	}
	if ban && in.ListType != credit.ListMarketBan {
		return apperr.BadInput("input.banStart", "banStart, banEnd and permanent are for MARKET_BAN listings only")
	}
	if len(in.BannedRoles) > 0 && in.ListType != credit.ListMarketBan {
		return apperr.BadInput("input.bannedRoles", "bannedRoles names the persons a MARKET_BAN also bars; the joint-punishment list reaches every responsible person by itself")
	}
	if in.RectifyBy != nil && in.RectifyBy.Before(today) {
		return apperr.BadInput("input.rectifyBy", "rectifyBy (%s) is before today (%s); the rectification deadline is a day to come", in.RectifyBy, today)
	}
	return nil
}

// checkLinkedRecords checks that every linked id is the global ID of a
// record of the entity the caller may see.
func checkLinkedRecords(ctx context.Context, uscc string, legacyKeys, ids []string, lookup RecordLookup) error {
	const field = "input.linkedRecordIds"
	if len(ids) == 0 {
		return apperr.BadInput(field, "a listing rests on at least one credit record: give the records' IDs")
	}
	if len(ids) > MaxLinkedRecords {
		return apperr.BadInput(field, "a listing names at most %d records, got %d", MaxLinkedRecords, len(ids))
	}
	for i, id := range ids {
		bad := apperr.BadInput(field, "linkedRecordIds[%d] is not the ID of a credit record of entity %s", i, uscc).With("index", i)
		if slices.Index(ids, id) != i {
			return apperr.BadInput(field, "linkedRecordIds[%d] repeats an earlier ID", i).With("index", i)
		}
		typ, payload, err := gid.Decode(id)
		if err != nil || typ != gid.TypeRecord {
			return bad
		}
		ref, err := gid.ParseRecord(payload)
		if err != nil {
			return bad
		}
		if lookup == nil {
			return errors.New("workflow: EnterListing needs a RecordLookup")
		}
		rec, err := lookup(ctx, ref)
		if err != nil {
			return err
		}
		if rec == nil || !recordOf(rec.Common(), uscc, legacyKeys) {
			return bad
		}
	}
	return nil
}

// recordOf reports whether a record is the entity's: filed under its code,
// or under one of its old keys.
func recordOf(b *credit.Base, uscc string, legacyKeys []string) bool {
	if b.Subject.USCC != "" || b.Subject.IDNumber != "" {
		return b.Subject.USCC == uscc
	}
	return b.LegacyKey != nil && *b.LegacyKey != "" && slices.Contains(legacyKeys, *b.LegacyKey)
}

func listingSummary(e *ListEntry) string {
	switch e.ListType {
	case credit.ListKeyAttention:
		name, _ := keyAttentionDomain(*e.Domain)
		return fmt.Sprintf("列入%s领域重点关注对象名单：%s", name, e.Basis)
	case credit.ListMarketBan:
		period := e.BanStart.String() + "起永久禁入"
		if e.BanEnd != nil {
			period = e.BanStart.String() + "至" + e.BanEnd.String()
		}
		if e.Domain != nil {
			period = *e.Domain + "，" + period
		}
		return fmt.Sprintf("市场和行业禁入（%s）：%s", period, e.Basis)
	}
	return "列入联合惩戒对象名单：" + e.Basis
}

// RemoveListing takes an entity off a list. Its listing records (of the
// entity and of its persons) stop: EXPIRED when repaired or run out,
// REVOKED when the listing is revoked. Interviews already held stay on
// record; an open joint-punishment case stays open until its pushes are
// answered.
func (s *Service) RemoveListing(ctx context.Context, id int64, reason RemovalReason, note string, key hubdb.Key) (*ListEntry, error) {
	if !slices.Contains([]RemovalReason{RemovedRepaired, RemovedExpired, RemovedRevoked}, reason) {
		return nil, apperr.BadInput("reason", "reason must be REPAIRED, EXPIRED or REVOKED")
	}
	note, err := optionalText("note", note, 1000)
	if err != nil {
		return nil, err
	}
	return transact(ctx, s, key, "removeListing", func(tx *hubdb.DB, now time.Time) (*ListEntry, error) {
		e, err := lockListEntry(ctx, tx, id, "id")
		if err != nil {
			return nil, err
		}
		t, err := listingMachine.transition(ctx, actionRemove, State(e.State), e.DepartmentCode)
		if err != nil {
			return nil, err
		}
		today, from := scalars.DateOf(now), State(e.State)
		e.State, e.RemovedOn, e.RemovalReason = ListEntryState(t.To), &today, &reason
		e.RectificationOverdue = false
		if err := tx.ListEntries().Remove(ctx, e.DBID, string(e.State), now, string(reason)); err != nil {
			return nil, err
		}
		status := credit.Expired
		if reason == RemovedRevoked {
			status = credit.Revoked
		}
		ended, err := tx.HubRecords().EndListing(ctx, e.ID(), status)
		if err != nil {
			return nil, err
		}
		if err := s.feed(ctx, tx, listingRecordsChanged(hubdb.ActionRemoved, e, ended)...); err != nil {
			return nil, err
		}
		why := string(reason)
		if note != "" {
			why += ": " + note
		}
		return e, record(ctx, tx, WorkflowListing, e.DBID, actionRemove, from, t.To, why, now)
	})
}

var interviewNames = map[credit.InterviewType]string{credit.InterviewPrompt: "提示约谈", credit.InterviewWarning: "警示约谈"}

// RecordInterview records an interview the identifying department held
// with a listed entity whose rectification deadline passed; it becomes a
// credit record of the entity.
func (s *Service) RecordInterview(ctx context.Context, entryID int64, typ credit.InterviewType, heldOn scalars.Date, notes string, key hubdb.Key) (*Interview, error) {
	if !slices.Contains(credit.InterviewTypes, typ) {
		return nil, apperr.BadInput("type", "type must be PROMPT (提示约谈) or WARNING (警示约谈)")
	}
	notes, err := needText("notes", notes, 4000)
	if err != nil {
		return nil, err
	}
	if heldOn.IsZero() {
		return nil, apperr.BadInput("heldOn", "heldOn must be the day the interview was held")
	}
	if today := s.Today(); heldOn.After(today) {
		return nil, apperr.BadInput("heldOn", "heldOn (%s) is after today (%s); record an interview once it was held", heldOn, today)
	}
	return transact(ctx, s, key, "recordInterview", func(tx *hubdb.DB, now time.Time) (*Interview, error) {
		e, err := lockListEntry(ctx, tx, entryID, "listEntryId")
		if err != nil {
			return nil, err
		}
		t, err := listingMachine.transition(ctx, actionInterview, State(e.State), e.DepartmentCode)
		if err != nil {
			return nil, err
		}
		// T16: an interview follows a rectification deadline missed.
		today := scalars.DateOf(now)
		refuse := apperr.New(apperr.InvalidTransition, "").With("state", string(e.State)).With("action", actionInterview)
		if e.RectifyBy == nil {
			refuse.Message = "this listing has no rectification deadline; an interview is held only when a listed entity missed its deadline (T16)"
			return nil, refuse
		}
		refuse = refuse.With("rectifyBy", e.RectifyBy.String())
		if !e.RectifyBy.Before(today) {
			refuse.Message = fmt.Sprintf("the rectification deadline %s has not passed; an interview is held only after it passed without rectification (T16)", e.RectifyBy)
			return nil, refuse
		}
		if !heldOn.After(*e.RectifyBy) {
			return nil, apperr.BadInput("heldOn", "heldOn (%s) must be after the rectification deadline (%s)", heldOn, e.RectifyBy)
		}
		iv := &Interview{Type: typ, HeldOn: heldOn, DepartmentCode: e.DepartmentCode, Notes: notes, ListEntryDBID: e.DBID, USCC: e.USCC}
		if iv.DBID, err = tx.ListEntries().AddInterview(ctx, hubdb.InterviewRow{ListEntryID: e.DBID, USCC: e.USCC, Type: typ,
			HeldOn: heldOn.Time(), DepartmentCode: e.DepartmentCode, Notes: notes}); err != nil {
			return nil, err
		}
		if _, err := s.addRecord(ctx, tx, hubdb.HubRecordRow{Kind: credit.KindInterview, SubjectUSCC: e.USCC,
			Department: e.DepartmentCode, DecisionDate: heldOn.Time(),
			Summary: fmt.Sprintf("%s（整改期限%s届满未整改到位）：%s", interviewNames[typ], e.RectifyBy, notes),
			Detail:  hubdb.Detail{InterviewType: typ, ListEntryID: e.ID()}, CreatedAt: now}); err != nil {
			return nil, err
		}
		return iv, record(ctx, tx, WorkflowListing, e.DBID, actionInterview, State(e.State), t.To, string(typ)+" "+heldOn.String(), now)
	})
}

// lockListEntry locks a list entry for a decision; NOT_FOUND naming field
// when there is none.
func lockListEntry(ctx context.Context, tx *hubdb.DB, id int64, field string) (*ListEntry, error) {
	row, err := tx.ListEntries().LockForDecision(ctx, id)
	if errors.Is(err, hubdb.ErrNotFound) {
		return nil, notFound(field, "list entry")
	}
	if err != nil {
		return nil, err
	}
	return ListEntryOf(&row, scalars.Date{}), nil
}

// ListEntryFilter selects list entries; zero fields select all. The page
// is keyset by id, newest first: Before is the last id of the previous page.
type ListEntryFilter struct {
	ListType   credit.ListType
	State      ListEntryState
	Department string
	USCC       string
	// RectificationOverdue, when set, keeps entries whose deadline was
	// missed (true) or the others (false).
	RectificationOverdue *bool
	// HideKeyAttention leaves out key-attention entries (shared, never
	// public), except those of SeenBy (an entity looking at itself).
	HideKeyAttention bool
	SeenBy           string
	Before           int64
	Limit            int
}

// ListEntries returns a page of list entries, newest first.
func (s *Service) ListEntries(ctx context.Context, f ListEntryFilter) ([]*ListEntry, error) {
	today := s.Today()
	rows, err := s.DB.ListEntries().Find(ctx, hubdb.ListEntryFilter{ListType: f.ListType, State: string(f.State),
		Department: f.Department, USCC: f.USCC, RectificationOverdue: f.RectificationOverdue, Today: today,
		HideKeyAttention: f.HideKeyAttention, SeenBy: f.SeenBy, Before: f.Before, Limit: f.Limit})
	if err != nil {
		return nil, err
	}
	return mapRows(rows, func(r *hubdb.ListEntryRow) *ListEntry { return ListEntryOf(r, today) }), nil
}

// personTag tells listed persons apart in a notification's cause without
// showing their ID numbers (T23).
func personTag(idNo string) string {
	h := sha256.Sum256([]byte("notification:" + idNo))
	return hex.EncodeToString(h[:6])
}
