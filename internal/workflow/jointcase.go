package workflow

// Joint-punishment cases (联合惩戒案件, T18–T20: 发起响应、信息推送、执行反馈).
//
// A case is opened from a listing on the joint-punishment list. The hub
// works out which departments' measures apply to that list (the measures
// catalogue, package catalogue) and pushes the case to each, with its measures
// and a due date PUSH_FEEDBACK working days later. Each department answers
// its push with its execution feedback: the measure it applied, when, and
// who answered (outcome APPLIED, answer); or that no measure is
// NOT_APPLICABLE to the entity, or that it DECLINED, with a reason
// (decline). The answer to the last push, whatever the outcomes, closes the
// case, in the same transaction; its history counts the outcomes. Only
// APPLIED answers carry a measure applied.
//
//	case:  (none) ──open──► OPEN ──close (by the last answer)──► CLOSED
//	push:  (none) ──push──► PUSHED ──answer | decline (that department)──► ANSWERED
//
// One case at a time per listing (the joint_case_one_open index). Pushes
// not answered by their due date are overdue (OverduePushes); a department
// finds the cases pushed to it with jointCases(filter: {department}).

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// The names of the cases' and pushes' machines in workflow_history.
const (
	WorkflowCase = "case"
	WorkflowPush = "push"
)

// The actions of cases and pushes.
const (
	actionOpen    = "open"
	actionClose   = "close"
	actionPush    = "push"
	actionAnswer  = "answer"
	actionDecline = "decline"
)

// RulePushFeedback is the workflow rule giving a push's working days.
const RulePushFeedback = "PUSH_FEEDBACK"

var jointCaseMachine = Machine{Name: WorkflowCase, Transitions: []Transition{
	// From a LISTED joint-punishment listing (listingMachine's openCase).
	{Action: actionOpen, To: State(CaseOpen), Scope: auth.ScopeCaseWrite},
	// Made by the answer to the last push, in its transaction.
	{Action: actionClose, From: []State{State(CaseOpen)}, To: State(CaseClosed), Scope: auth.ScopeCaseWrite},
}}

var pushMachine = Machine{Name: WorkflowPush, Transitions: []Transition{
	// Made by opening the case.
	{Action: actionPush, To: State(Pushed), Scope: auth.ScopeCaseWrite},
	// Only the department the case was pushed to answers.
	{Action: actionAnswer, From: []State{State(Pushed)}, To: State(Answered), Scope: auth.ScopeCaseWrite, Owner: Department},
	// The same department answering that it applies no measure
	// (NOT_APPLICABLE or DECLINED, with a reason).
	{Action: actionDecline, From: []State{State(Pushed)}, To: State(Answered), Scope: auth.ScopeCaseWrite, Owner: Department},
}}

