package workflow

// Findings (T30: 鼓励相关部门与第三方信用服务机构在…失信案例核查、失信行为跟踪
// 监测等方面开展合作). A credit service agency sends back what the
// departments ask it to help with, and the department that owns the matter
// accepts or rejects it:
//
//   - a CASE_VERIFICATION (失信案例核查) of one dishonesty record (a record
//     with a dishonesty class, or a court list) of a market entity, with
//     the agency's verdict: the case holds (CONFIRMED) or it is wrong
//     (DISPUTED). It goes to the record's department (Provider).
//   - a MONITORING finding (失信行为跟踪监测) on a market entity, optionally
//     following up one of its records, sent to the department the agency
//     names as responsible for the matter.
//
//	submit  —          → SUBMITTED  an agency that may read the record       finding:submit
//	accept  SUBMITTED  → ACCEPTED   the owning department                    finding:handle
//	reject  SUBMITTED  → REJECTED   the owning department, with a reason     finding:handle
//
// Who: the mutations are marked @open(level: PUBLIC, only: [AGENCY]) and
// only: [SUPERVISORS] in the schema, and SubmitFinding asks auth.OnlyFor
// the same for callers that do not come through the graph (the seed).
// Deciding is the owning department's (an admin token too, as for every
// department's decision: Department); another department gets FORBIDDEN
// naming the owner.
//
// An agency submits only about what it may read: the record of a
// verification (or the one a monitoring finding follows up) must be one
// auth.SeeRecord lets it see. A record that does not exist and one it may
// not see get the same NOT_FOUND, so that submitting tells it nothing it
// could not read. The entity of a monitoring finding is one the registry
// holds (public: any agency may read it).
//
// What each writes, besides the finding's row and a history row:
//
//	accept  MONITORING: a MONITORING_FINDING record of the entity, held by
//	        the hub (hub_record), its source the owning department, shared
//	        among departments and with the entity itself (info_catalogue)
//	        CASE_VERIFICATION, DISPUTED: with outcome CORRECT a CORRECTED
//	        overlay on the record (the corrected fields), with REVOKE a
//	        REVOKED one, as an upheld objection puts them
//	        CASE_VERIFICATION, CONFIRMED: nothing more (the case stands)
//
// The entity never reads findings themselves: it sees what accepted ones
// did, as its records (a MONITORING_FINDING record, a corrected or
// revoked record). Pending and rejected findings stay between the agency
// and the department.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
)

// WorkflowFinding is the findings' name in workflow_history and the source
// of the overlays they put on records.
const WorkflowFinding = "finding"

// The findings' actions, as history rows and errors name them.
const (
	findingSubmit = "submit"
	findingAccept = "accept"
	findingReject = "reject"
)

// Limits of a finding's texts.
const (
	maxFindingSummary  = 500
	maxFindingEvidence = 4000
)

var findingMachine = Machine{
	Name: WorkflowFinding,
	Transitions: []Transition{
		{Action: findingSubmit, To: State(FindingSubmitted), Scope: auth.ScopeFindingSubmit},
		{Action: findingAccept, From: []State{State(FindingSubmitted)}, To: State(FindingAccepted),
			Scope: auth.ScopeFindingHandle, Owner: Department},
		{Action: findingReject, From: []State{State(FindingSubmitted)}, To: State(FindingRejected),
			Scope: auth.ScopeFindingHandle, Owner: Department},
	},
}

// agencyOnly is who submits findings: the schema's only: [AGENCY] on
// submitFinding, asked of the same rule (auth.OnlyFor).
var agencyOnly = []auth.Caller{auth.CallerAgency}

// FindingInput is what an agency submits. The resolver has checked the
// code and that the registry knows the entity (USCC, for MONITORING), and
// the department code.
type FindingInput struct {
	Kind FindingKind
	// USCC is the entity: required for MONITORING; for a verification,
	// optional, and then it must be the record's.
	USCC string
	// RecordID is a record's global ID: required for CASE_VERIFICATION,
	// optional for MONITORING.
	RecordID string
	// Department owns a MONITORING finding; for a verification, optional,
	// and then it must be the record's department.
	Department string
	Verdict    *FindingVerdict
	Summary    string
	Evidence   string
}

