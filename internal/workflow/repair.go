package workflow

// Repairs (T24), under NDRC Order No. 36 (《信用修复管理办法》, in force since
// 2026-04-01) as the spec summarises it: the entity applies to repair one of
// its dishonesty records once the record's minimum publication period has
// passed (minor: none, general: 3 months, serious: 1 year, counted from the
// decision; publication_period), with its obligations fulfilled and a public
// credit commitment. The window answers within REPAIR_ACCEPT working days —
// accepting the application for decision or refusing a case that cannot be
// repaired, naming the rule (repair_rule) — and the identifying department
// decides within REPAIR_DECIDE working days of accepting. A repaired record
// leaves public view and stops triggering measures (a REPAIRED overlay) but
// stays visible to departments. Repaired cases are sampled for re-checks;
// a wrong repair is reversed and the record is public again.
//
//	apply    —         → APPLIED   the entity itself                 repair:apply
//	accept   APPLIED   → ACCEPTED  the providing department          repair:review
//	refuse   APPLIED   → REFUSED   the providing department          repair:review
//	grant    ACCEPTED  → REPAIRED  the providing department          repair:review
//	deny     ACCEPTED  → DENIED    the providing department          repair:review
//	sample   REPAIRED  → REPAIRED  the credit office (all), or a     repair:review
//	                               department (its own repairs)
//	recheck  REPAIRED  → REPAIRED  the provider or the credit office repair:review
//	reverse  REPAIRED  → REVERSED  the provider or the credit office repair:review
//
// What each writes, besides the repair's row and a history row:
//
//	grant    an active REPAIRED overlay on the record
//	sample   last_recheck_at of each repair drawn
//	recheck  last_recheck_at
//	reverse  last_recheck_at; the REPAIRED overlay is deactivated (kept as history)
//
// Refused at once, with BAD_USER_INPUT naming input.recordId and, where one
// applies, the rule in extensions.rule (nothing is written): a record that is
// not the applicant's; a court list (COURT_LIST: the court removes it); a
// record without a dishonesty class (nothing to repair); a revoked or
// expired record; a record whose minimum period has not passed
// (BEFORE_MINIMUM, with extensions.repairableFrom). An application whose
// obligations are declared unfulfilled is recorded but cannot be accepted:
// the department refuses it (OBLIGATIONS_UNFULFILLED). acceptRepair checks
// the minimum period again — the record's decision date may have been
// corrected since — and answers INVALID_TRANSITION naming the rule.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// WorkflowRepair is the repairs' name in workflow_history and the source of
// their overlays.
const WorkflowRepair = "repair"

// The workflow rules (workflow_rule) repairs follow.
const (
	RuleRepairAccept = "REPAIR_ACCEPT"
	RuleRepairDecide = "REPAIR_DECIDE"
)

// Codes of repair_rule the hub itself applies.
const (
	RepairBeforeMinimum          = "BEFORE_MINIMUM"
	RepairObligationsUnfulfilled = "OBLIGATIONS_UNFULFILLED"
	RepairCourtList              = "COURT_LIST"
)

// The repairs' actions, as history rows and errors name them.
const (
	repairApply   = "apply"
	repairAccept  = "accept"
	repairRefuse  = "refuse"
	repairGrant   = "grant"
	repairDeny    = "deny"
	repairSample  = "sample"
	repairRecheck = "recheck"
	repairReverse = "reverse"
)

var repairMachine = Machine{
	Name: "repair",
	Transitions: []Transition{
		{Action: repairApply, To: State(RepairApplied), Scope: auth.ScopeRepairApply, Owner: repairApplicant},
		{Action: repairAccept, From: []State{State(RepairApplied)}, To: State(RepairAccepted),
			Scope: auth.ScopeRepairReview, Owner: Department},
		{Action: repairRefuse, From: []State{State(RepairApplied)}, To: State(RepairRefused),
			Scope: auth.ScopeRepairReview, Owner: Department},
		{Action: repairGrant, From: []State{State(RepairAccepted)}, To: State(RepairRepaired),
			Scope: auth.ScopeRepairReview, Owner: Department},
		{Action: repairDeny, From: []State{State(RepairAccepted)}, To: State(RepairDenied),
			Scope: auth.ScopeRepairReview, Owner: Department},
		{Action: repairSample, From: []State{State(RepairRepaired)}, To: State(RepairRepaired),
			Scope: auth.ScopeRepairReview, Owner: repairSampler},
		{Action: repairRecheck, From: []State{State(RepairRepaired)}, To: State(RepairRepaired),
			Scope: auth.ScopeRepairReview, Owner: providerOrCreditOffice},
		{Action: repairReverse, From: []State{State(RepairRepaired)}, To: State(RepairReversed),
			Scope: auth.ScopeRepairReview, Owner: providerOrCreditOffice},
	},
}