// OpenJointCase opens a case from a joint-punishment listing and pushes it
// to every department whose measures apply to the joint-punishment list.
func (s *Service) OpenJointCase(ctx context.Context, entryID int64, key hubdb.Key) (*JointCase, error) {
	if _, err := s.Rules(ctx); err != nil { // read before the transaction holds a connection
		return nil, err
	}
	return transact(ctx, s, key, "openJointCase", func(tx *hubdb.DB, now time.Time) (*JointCase, error) {
		e, err := lockListEntry(ctx, tx, entryID, "listEntryId")
		if err != nil {
			return nil, err
		}
		lt, err := listingMachine.transition(ctx, actionOpenCase, State(e.State), e.DepartmentCode)
		if err != nil {
			return nil, err
		}
		if e.ListType != credit.ListJointPunishment {
			return nil, apperr.BadInput("listEntryId", "cases are opened from joint-punishment listings; this listing is %s", e.ListType)
		}
		switch open, err := tx.JointCases().OpenOf(ctx, e.DBID); {
		case err == nil:
			return nil, apperr.New(apperr.Conflict, "case %s is already open for this listing; a listing has one open case at a time", EncodeID(TypeJointCase, open)).
				With("caseId", EncodeID(TypeJointCase, open))
		case !errors.Is(err, hubdb.ErrNotFound):
			return nil, err
		}
		ct, err := jointCaseMachine.transition(ctx, actionOpen, "", "")
		if err != nil {
			return nil, err
		}
		depts, measures := s.Measures.ForList(credit.ListJointPunishment)
		if len(depts) == 0 {
			return nil, errors.New("the measures catalogue has no measure for the joint-punishment list")
		}
		due, err := s.Due(ctx, RulePushFeedback, now)
		if err != nil {
			return nil, err
		}
		row := hubdb.JointCaseRow{ListEntryID: e.DBID, USCC: e.USCC, State: string(ct.To), OpenedAt: now}
		if row.ID, err = tx.JointCases().Open(ctx, row); err != nil {
			return nil, err
		}
		row.OpenedAt = now.Truncate(time.Microsecond) // as stored
		c := JointCaseOf(&row)
		pt, err := pushMachine.transition(ctx, actionPush, "", "")
		if err != nil {
			return nil, err
		}
		pushed := make(map[string]int64, len(depts))
		for _, dept := range depts {
			pushID, err := tx.JointCases().Push(ctx, hubdb.CasePushRow{CaseID: c.DBID, USCC: c.USCC, DepartmentCode: dept,
				Measures: measures[dept], PushedAt: now, DueDate: due.Time(), State: string(pt.To)})
			if err != nil {
				return nil, err
			}
			pushed[dept] = pushID
			if err := record(ctx, tx, WorkflowPush, pushID, actionPush, "", pt.To,
				fmt.Sprintf("%s: %s, due %s", dept, strings.Join(measures[dept], " "), due), now); err != nil {
				return nil, err
			}
		}
		// Each department's subscribers hear of its push at commit.
		if err := announceWork(ctx, tx, hubdb.WorkCasePushed, now, pushed); err != nil {
			return nil, err
		}
		pushedTo := "pushed to " + strings.Join(depts, ", ")
		if err := record(ctx, tx, WorkflowCase, c.DBID, actionOpen, "", ct.To, pushedTo, now); err != nil {
			return nil, err
		}
		return c, record(ctx, tx, WorkflowListing, e.DBID, actionOpenCase, State(e.State), lt.To, "case "+c.ID()+" "+pushedTo, now)
	})
}

// AnswerPush records a department's execution feedback on the case pushed
// to it. The answer to the last push closes the case.
func (s *Service) AnswerPush(ctx context.Context, pushID int64, measureApplied string, appliedOn scalars.Date, key hubdb.Key) (*CasePush, error) {
	measureApplied, err := needText("measureApplied", measureApplied, 500)
	if err != nil {
		return nil, err
	}
	if appliedOn.IsZero() {
		return nil, apperr.BadInput("appliedOn", "appliedOn must be the day the measure was applied")
	}
	if today := s.Today(); appliedOn.After(today) {
		return nil, apperr.BadInput("appliedOn", "appliedOn (%s) is after today (%s); answer once the measure was applied", appliedOn, today)
	}
	return transact(ctx, s, key, "answerPush", func(tx *hubdb.DB, now time.Time) (*CasePush, error) {
		row, err := tx.JointCases().LockPushForAnswer(ctx, pushID)
		if errors.Is(err, hubdb.ErrNotFound) {
			return nil, notFound("pushId", "case push")
		}
		if err != nil {
			return nil, err
		}
		t, err := pushMachine.transition(ctx, actionAnswer, State(row.State), row.DepartmentCode)
		if err != nil {
			return nil, err
		}
		if pushed := scalars.DateOf(row.PushedAt); appliedOn.Before(pushed) {
			return nil, apperr.BadInput("appliedOn", "appliedOn (%s) is before the case was pushed (%s)", appliedOn, pushed)
		}
		from, by, applied := State(row.State), auth.FromContext(ctx).Subject(), string(PushApplied)
		row.State, row.MeasureApplied, row.AppliedOn, row.AnsweredBy = string(t.To), &measureApplied, timeOf(&appliedOn), &by
		row.Outcome = &applied
		return answered(ctx, tx, row, from, t, measureApplied, now)
	})
}

