package workflow

// Joint-punishment cases (联合惩戒案件, T18–T20: 发起响应、信息推送、执行反馈).
//
// A case is opened from a listing on the joint-punishment list. The hub
// works out which departments' measures apply to that list (the measures
// catalogue, catalogs.go) and pushes the case to each, with its measures
// and a due date PUSH_FEEDBACK working days later. Each department answers
// its push with its execution feedback: the measure it applied, when, and
// who answered. The answer to the last push closes the case, in the same
// transaction.
//
//	case:  (none) ──open──► OPEN ──close (by the last answer)──► CLOSED
//	push:  (none) ──push──► PUSHED ──answer (that department)──► ANSWERED
//
// One case at a time per listing (the joint_case_one_open index). Pushes
// not answered by their due date are overdue (OverduePushes); a department
// finds the cases pushed to it with jointCases(filter: {department}).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// The names of the cases' and pushes' machines in workflow_history.
const (
	WorkflowCase = "case"
	WorkflowPush = "push"
)

// The actions of cases and pushes.
const (
	actionOpen   = "open"
	actionClose  = "close"
	actionPush   = "push"
	actionAnswer = "answer"
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
}}

// OpenJointCase opens a case from a joint-punishment listing and pushes it
// to every department whose measures apply to the joint-punishment list.
func (s *Service) OpenJointCase(ctx context.Context, entryID int64, key hubdb.Key) (*JointCase, error) {
	if _, err := s.Rules(ctx); err != nil { // read before the transaction holds a connection
		return nil, err
	}
	return transact(ctx, s, key, "openJointCase", func(tx *sqlx.Tx, now time.Time) (*JointCase, error) {
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
		var open int64
		err = tx.GetContext(ctx, &open, `SELECT id FROM joint_case WHERE list_entry_id = $1 AND state = 'OPEN'`, e.DBID)
		if err == nil {
			return nil, apperr.New(apperr.Conflict, "case %s is already open for this listing; a listing has one open case at a time", EncodeID(TypeJointCase, open)).
				With("caseId", EncodeID(TypeJointCase, open))
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, sqldb.MapError(err)
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
		c := &JointCase{ListEntryDBID: e.DBID, USCC: e.USCC, State: JointCaseState(ct.To), OpenedAt: now.Truncate(time.Microsecond)}
		if err := tx.GetContext(ctx, &c.DBID, `INSERT INTO joint_case (list_entry_id, uscc, state, opened_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			c.ListEntryDBID, c.USCC, string(c.State), now); err != nil {
			return nil, sqldb.MapError(err)
		}
		pt, err := pushMachine.transition(ctx, actionPush, "", "")
		if err != nil {
			return nil, err
		}
		for _, dept := range depts {
			var pushID int64
			if err := tx.GetContext(ctx, &pushID, `INSERT INTO case_push (case_id, uscc, department, measures, pushed_at, due_date, state)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
				c.DBID, c.USCC, dept, pq.StringArray(measures[dept]), now, due.String(), string(pt.To)); err != nil {
				return nil, sqldb.MapError(err)
			}
			if err := record(ctx, tx, WorkflowPush, pushID, actionPush, "", pt.To,
				fmt.Sprintf("%s: %s, due %s", dept, strings.Join(measures[dept], " "), due), now); err != nil {
				return nil, err
			}
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
	return transact(ctx, s, key, "answerPush", func(tx *sqlx.Tx, now time.Time) (*CasePush, error) {
		var row pushRow
		err := lockNowait(ctx, tx, &row, `SELECT `+pushColumns+` FROM case_push WHERE id = $1`, pushID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("pushId", "case push")
		}
		if err != nil {
			return nil, sqldb.MapError(err)
		}
		p := row.push(scalars.Date{})
		t, err := pushMachine.transition(ctx, actionAnswer, State(p.State), p.DepartmentCode)
		if err != nil {
			return nil, err
		}
		if pushed := scalars.DateOf(p.PushedAt); appliedOn.Before(pushed) {
			return nil, apperr.BadInput("appliedOn", "appliedOn (%s) is before the case was pushed (%s)", appliedOn, pushed)
		}
		by := auth.FromContext(ctx).Subject()
		from := State(p.State)
		p.State, p.MeasureApplied, p.AppliedOn, p.AnsweredBy = PushState(t.To), &measureApplied, &appliedOn, &by
		if _, err := tx.ExecContext(ctx, `UPDATE case_push SET state = $2, measure_applied = $3, applied_on = $4, answered_by = $5 WHERE id = $1`,
			p.DBID, string(p.State), measureApplied, appliedOn.String(), by); err != nil {
			return nil, sqldb.MapError(err)
		}
		if err := record(ctx, tx, WorkflowPush, p.DBID, actionAnswer, from, t.To, measureApplied, now); err != nil {
			return nil, err
		}
		// Answers to the same case's other pushes wait here, so that the
		// last one sees every other answer and closes the case.
		var caseState string
		if err := tx.GetContext(ctx, &caseState, `SELECT state FROM joint_case WHERE id = $1 FOR UPDATE`, p.CaseDBID); err != nil {
			return nil, sqldb.MapError(err)
		}
		var pending, all int
		if err := tx.QueryRowxContext(ctx, `SELECT count(*) FILTER (WHERE state = 'PUSHED'), count(*) FROM case_push WHERE case_id = $1`,
			p.CaseDBID).Scan(&pending, &all); err != nil {
			return nil, sqldb.MapError(err)
		}
		if pending == 0 && JointCaseState(caseState) == CaseOpen {
			ct, err := jointCaseMachine.transition(ctx, actionClose, State(caseState), "")
			if err != nil {
				return nil, err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE joint_case SET state = $2, closed_at = $3 WHERE id = $1`, p.CaseDBID, string(ct.To), now); err != nil {
				return nil, sqldb.MapError(err)
			}
			if err := record(ctx, tx, WorkflowCase, p.CaseDBID, actionClose, State(caseState), ct.To,
				fmt.Sprintf("all %d departments answered", all), now); err != nil {
				return nil, err
			}
		}
		return p, nil
	})
}

const jointCaseColumns = `id, list_entry_id, uscc, state, opened_at, closed_at`

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
	out := []*JointCase{}
	err := s.DB.SelectContext(ctx, &out, `SELECT `+jointCaseColumns+` FROM joint_case c
		WHERE ($1 = '' OR state = $1)
		  AND ($2 = '' OR EXISTS (SELECT 1 FROM case_push p WHERE p.case_id = c.id AND p.department = $2))
		  AND ($3 = 0 OR id < $3)
		ORDER BY id DESC LIMIT $4`, string(f.State), f.Department, f.Before, limit(f.Limit))
	return out, sqldb.MapError(err)
}

// CasesOfEntries returns the cases opened from each of the listings, in
// one statement.
func (s *Service) CasesOfEntries(ctx context.Context, entryIDs []int64) (map[int64][]*JointCase, error) {
	var rows []*JointCase
	err := s.DB.SelectContext(ctx, &rows, `SELECT `+jointCaseColumns+` FROM joint_case WHERE list_entry_id = ANY($1) ORDER BY id`, pq.Array(entryIDs))
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	out := map[int64][]*JointCase{}
	for _, c := range rows {
		out[c.ListEntryDBID] = append(out[c.ListEntryDBID], c)
	}
	return out, nil
}

const pushColumns = `id, case_id, uscc, department, measures, pushed_at, due_date, state, measure_applied, applied_on, answered_by`

// pushRow is a push as stored.
type pushRow struct {
	CasePush
	Measures pq.StringArray `db:"measures"`
	Due      time.Time      `db:"due_date"`
	Applied  *time.Time     `db:"applied_on"`
}

// push maps the row; a non-zero today computes whether it is overdue.
func (r *pushRow) push(today scalars.Date) *CasePush {
	p := r.CasePush
	p.MeasureCodes = []string(r.Measures)
	p.DueDate = scalars.DateOf(r.Due)
	p.AppliedOn = dateOf(r.Applied)
	p.Overdue = !today.IsZero() && p.State == Pushed && p.DueDate.Before(today)
	return &p
}

func (s *Service) pushes(ctx context.Context, query string, args ...any) ([]*CasePush, error) {
	var rows []pushRow
	if err := s.DB.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, sqldb.MapError(err)
	}
	today := s.Today()
	out := make([]*CasePush, len(rows))
	for i := range rows {
		out[i] = rows[i].push(today)
	}
	return out, nil
}

// PushesOf returns each case's pushes in the order they were made, in one
// statement.
func (s *Service) PushesOf(ctx context.Context, caseIDs []int64) (map[int64][]*CasePush, error) {
	rows, err := s.pushes(ctx, `SELECT `+pushColumns+` FROM case_push WHERE case_id = ANY($1) ORDER BY id`, pq.Array(caseIDs))
	if err != nil {
		return nil, err
	}
	out := map[int64][]*CasePush{}
	for _, p := range rows {
		out[p.CaseDBID] = append(out[p.CaseDBID], p)
	}
	return out, nil
}

// OverduePushes returns the pushes not answered by their due date, the
// longest overdue first; department, when not empty, keeps that
// department's.
func (s *Service) OverduePushes(ctx context.Context, department string) ([]*CasePush, error) {
	return s.pushes(ctx, `SELECT `+pushColumns+` FROM case_push
		WHERE state = 'PUSHED' AND due_date < $1::date AND ($2 = '' OR department = $2)
		ORDER BY due_date, id`, s.Today().String(), department)
}