// repairApplicant lets the entity itself apply; uscc is the record's
// subject's code, empty for a natural person's record (which the hub does
// not repair: the persons' records it holds are the courts' lists).
func repairApplicant(p *auth.Principal, uscc string) error {
	if p.Kind() != auth.KindEntity {
		return apperr.New(apperr.Forbidden, "only the market entity itself applies to repair its records; sign in as the entity")
	}
	if uscc == "" || !p.IsEntity(uscc) {
		return apperr.BadInput("input.recordId", "this record is not about you; an entity applies to repair only its own records")
	}
	return nil
}

// repairSampler lets the credit office sample every department's repaired
// cases, and a department its own.
func repairSampler(p *auth.Principal, _ string) error {
	if creditOffice(p, "") == nil || p.Kind() == auth.KindDepartment {
		return nil
	}
	return apperr.New(apperr.Forbidden, "only the credit office or a department re-checks repaired cases")
}

// providerOrCreditOffice lets the providing department or the credit
// office act.
func providerOrCreditOffice(p *auth.Principal, owner string) error {
	if creditOffice(p, "") == nil {
		return nil
	}
	if err := Department(p, owner); err != nil {
		return apperr.New(apperr.Forbidden, "only %s or the credit office (%s) may do this", owner, CreditOfficeOrg).With("owner", owner)
	}
	return nil
}

// CourtLists are the kinds the courts keep: they leave the list when the
// court removes them, and the hub does not repair them (COURT_LIST).
var CourtLists = []credit.Kind{credit.KindDishonestDebtor, credit.KindConsumptionRestriction, credit.KindFalseLitigation}

// AddMonths adds n months to d the way periods counted in months end under
// Chinese civil law: on the same day of the month n months on, or on that
// month's last day when it has no such day (2026-11-30 + 3 months is
// 2027-02-28).
func AddMonths(d scalars.Date, n int) scalars.Date {
	y, m, day := d.Time().Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, scalars.CST)
	if last := first.AddDate(0, 1, -1).Day(); day > last {
		day = last
	}
	return scalars.NewDate(first.Year(), first.Month(), day)
}

// RepairableFrom is the first day a record decided on decided may be
// repaired: its minimum publication period of minMonths, counted from the
// decision, has passed.
func RepairableFrom(decided scalars.Date, minMonths int) scalars.Date {
	return AddMonths(decided, minMonths)
}

// minimumMonths returns the minimum publication period of a dishonesty
// class (publication_period).
func minimumMonths(ctx context.Context, db *hubdb.DB, sev credit.Severity) (int, error) {
	periods, err := db.Catalogues().PublicationPeriods(ctx)
	if err != nil {
		return 0, err
	}
	for _, p := range periods {
		if p.Severity == string(sev) {
			return p.MinMonths, nil
		}
	}
	return 0, fmt.Errorf("no publication period for severity %s", sev)
}

// tooEarly reports, for a record with a dishonesty class, the first day it
// may be repaired and whether today is before it.
func tooEarly(ctx context.Context, db *hubdb.DB, rec credit.Record, today scalars.Date) (scalars.Date, bool, error) {
	b := rec.Common()
	if b.Severity == nil {
		return scalars.Date{}, false, nil
	}
	months, err := minimumMonths(ctx, db, *b.Severity)
	if err != nil {
		return scalars.Date{}, false, err
	}
	from := RepairableFrom(b.DecisionDate, months)
	return from, today.Before(from), nil
}

// RepairOverdue reports whether a repair in state is past its deadline on
// today: an APPLIED one not answered by its accept date, an ACCEPTED one
// not decided by its decision date.
func RepairOverdue(state RepairState, acceptDue scalars.Date, decisionDue *scalars.Date, today scalars.Date) bool {
	switch state {
	case RepairApplied:
		return today.After(acceptDue)
	case RepairAccepted:
		return decisionDue != nil && today.After(*decisionDue)
	}
	return false
}

// refusal is the answer to an application the hub refuses at once.
func refusal(rule, format string, args ...any) *apperr.Error {
	e := apperr.BadInput("input.recordId", format, args...)
	if rule != "" {
		e = e.With("rule", rule)
	}
	return e
}