// SubmitFinding records the calling agency's finding, SUBMITTED to the
// department that owns it (see the file's comment). lookup fetches a
// record as it stands, which the agency must be able to see. A second
// verification of one record by one agency while the first is SUBMITTED
// is a CONFLICT.
func (s *Service) SubmitFinding(ctx context.Context, lookup RecordLookup, in FindingInput, key hubdb.Key) (*Finding, error) {
	summary, err := needText("input.summary", in.Summary, maxFindingSummary)
	if err != nil {
		return nil, err
	}
	evidence, err := needText("input.evidence", in.Evidence, maxFindingEvidence)
	if err != nil {
		return nil, err
	}
	var ref credit.Ref
	switch in.Kind {
	case FindingCaseVerification:
		if in.RecordID == "" {
			return nil, apperr.BadInput("input.recordId", "a CASE_VERIFICATION names the dishonesty record it verifies: give input.recordId")
		}
		if in.Verdict == nil {
			return nil, apperr.BadInput("input.verdict", "a CASE_VERIFICATION gives its verdict: CONFIRMED (the case holds) or DISPUTED (it is wrong)")
		}
	case FindingMonitoring:
		if in.USCC == "" {
			return nil, apperr.BadInput("input.uscc", "a MONITORING finding names the entity it is about: give input.uscc")
		}
		if in.Department == "" {
			return nil, apperr.BadInput("input.department", "a MONITORING finding goes to the department responsible for the matter: give input.department")
		}
		if in.Verdict != nil {
			return nil, apperr.BadInput("input.verdict", "a verdict goes with a CASE_VERIFICATION; leave it out of a MONITORING finding")
		}
	default:
		return nil, apperr.BadInput("input.kind", "kind must be CASE_VERIFICATION or MONITORING")
	}
	if in.RecordID != "" {
		if ref, err = parseRecordID("input.recordId", in.RecordID); err != nil {
			return nil, err
		}
	}
	// Not an agency, or without the scope: say so before looking anything
	// up.
	if err := auth.OnlyFor(ctx, agencyOnly, auth.Subject{}); err != nil {
		return nil, err
	}
	if err := needScope(ctx, &findingMachine, findingSubmit); err != nil {
		return nil, err
	}
	row := hubdb.FindingRow{Kind: string(in.Kind), USCC: in.USCC, DepartmentCode: in.Department, Verdict: (*string)(in.Verdict),
		Summary: summary, Evidence: evidence}
	if in.RecordID != "" {
		rec, err := seenRecord(ctx, lookup, ref)
		if err != nil {
			return nil, err
		}
		if err := s.fitRecord(in, rec, &row); err != nil {
			return nil, err
		}
	}
	return transact(ctx, s, key, "submitFinding", func(tx *hubdb.DB, now time.Time) (*Finding, error) {
		t, err := findingMachine.transition(ctx, findingSubmit, "", row.DepartmentCode)
		if err != nil {
			return nil, err
		}
		p := auth.FromContext(ctx)
		row.Agency, row.SubmittedBy, row.SubmittedAt, row.State = p.Org(), p.Subject(), now, string(t.To)
		stored, err := tx.Findings().Submit(ctx, row)
		if errors.Is(err, hubdb.ErrAlreadyOpen) {
			return nil, apperr.New(apperr.Conflict,
				"your verification of this record is still SUBMITTED; wait for the department's decision rather than sending another").
				With("field", "input.recordId")
		}
		if err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowFinding, stored.ID, findingSubmit, "", t.To, string(in.Kind)+": "+summary, now); err != nil {
			return nil, err
		}
		return FindingOf(&stored), nil
	})
}

// seenRecord is the record ref names as the caller may see it. A record
// that does not exist, one the caller may not see (FORBIDDEN, or outside
// its view) and one its source cannot say (a department answering that it
// does not know it) are the same NOT_FOUND: the answer tells the caller
// nothing it could not read.
func seenRecord(ctx context.Context, lookup RecordLookup, ref credit.Ref) (credit.Record, error) {
	unseen := apperr.New(apperr.NotFound,
		"input.recordId names no credit record you may read; use the id of a record as the graph returned it to you").
		With("field", "input.recordId")
	rec, err := lookup(ctx, ref)
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Code == apperr.SourceUnavailable {
			return nil, err // the department is down: nothing about the record
		}
		if errors.As(err, &ae) {
			return nil, unseen
		}
		return nil, err
	}
	if rec == nil {
		return nil, unseen
	}
	if seen, err := auth.SeeRecord(ctx, rec); err != nil || seen == nil {
		return nil, unseen
	}
	return rec, nil
}