// DeclinePush records that the department the case was pushed to applies
// no measure: none is NOT_APPLICABLE, or it DECLINED; either with a
// reason. The push is answered as by AnswerPush (and the answer to the
// last push closes the case) but carries no measure applied.
func (s *Service) DeclinePush(ctx context.Context, pushID int64, outcome PushOutcome, reason string, key hubdb.Key) (*CasePush, error) {
	if outcome != PushNotApplicable && outcome != PushDeclined {
		return nil, apperr.BadInput("outcome", "declinePush takes NOT_APPLICABLE or DECLINED, got %q; a measure applied is answered with answerPush", outcome)
	}
	reason, err := needText("reason", reason, 500)
	if err != nil {
		return nil, err
	}
	return transact(ctx, s, key, "declinePush", func(tx *hubdb.DB, now time.Time) (*CasePush, error) {
		row, err := tx.JointCases().LockPushForAnswer(ctx, pushID)
		if errors.Is(err, hubdb.ErrNotFound) {
			return nil, notFound("pushId", "case push")
		}
		if err != nil {
			return nil, err
		}
		t, err := pushMachine.transition(ctx, actionDecline, State(row.State), row.DepartmentCode)
		if err != nil {
			return nil, err
		}
		from, by, o := State(row.State), auth.FromContext(ctx).Subject(), string(outcome)
		row.State, row.AnsweredBy, row.Outcome, row.Reason = string(t.To), &by, &o, &reason
		return answered(ctx, tx, row, from, t, o+": "+reason, now)
	})
}

// answered writes a push's answer (row, moved from by t) and its history,
// and closes the case when it was the last push waiting, whatever the
// outcomes: every department concerned has answered.
func answered(ctx context.Context, tx *hubdb.DB, row hubdb.CasePushRow, from State, t Transition, note string, now time.Time) (*CasePush, error) {
	if err := tx.JointCases().Answer(ctx, row); err != nil {
		return nil, err
	}
	if err := record(ctx, tx, WorkflowPush, row.ID, t.Action, from, t.To, note, now); err != nil {
		return nil, err
	}
	// Answers to the same case's other pushes wait here, so that the
	// last one sees every other answer and closes the case.
	progress, err := tx.JointCases().LockForClosing(ctx, row.CaseID)
	if err != nil {
		return nil, err
	}
	if progress.Pending == 0 && JointCaseState(progress.State) == CaseOpen {
		ct, err := jointCaseMachine.transition(ctx, actionClose, State(progress.State), "")
		if err != nil {
			return nil, err
		}
		if err := tx.JointCases().Close(ctx, row.CaseID, string(ct.To), now); err != nil {
			return nil, err
		}
		note := fmt.Sprintf("all %d departments answered", progress.All)
		if progress.NotApplicable+progress.Declined > 0 {
			note += fmt.Sprintf("; %d applied, %d not applicable, %d declined",
				progress.All-progress.NotApplicable-progress.Declined, progress.NotApplicable, progress.Declined)
		}
		if err := record(ctx, tx, WorkflowCase, row.CaseID, actionClose, State(progress.State), ct.To, note, now); err != nil {
			return nil, err
		}
	}
	return PushOf(&row, scalars.Date{}), nil
}

// JointCaseFilter selects cases; zero fields select all. The page is
// keyset by id, newest first: Before is the last id of the previous page.
type JointCaseFilter struct {
	State JointCaseState
	// Department keeps the cases pushed to that department.
	Department string
	Before     int64
	Limit      int
}

// JointCases returns a page of cases, newest first.
func (s *Service) JointCases(ctx context.Context, f JointCaseFilter) ([]*JointCase, error) {
	rows, err := s.DB.JointCases().Find(ctx, hubdb.JointCaseFilter{State: string(f.State), Department: f.Department,
		Before: f.Before, Limit: f.Limit})
	return mapRows(rows, JointCaseOf), err
}

// PushesOf returns each case's pushes in the order they were made, in one
// statement.
func (s *Service) PushesOf(ctx context.Context, caseIDs []int64) (map[int64][]*CasePush, error) {
	rows, err := s.DB.JointCases().PushesOf(ctx, caseIDs)
	if err != nil {
		return nil, err
	}
	today := s.Today()
	out := map[int64][]*CasePush{}
	for i := range rows {
		p := PushOf(&rows[i], today)
		out[p.CaseDBID] = append(out[p.CaseDBID], p)
	}
	return out, nil
}

// OverduePushes returns the pushes not answered by their due date, the
// longest overdue first; department, when not empty, keeps that
// department's.
func (s *Service) OverduePushes(ctx context.Context, department string) ([]*CasePush, error) {
	today := s.Today()
	rows, err := s.DB.JointCases().OverduePushes(ctx, today, department)
	if err != nil {
		return nil, err
	}
	return mapRows(rows, func(r *hubdb.CasePushRow) *CasePush { return PushOf(r, today) }), nil
}