// ApplyRepair files the caller's application to repair the record recordID
// (a record's global ID) with its public credit commitment. lookup fetches
// the record. Cases the hub can tell at once cannot be repaired are refused
// without writing anything (see the file's comment).
func (s *Service) ApplyRepair(ctx context.Context, lookup RecordLookup, recordID, commitment string, obligationsFulfilled bool, key hubdb.Key) (*Repair, error) {
	ref, err := parseRecordID("input.recordId", recordID)
	if err != nil {
		return nil, err
	}
	if commitment, err = needText("input.commitment", commitment, maxReason); err != nil {
		return nil, err
	}
	if p := auth.FromContext(ctx); p.Kind() != auth.KindEntity {
		return nil, repairApplicant(p, "") // not an entity: say so before looking anything up
	}
	rec, err := lookup(ctx, ref)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, apperr.BadInput("input.recordId", "input.recordId names no credit record; use the id of a record as the graph returned it")
	}
	b := rec.Common()
	t, err := repairMachine.transition(ctx, repairApply, "", b.Subject.USCC)
	if err != nil {
		return nil, err
	}
	today := s.Today()
	switch {
	case slices.Contains(CourtLists, b.Kind):
		return nil, refusal(RepairCourtList, "court lists (%s) are not repaired by the hub: the court removes an entry when its obligations are performed; apply to the court", b.Kind)
	case b.Severity == nil:
		return nil, refusal("", "this record is not dishonesty information (it has no severity); only dishonesty information is repaired")
	case b.Status == credit.Revoked:
		return nil, refusal("", "this record was revoked; there is nothing to repair")
	case b.Status == credit.Expired:
		return nil, refusal("", "this record's publication already ended at the end of its maximum period; there is nothing to repair")
	}
	from, early, err := tooEarly(ctx, s.DB, rec, today)
	if err != nil {
		return nil, err
	}
	if early {
		return nil, refusal(RepairBeforeMinimum,
			"the minimum publication period of %s dishonesty information has not passed: this record, decided on %s, may be repaired from %s",
			strings.ToLower(string(*b.Severity)), b.DecisionDate, from).With("repairableFrom", from.String())
	}
	if _, err := s.Rules(ctx); err != nil {
		return nil, err
	}
	id := gid.Record(ref)
	return transact(ctx, s, key, "applyRepair", func(tx *hubdb.DB, now time.Time) (*Repair, error) {
		due, err := s.Due(ctx, RuleRepairAccept, now)
		if err != nil {
			return nil, err
		}
		row, err := tx.Repairs().Apply(ctx, hubdb.RepairRow{RecordID: id, DepartmentCode: Provider(rec), USCC: b.Subject.USCC,
			AppliedAt: now, Commitment: commitment, ObligationsFulfilled: obligationsFulfilled, State: string(t.To), AcceptDue: due.Time()})
		if errors.Is(err, hubdb.ErrAlreadyOpen) {
			return nil, apperr.New(apperr.Conflict,
				"this record already has a repair under way or granted (APPLIED, ACCEPTED or REPAIRED); follow that one").
				With("field", "input.recordId")
		}
		if err != nil {
			return nil, err
		}
		why := "obligations declared fulfilled"
		if !obligationsFulfilled {
			why = "obligations declared NOT fulfilled"
		}
		if err := record(ctx, tx, WorkflowRepair, row.ID, repairApply, "", t.To, why, now); err != nil {
			return nil, err
		}
		if err := announceWork(ctx, tx, hubdb.WorkRepairApplied, now, map[string]int64{row.DepartmentCode: row.ID}); err != nil {
			return nil, err
		}
		return RepairOf(&row, scalars.DateOf(now)), nil
	})
}

// decidingRepair reads repair id for action within tx, locked (deciding).
func decidingRepair(ctx context.Context, tx *hubdb.DB, id int64, action string) (hubdb.RepairRow, Transition, error) {
	return deciding(ctx, &repairMachine, action, tx.Repairs(), "repair", id,
		func(r hubdb.RepairRow) (State, string) { return State(r.State), r.DepartmentCode })
}