// fitRecord checks a record the agency may see against what it submits and
// fills in the entity and, for a verification, the owning department.
func (s *Service) fitRecord(in FindingInput, rec credit.Record, row *hubdb.FindingRow) error {
	b := rec.Common()
	subject := b.FiledAgainst()
	switch {
	case subject.IDNumber != "":
		return apperr.BadInput("input.recordId", "this is a natural person's record; findings are about market entities' records")
	case subject.USCC == "" && in.USCC == "":
		// Filed under an old key (its legacyKey) only.
		return apperr.BadInput("input.uscc", "this record was filed under an old key (its legacyKey); give input.uscc, the code of the entity it is about")
	}
	if in.USCC != "" && in.USCC != subject.USCC {
		return apperr.BadInput("input.recordId", "this record is not about input.uscc %s", in.USCC)
	}
	row.USCC = subject.USCC
	id := b.ID
	row.RecordID = &id
	if in.Kind != FindingCaseVerification {
		return nil
	}
	owner := Provider(rec)
	switch {
	case b.Severity == nil && !slices.Contains(CourtLists, b.Kind):
		return apperr.BadInput("input.recordId", "this %s record is not dishonesty information (it has no dishonesty class); only dishonesty cases are verified", b.Kind)
	case b.Status == credit.Revoked:
		return apperr.BadInput("input.recordId", "this record was revoked; there is no case left to verify")
	case in.Department != "" && in.Department != owner:
		return apperr.BadInput("input.department", "a verification goes to the record's department, %s; leave input.department out or give %s", owner, owner).
			With("owner", owner)
	}
	row.DepartmentCode = owner
	return nil
}

// decidingFinding reads finding id for action within tx, locked
// (deciding).
func decidingFinding(ctx context.Context, tx *hubdb.DB, id int64, action string) (hubdb.FindingRow, Transition, error) {
	return deciding(ctx, &findingMachine, action, tx.Findings(), "finding", id,
		func(f hubdb.FindingRow) (State, string) { return State(f.State), f.DepartmentCode })
}

// AcceptFinding accepts a SUBMITTED finding with a note (optional) and
// writes what accepting it does (see the file's comment): outcome and
// correction go with a DISPUTED verification only, which needs an
// outcome.
func (s *Service) AcceptFinding(ctx context.Context, id int64, outcome *FindingOutcome, correction *hubdb.Correction, reason string, key hubdb.Key) (*Finding, error) {
	reason, err := optionalText("reason", reason, maxReason)
	if err != nil {
		return nil, err
	}
	if outcome == nil && correction != nil {
		return nil, apperr.BadInput("correction", "correction goes with outcome CORRECT")
	}
	var fields hubdb.Correction
	if outcome != nil {
		if fields, err = checkCorrection(ObjectionOutcome(*outcome), correction, s.Today()); err != nil {
			return nil, err
		}
	}
	return transact(ctx, s, key, "acceptFinding", func(tx *hubdb.DB, now time.Time) (*Finding, error) {
		row, t, err := decidingFinding(ctx, tx, id, findingAccept)
		if err != nil {
			return nil, err
		}
		disputed := row.Verdict != nil && FindingVerdict(*row.Verdict) == VerdictDisputed
		switch {
		case disputed && outcome == nil:
			return nil, apperr.BadInput("outcome", "accepting a DISPUTED verification corrects or revokes the record: give outcome CORRECT (with correction) or REVOKE; reject the finding if the case holds")
		case !disputed && outcome != nil:
			return nil, apperr.BadInput("outcome", "outcome goes with a DISPUTED verification only; accept this %s finding without one", row.Kind)
		}
		d := hubdb.FindingDecision{State: string(t.To), DecidedAt: now, DecidedBy: actorName(ctx), Reason: reason, Outcome: (*string)(outcome)}
		why := reason
		switch {
		case FindingKind(row.Kind) == FindingMonitoring:
			recID, err := s.monitoringRecord(ctx, tx, &row, now)
			if err != nil {
				return nil, err
			}
			d.HubRecordID = &recID
		case disputed:
			kind := credit.Revoked
			if *outcome == FindingCorrect {
				kind = credit.Corrected
			}
			if err := tx.Overlays().Add(ctx, hubdb.OverlayRow{RecordID: *row.RecordID, Kind: kind, Fields: fields,
				Source: WorkflowFinding, SourceID: id, CreatedAt: now, CreatedBy: actorName(ctx)}); err != nil {
				return nil, err
			}
			// The record corrected or revoked: a change for the agencies' feed.
			if err := s.feed(ctx, tx, recordChangeOf(hubdb.ChangeRecord, hubdb.ActionChanged, *row.RecordID, 0, row.USCC, "")); err != nil {
				return nil, err
			}
			why = string(*outcome) + ": " + reason
		}
		decided, err := tx.Findings().Decide(ctx, id, d)
		if err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowFinding, id, findingAccept, State(row.State), t.To, why, now); err != nil {
			return nil, err
		}
		return FindingOf(&decided), nil
	})
}

