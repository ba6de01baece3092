package workflow

// Credit commitments (信用承诺, T1–T3, T11).
//
// An entity signs a commitment for one of the application items that accept
// one (items.go): itself, or through the department receiving the
// application. The department holding it later finds it kept, breached
// (with the dishonesty class of NDRC Order No. 36) or false:
//
//	            fulfil
//	  ┌──────────────────────► FULFILLED
//	  │         breach
//	SIGNED ─────────────────► BREACHED     + COMMITMENT_BREACH record (its severity)
//	  │         findFalse
//	  └──────────────────────► FOUND_FALSE  + COMMITMENT_BREACH record (SERIOUS, falseCommitment)
//
// A breach or a false commitment becomes a public credit record of the
// entity (T3: 承诺履约情况记入承诺人信用记录). It "may" also put the entity
// on the key-attention list: that is the department's decision, not an
// automatic effect, so the department then calls enterListing (listing.go)
// with list type KEY_ATTENTION and the new record among the linked records.
// Commitments and their outcomes are public.

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

// WorkflowCommitment names the commitments' machine in workflow_history.
const WorkflowCommitment = "commitment"

// The commitment's actions.
const (
	actionSign      = "sign"
	actionFulfil    = "fulfil"
	actionBreach    = "breach"
	actionFindFalse = "findFalse"
)

var commitmentMachine = Machine{Name: WorkflowCommitment, Transitions: []Transition{
	// The entity itself or the department receiving the application, each
	// with commitment:sign: see signer.
	{Action: actionSign, To: State(CommitmentSigned), Scope: auth.ScopeCommitmentSign},
	// The department holding the commitment decides its outcome.
	{Action: actionFulfil, From: []State{State(CommitmentSigned)}, To: State(CommitmentFulfilled), Scope: auth.ScopeCommitmentWrite, Owner: Department},
	{Action: actionBreach, From: []State{State(CommitmentSigned)}, To: State(CommitmentBreached), Scope: auth.ScopeCommitmentWrite, Owner: Department},
	{Action: actionFindFalse, From: []State{State(CommitmentSigned)}, To: State(CommitmentFoundFalse), Scope: auth.ScopeCommitmentWrite, Owner: Department},
}}

// signer says whether the caller may sign for the entity uscc a commitment
// that department dept receives: the entity signed in as itself, or that
// department, either with commitment:sign.
func signer(p *auth.Principal, uscc, dept string) error {
	if !p.HasScope(auth.ScopeCommitmentSign) {
		return apperr.New(apperr.Forbidden, "signing a commitment needs the %s scope (the entity for itself, or the department receiving the application)", auth.ScopeCommitmentSign).
			With("requiredScopes", []string{auth.ScopeCommitmentSign})
	}
	if p.IsEntity(uscc) {
		return nil
	}
	if p.Kind() == auth.KindEntity {
		return apperr.BadInput("input.uscc", "an entity signs commitments only for itself; input.uscc must be your own code")
	}
	return Department(p, dept)
}

// SignInput is a commitment to sign. The resolver has checked the code and
// that the registry knows the entity.
type SignInput struct {
	ItemCode string
	USCC     string
	Content  string
}

// SignCommitment records a commitment for an active item.
// It is held by the department receiving the item's applications.
func (s *Service) SignCommitment(ctx context.Context, in SignInput, key hubdb.Key) (*Commitment, error) {
	content, err := needText("input.content", in.Content, 2000)
	if err != nil {
		return nil, err
	}
	if in.USCC == "" {
		return nil, apperr.BadInput("input.uscc", "uscc must be the entity's unified social credit code")
	}
	return transact(ctx, s, key, "signCommitment", func(tx *hubdb.DB, now time.Time) (*Commitment, error) {
		item, err := tx.CommitmentItems().Get(ctx, in.ItemCode)
		if errors.Is(err, hubdb.ErrNotFound) {
			return nil, apperr.New(apperr.NotFound, "there is no commitment item %q; commitmentItems lists them", in.ItemCode).With("field", "input.itemCode")
		}
		if err != nil {
			return nil, err
		}
		if err := signer(auth.FromContext(ctx), in.USCC, item.DepartmentCode); err != nil {
			return nil, err
		}
		if !item.Active {
			return nil, apperr.BadInput("input.itemCode", "commitment item %s was withdrawn from the catalogue; it accepts no new commitments", item.Code)
		}
		t, err := commitmentMachine.transition(ctx, actionSign, "", item.DepartmentCode)
		if err != nil {
			return nil, err
		}
		c := hubdb.CommitmentRow{ItemCode: item.Code, USCC: in.USCC, Content: content, DepartmentCode: item.DepartmentCode,
			State: string(t.To), SignedAt: now}
		if c.ID, err = tx.Commitments().Sign(ctx, c); err != nil {
			return nil, err
		}
		c.SignedAt = now.Truncate(time.Microsecond) // as stored
		return CommitmentOf(&c), record(ctx, tx, WorkflowCommitment, c.ID, actionSign, "", t.To, "", now)
	})
}

// FulfilCommitment records that the commitment was kept.
func (s *Service) FulfilCommitment(ctx context.Context, id int64, reason string, key hubdb.Key) (*Commitment, error) {
	reason, err := optionalText("reason", reason, 1000)
	if err != nil {
		return nil, err
	}
	return s.decideCommitment(ctx, id, actionFulfil, "fulfilCommitment", reason, key, nil)
}