// AcceptRepair accepts an APPLIED application for decision, due
// REPAIR_DECIDE working days later. An application whose obligations are
// declared unfulfilled, or whose record's minimum period has not passed,
// cannot be accepted (INVALID_TRANSITION naming the rule): refuse it.
func (s *Service) AcceptRepair(ctx context.Context, lookup RecordLookup, id int64, key hubdb.Key) (*Repair, error) {
	if _, err := s.Rules(ctx); err != nil {
		return nil, err
	}
	return transact(ctx, s, key, "acceptRepair", func(tx *hubdb.DB, now time.Time) (*Repair, error) {
		row, t, err := decidingRepair(ctx, tx, id, repairAccept)
		if err != nil {
			return nil, err
		}
		from := State(row.State)
		cannot := func(rule, format string, args ...any) error {
			return apperr.New(apperr.InvalidTransition, format+"; refuse the application naming rule %s", append(args, rule)...).
				With("state", string(from)).With("action", repairAccept).With("rule", rule)
		}
		if !row.ObligationsFulfilled {
			return nil, cannot(RepairObligationsUnfulfilled, "the applicant declared the obligations of the decision not fulfilled")
		}
		ref, err := parseRecordID("id", row.RecordID)
		if err != nil {
			return nil, err
		}
		rec, err := lookup(ctx, ref)
		if err != nil {
			return nil, err
		}
		if rec == nil {
			return nil, apperr.New(apperr.NotFound, "the record of this repair is no longer found at %s; refuse the application", row.DepartmentCode)
		}
		repairable, early, err := tooEarly(ctx, tx, rec, scalars.DateOf(now))
		if err != nil {
			return nil, err
		}
		if early {
			return nil, cannot(RepairBeforeMinimum, "the record, decided on %s, may be repaired only from %s", rec.Common().DecisionDate, repairable)
		}
		due, err := s.Due(ctx, RuleRepairDecide, now)
		if err != nil {
			return nil, err
		}
		accepted, err := tx.Repairs().Accept(ctx, id, string(t.To), due.Time())
		if err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowRepair, id, repairAccept, from, t.To, "decision due "+due.String(), now); err != nil {
			return nil, err
		}
		return RepairOf(&accepted, scalars.DateOf(now)), nil
	})
}

// RepairRules returns the codes of repair_rule, in order.
func (s *Service) RepairRules(ctx context.Context) ([]string, error) {
	return s.DB.Repairs().RefusalRules(ctx)
}

// RefuseRepair refuses an APPLIED application as a case that cannot be
// repaired, naming the rule (a code of repair_rule) and why.
func (s *Service) RefuseRepair(ctx context.Context, id int64, rule, reason string, key hubdb.Key) (*Repair, error) {
	rule = strings.TrimSpace(rule)
	codes, err := s.RepairRules(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(codes, rule) {
		if utf8.RuneCountInString(rule) > 40 {
			rule = string([]rune(rule)[:40]) + "…"
		}
		return nil, apperr.BadInput("rule", "unknown rule %q; a refusal names one of %s", rule, strings.Join(codes, ", ")).
			With("acceptedRules", codes)
	}
	if reason, err = needText("reason", reason, maxReason); err != nil {
		return nil, err
	}
	return transact(ctx, s, key, "refuseRepair", func(tx *hubdb.DB, now time.Time) (*Repair, error) {
		row, t, err := decidingRepair(ctx, tx, id, repairRefuse)
		if err != nil {
			return nil, err
		}
		refused, err := tx.Repairs().Refuse(ctx, id, string(t.To), rule, reason)
		if err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowRepair, id, repairRefuse, State(row.State), t.To, rule+": "+reason, now); err != nil {
			return nil, err
		}
		if err := s.feed(ctx, tx, repairChange(hubdb.ActionRefused, &row)); err != nil {
			return nil, err
		}
		return RepairOf(&refused, scalars.DateOf(now)), nil
	})
}

// DecideRepair decides an ACCEPTED repair: repaired puts a REPAIRED overlay
// on the record (it leaves public view and stops triggering measures, and
// stays visible to departments); otherwise the repair is DENIED.
func (s *Service) DecideRepair(ctx context.Context, id int64, repaired bool, reason string, key hubdb.Key) (*Repair, error) {
	reason, err := needText("reason", reason, maxReason)
	if err != nil {
		return nil, err
	}
	action := repairDeny
	if repaired {
		action = repairGrant
	}
	return transact(ctx, s, key, "decideRepair", func(tx *hubdb.DB, now time.Time) (*Repair, error) {
		row, t, err := decidingRepair(ctx, tx, id, action)
		if err != nil {
			return nil, err
		}
		decided, err := tx.Repairs().Decide(ctx, id, string(t.To), reason)
		if err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowRepair, id, action, State(row.State), t.To, reason, now); err != nil {
			return nil, err
		}
		outcome := hubdb.ActionDenied
		if repaired {
			outcome = hubdb.ActionRepaired
		}
		if err := s.feed(ctx, tx, repairChange(outcome, &row)); err != nil {
			return nil, err
		}
		if repaired {
			if err := tx.Overlays().Add(ctx, hubdb.OverlayRow{RecordID: row.RecordID, Kind: credit.Repaired,
				Source: WorkflowRepair, SourceID: id, CreatedAt: now, CreatedBy: actorName(ctx)}); err != nil {
				return nil, err
			}
		}
		return RepairOf(&decided, scalars.DateOf(now)), nil
	})
}