// monitoringRecord writes the MONITORING_FINDING record of an accepted
// monitoring finding and returns its id: the entity's, from the owning
// department, decided today.
func (s *Service) monitoringRecord(ctx context.Context, tx *hubdb.DB, f *hubdb.FindingRow, now time.Time) (int64, error) {
	summary := fmt.Sprintf("失信行为跟踪监测（%s）：%s", f.Agency, f.Summary)
	return s.addRecord(ctx, tx, hubdb.HubRecordRow{Kind: credit.KindMonitoringFinding, SubjectUSCC: f.USCC,
		Department: f.DepartmentCode, DecisionDate: now, Summary: summary,
		Detail: hubdb.Detail{Agency: f.Agency, FindingID: EncodeID(TypeFinding, f.ID)}, CreatedAt: now})
}

// RejectFinding rejects a SUBMITTED finding with a reason; nothing else is
// written.
func (s *Service) RejectFinding(ctx context.Context, id int64, reason string, key hubdb.Key) (*Finding, error) {
	reason, err := needText("reason", reason, maxReason)
	if err != nil {
		return nil, err
	}
	return transact(ctx, s, key, "rejectFinding", func(tx *hubdb.DB, now time.Time) (*Finding, error) {
		row, t, err := decidingFinding(ctx, tx, id, findingReject)
		if err != nil {
			return nil, err
		}
		decided, err := tx.Findings().Decide(ctx, id, hubdb.FindingDecision{State: string(t.To), DecidedAt: now,
			DecidedBy: actorName(ctx), Reason: reason})
		if err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowFinding, id, findingReject, State(row.State), t.To, reason, now); err != nil {
			return nil, err
		}
		return FindingOf(&decided), nil
	})
}

// FindingFilter selects findings; zero fields select everything.
type FindingFilter struct {
	State FindingState
	Kind  FindingKind
	USCC  string
	// Department narrows a supervisor's list to one department.
	Department string
}

// SubmittedFindings returns the calling agency's own findings (its
// token's org), newest first: those with ids below after (0: from the
// newest), at most limit, in one statement. Any other caller is refused
// (the schema's only: [AGENCY], asked again here).
func (s *Service) SubmittedFindings(ctx context.Context, f FindingFilter, after int64, limit int) ([]*Finding, error) {
	if err := auth.OnlyFor(ctx, agencyOnly, auth.Subject{}); err != nil {
		return nil, err
	}
	rows, err := s.DB.Findings().Find(ctx, hubdb.FindingFilter{Agency: auth.FromContext(ctx).Org(), State: string(f.State),
		Kind: string(f.Kind), USCC: f.USCC, After: after, Limit: limit})
	return mapRows(rows, FindingOf), err
}

// ReceivedFindings returns the findings sent to the calling department
// (its token's org), newest first, in one statement; the credit office
// (its department tokens, an admin token) reads every department's, or
// one's with f.Department. A department asking for another's is refused.
func (s *Service) ReceivedFindings(ctx context.Context, f FindingFilter, after int64, limit int) ([]*Finding, error) {
	p := auth.FromContext(ctx)
	dept := f.Department
	if creditOffice(p, "") != nil {
		if p.Kind() != auth.KindDepartment {
			return nil, apperr.New(apperr.Forbidden, "findings are listed by the departments they are sent to and the credit office")
		}
		if dept != "" && dept != p.Org() {
			return nil, apperr.New(apperr.Forbidden, "a department lists the findings sent to it, not %s's; leave filter.department out", dept).
				With("field", "filter.department")
		}
		dept = p.Org()
	}
	rows, err := s.DB.Findings().Find(ctx, hubdb.FindingFilter{Department: dept, State: string(f.State), Kind: string(f.Kind),
		USCC: f.USCC, After: after, Limit: limit})
	return mapRows(rows, FindingOf), err
}