// BreachCommitment records a breach of the given dishonesty class; the
// entity gets a public COMMITMENT_BREACH record of that class.
func (s *Service) BreachCommitment(ctx context.Context, id int64, severity credit.Severity, reason string, key hubdb.Key) (*Commitment, error) {
	if !slices.Contains(credit.Severities, severity) {
		return nil, apperr.BadInput("severity", "severity must be MINOR, GENERAL or SERIOUS")
	}
	reason, err := needText("reason", reason, 1000)
	if err != nil {
		return nil, err
	}
	return s.decideCommitment(ctx, id, actionBreach, "breachCommitment", reason, key, &severity)
}

// FindCommitmentFalse records that the commitment was false; the entity
// gets a serious COMMITMENT_BREACH record.
func (s *Service) FindCommitmentFalse(ctx context.Context, id int64, reason string, key hubdb.Key) (*Commitment, error) {
	reason, err := needText("reason", reason, 1000)
	if err != nil {
		return nil, err
	}
	serious := credit.Serious
	return s.decideCommitment(ctx, id, actionFindFalse, "findCommitmentFalse", reason, key, &serious)
}

// decideCommitment makes one of the holding department's decisions: it
// locks the commitment (a concurrent decision gets CONFLICT), checks the
// transition, and writes the state, the history row and, for a breach or
// a false commitment, the credit record.
func (s *Service) decideCommitment(ctx context.Context, id int64, action, operation, reason string, key hubdb.Key, severity *credit.Severity) (*Commitment, error) {
	return transact(ctx, s, key, operation, func(tx *hubdb.DB, now time.Time) (*Commitment, error) {
		row, err := tx.Commitments().LockForDecision(ctx, id)
		if errors.Is(err, hubdb.ErrNotFound) {
			return nil, notFound("id", "commitment")
		}
		if err != nil {
			return nil, err
		}
		if _, err := commitmentMachine.transition(ctx, action, State(row.State), row.DepartmentCode); err != nil {
			return nil, err
		}
		if isDeclarationItem(row.ItemCode) {
			return nil, apperr.BadInput("id", "this is the truthfulness commitment of a declaration; decide the declaration (verifyDeclaration, findDeclarationFalse)")
		}
		return s.settleCommitment(ctx, tx, row, action, reason, severity, now)
	})
}

// settleCommitment writes a decision on a locked commitment whose
// transition the caller was allowed (decideCommitment; a declaration's
// verification, declaration.go): the state, the history row and, for a
// breach or a false commitment, the credit record. It refuses a state the
// action does not leave from.
func (s *Service) settleCommitment(ctx context.Context, tx *hubdb.DB, row hubdb.CommitmentRow, action, reason string, severity *credit.Severity, now time.Time) (*Commitment, error) {
	var t Transition
	for _, x := range commitmentMachine.Transitions {
		if x.Action == action {
			t = x
		}
	}
	if !slices.Contains(t.From, State(row.State)) {
		return nil, InvalidTransition(commitmentMachine.Name, State(row.State), action, t.From)
	}
	c := CommitmentOf(&row)
	c.State = CommitmentState(t.To)
	if severity != nil {
		c.Severity = severity
		var err error
		if c.RecordID, err = s.breachRecord(ctx, tx, c, reason, now); err != nil {
			return nil, err
		}
	}
	if err := tx.Commitments().Decide(ctx, c.DBID, string(c.State), c.Severity, c.RecordID); err != nil {
		return nil, err
	}
	return c, record(ctx, tx, WorkflowCommitment, c.DBID, action, State(row.State), t.To, reason, now)
}

// breachRecord writes the COMMITMENT_BREACH record of a breached or false
// commitment and returns its id. Its source is the holding department.
func (s *Service) breachRecord(ctx context.Context, tx *hubdb.DB, c *Commitment, reason string, now time.Time) (int64, error) {
	name := c.ItemCode
	item, err := tx.CommitmentItems().Get(ctx, c.ItemCode)
	switch {
	case err == nil:
		name = item.Name
	case !errors.Is(err, hubdb.ErrNotFound):
		return 0, err
	}
	falseCommitment := c.State == CommitmentFoundFalse
	summary := fmt.Sprintf("违背信用承诺（%s）：%s", name, reason)
	if falseCommitment {
		summary = fmt.Sprintf("虚假信用承诺（%s）：%s", name, reason)
	}
	return s.addRecord(ctx, tx, hubdb.HubRecordRow{Kind: credit.KindCommitmentBreach, SubjectUSCC: c.USCC,
		Department: c.DepartmentCode, DecisionDate: now, Summary: summary, Severity: c.Severity,
		Detail: hubdb.Detail{CommitmentID: c.ID(), Item: c.ItemCode, FalseCommitment: falseCommitment}, CreatedAt: now})
}

// CommitmentFilter selects commitments; zero fields select all. The page
// is keyset by id, newest first: Before is the last id of the previous page.
type CommitmentFilter struct {
	USCC       string
	ItemCode   string
	State      CommitmentState
	Department string
	Before     int64
	Limit      int
}

// Commitments returns a page of commitments, newest first.
func (s *Service) Commitments(ctx context.Context, f CommitmentFilter) ([]*Commitment, error) {
	rows, err := s.DB.Commitments().Find(ctx, hubdb.CommitmentFilter{USCC: f.USCC, ItemCode: f.ItemCode, State: string(f.State),
		Department: f.Department, Before: f.Before, Limit: f.Limit})
	return mapRows(rows, CommitmentOf), err
}