// MaxRecheckSample bounds one draw of repaired cases.
const MaxRecheckSample = 100

// SampleRepairsForRecheck draws count REPAIRED repairs for a re-check,
// reproducibly from seed: the repairs are ordered by SHA-256 of
// "seed:id" (ties, which do not happen, by id), so that the same seed over
// the same repaired cases gives the same sample, and anyone can verify it.
// The credit office draws from every department's repairs, a department
// from its own. Each drawn repair gets last_recheck_at and a history row.
func (s *Service) SampleRepairsForRecheck(ctx context.Context, count int, seed string, key hubdb.Key) ([]*Repair, error) {
	if count < 1 || count > MaxRecheckSample {
		return nil, apperr.BadInput("count", "count must be between 1 and %d, got %d", MaxRecheckSample, count)
	}
	if strings.TrimSpace(seed) == "" || utf8.RuneCountInString(seed) > maxShortText {
		return nil, apperr.BadInput("seed", "seed must be 1 to %d characters, and not only spaces", maxShortText)
	}
	t, err := repairMachine.transition(ctx, repairSample, "", "")
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	department := "" // the credit office: every department
	if creditOffice(p, "") != nil {
		department = p.Org()
	}
	return transact(ctx, s, key, "sampleRepairsForRecheck", func(tx *hubdb.DB, now time.Time) ([]*Repair, error) {
		rows, err := tx.Repairs().DrawForRecheck(ctx, department, seed, count, now)
		if err != nil {
			return nil, err
		}
		why := fmt.Sprintf("drawn for re-check with seed %q", seed)
		for _, r := range rows {
			if err := record(ctx, tx, WorkflowRepair, r.ID, repairSample, State(r.State), t.To, why, now); err != nil {
				return nil, err
			}
		}
		today := scalars.DateOf(now)
		return mapRows(rows, func(r *hubdb.RepairRow) *Repair { return RepairOf(r, today) }), nil
	})
}

// RecheckRepair records the outcome of a re-check of a REPAIRED repair:
// correct keeps it REPAIRED; a wrong repair is REVERSED, its REPAIRED
// overlay deactivated, and the record is public again.
func (s *Service) RecheckRepair(ctx context.Context, id int64, correct bool, reason string, key hubdb.Key) (*Repair, error) {
	reason, err := needText("reason", reason, maxReason)
	if err != nil {
		return nil, err
	}
	action := repairReverse
	if correct {
		action = repairRecheck
	}
	return transact(ctx, s, key, "recheckRepair", func(tx *hubdb.DB, now time.Time) (*Repair, error) {
		row, t, err := decidingRepair(ctx, tx, id, action)
		if err != nil {
			return nil, err
		}
		rechecked, err := tx.Repairs().Recheck(ctx, id, string(t.To), now)
		if err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowRepair, id, action, State(row.State), t.To, reason, now); err != nil {
			return nil, err
		}
		if !correct {
			if err := tx.Overlays().End(ctx, credit.Repaired, WorkflowRepair, id); err != nil {
				return nil, err
			}
			if err := s.feed(ctx, tx, repairChange(hubdb.ActionReversed, &row)); err != nil {
				return nil, err
			}
		}
		return RepairOf(&rechecked, scalars.DateOf(now)), nil
	})
}

// RepairFilter selects repairs; zero fields select everything.
type RepairFilter struct {
	State      RepairState
	Department string
	USCC       string
	Overdue    *bool
}

// Repairs returns the repairs matching f, newest first, those with ids
// below after (0: from the newest), at most limit (0: all).
func (s *Service) Repairs(ctx context.Context, f RepairFilter, after int64, limit int) ([]*Repair, error) {
	today := s.Today()
	rows, err := s.DB.Repairs().Find(ctx, hubdb.DeadlineFilter{State: string(f.State), Department: f.Department,
		USCC: f.USCC, Overdue: f.Overdue, Today: today, After: after, Limit: limit})
	if err != nil {
		return nil, err
	}
	return mapRows(rows, func(r *hubdb.RepairRow) *Repair { return RepairOf(r, today) }), nil
}

// Repair returns one repair; nil when there is none with that id.
func (s *Service) Repair(ctx context.Context, id int64) (*Repair, error) {
	found, err := s.RepairsByID(ctx, []int64{id})
	return found[id], err
}
