package workflow

// Self-declared information (自我声明, T11: 鼓励市场主体自愿注册资质证照、
// 市场经营、合同履约、社会公益等信用信息，并公开作出信用承诺). An entity signed
// in as itself declares information about itself — a qualification, a
// licence held elsewhere, contract performance, public-welfare activity, an
// honour — and, in the same transaction, signs a truthfulness commitment
// (commitment.go) held by the department it names as able to verify it:
//
//	declare     —         → DECLARED     the entity itself         declaration:write
//	verify      DECLARED  → VERIFIED     the named department      declaration:verify
//	findFalse   DECLARED  → FOUND_FALSE  the named department      declaration:verify
//
// What each writes, besides the declaration's row and a history row:
//
//	declare    a SIGNED commitment on the department's self-declaration
//	           item (SD-<department>, inactive: signCommitment takes none)
//	           and the SELF_DECLARATION record of the entity, public, its
//	           source the entity itself (credit.SelfDeclared), never a
//	           department's decision
//	verify     the commitment FULFILLED; the record's verification VERIFIED
//	findFalse  the commitment FOUND_FALSE through the commitment machine,
//	           hence its serious COMMITMENT_BREACH record (falseCommitment);
//	           the record's verification FOUND_FALSE and the record REVOKED
//
// The commitment of a declaration is decided only through its declaration:
// fulfilCommitment, breachCommitment and findCommitmentFalse refuse it.
// Declarations are public, as the commitments are (T3).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// WorkflowDeclaration names the declarations' machine in workflow_history.
const WorkflowDeclaration = "declaration"

// TypeDeclaration is a declaration's type in its global ID.
const TypeDeclaration = "Declaration"

// declarationItemPrefix begins the code of a department's self-declaration
// commitment item (migration 00031).
const declarationItemPrefix = "SD-"

// DeclarationKind is what an entity declares.
type DeclarationKind string

// DeclarationState is where a declaration stands.
type DeclarationState State

// The kinds of declaration and the states.
const (
	DeclarationQualification       DeclarationKind = "QUALIFICATION"
	DeclarationLicence             DeclarationKind = "LICENCE"
	DeclarationContractPerformance DeclarationKind = "CONTRACT_PERFORMANCE"
	DeclarationPublicWelfare       DeclarationKind = "PUBLIC_WELFARE"
	DeclarationHonour              DeclarationKind = "HONOUR"

	DeclarationDeclared   DeclarationState = "DECLARED"
	DeclarationVerified   DeclarationState = "VERIFIED"
	DeclarationFoundFalse DeclarationState = "FOUND_FALSE"
)

// DeclarationKinds lists the kinds, in the schema's order.
var DeclarationKinds = []DeclarationKind{DeclarationQualification, DeclarationLicence, DeclarationContractPerformance,
	DeclarationPublicWelfare, DeclarationHonour}

var declarationKindNames = map[DeclarationKind]string{
	DeclarationQualification: "资质证照", DeclarationLicence: "异地许可", DeclarationContractPerformance: "合同履约",
	DeclarationPublicWelfare: "社会公益", DeclarationHonour: "荣誉表彰",
}

func (k DeclarationKind) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(k)) }
func (k *DeclarationKind) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "DeclarationKind", DeclarationKinds, k)
}
func (s DeclarationState) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(s)) }
func (s *DeclarationState) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "DeclarationState", []DeclarationState{DeclarationDeclared, DeclarationVerified, DeclarationFoundFalse}, s)
}

// The declaration's actions.
const (
	actionDeclare = "declare"
	actionVerify  = "verify"
)

var declarationMachine = Machine{Name: WorkflowDeclaration, Transitions: []Transition{
	{Action: actionDeclare, To: State(DeclarationDeclared), Scope: auth.ScopeDeclarationWrite},
	{Action: actionVerify, From: []State{State(DeclarationDeclared)}, To: State(DeclarationVerified), Scope: auth.ScopeDeclarationVerify, Owner: Department},
	{Action: actionFindFalse, From: []State{State(DeclarationDeclared)}, To: State(DeclarationFoundFalse), Scope: auth.ScopeDeclarationVerify, Owner: Department},
}}

// Declaration is information an entity declared about itself.
type Declaration struct {
	DBID           int64
	USCC           string
	Kind           DeclarationKind
	Title          string
	Content        string
	DepartmentCode string
	CommitmentDBID int64
	HubRecordID    int64
	DeclaredAt     time.Time
	State          DeclarationState
	DecidedAt      *time.Time
	DecisionReason *string
}

func (d *Declaration) ID() string                     { return EncodeID(TypeDeclaration, d.DBID) }
func (d *Declaration) GetID() string                  { return d.ID() }
func (d *Declaration) IsNode()                        {}
func (d *Declaration) Department() *credit.Department { return department(d.DepartmentCode) }

// SelfDeclared is always true: a declaration is the entity's word.
func (d *Declaration) SelfDeclared() bool { return true }

// DataSubject is the entity the declaration is about.
func (d *Declaration) DataSubject() (string, string) { return d.USCC, "" }

// RecordGlobalID is the global ID of the SELF_DECLARATION record.
func (d *Declaration) RecordGlobalID() string {
	return gid.Record(credit.Ref{Source: hubdb.Source, Kind: credit.KindSelfDeclaration, LocalID: d.HubRecordID})
}

// DeclarationOf maps a stored declaration.
func DeclarationOf(r *hubdb.DeclarationRow) *Declaration {
	return &Declaration{DBID: r.ID, USCC: r.USCC, Kind: DeclarationKind(r.Kind), Title: r.Title, Content: r.Content,
		DepartmentCode: r.DepartmentCode, CommitmentDBID: r.CommitmentID, HubRecordID: r.HubRecordID, DeclaredAt: r.DeclaredAt,
		State: DeclarationState(r.State), DecidedAt: r.DecidedAt, DecisionReason: r.DecisionReason}
}

// DeclareInput is what an entity declares; USCC is the caller's own code.
type DeclareInput struct {
	USCC       string
	Kind       DeclarationKind
	Title      string
	Content    string
	Department string
	// Commitment is the truthfulness commitment's wording.
	Commitment string
}

// Declare records a declaration by the entity signed in as itself, its
// truthfulness commitment and its SELF_DECLARATION record.
func (s *Service) Declare(ctx context.Context, in DeclareInput, key hubdb.Key) (*Declaration, error) {
	if err := needScope(ctx, &declarationMachine, actionDeclare); err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	if !p.IsEntity(in.USCC) {
		return nil, apperr.New(apperr.Forbidden, "only the entity itself, signed in as itself, declares information about itself")
	}
	if !slices.Contains(DeclarationKinds, in.Kind) {
		return nil, apperr.BadInput("input.kind", "kind must be one of QUALIFICATION, LICENCE, CONTRACT_PERFORMANCE, PUBLIC_WELFARE, HONOUR")
	}
	title, err := needText("input.title", in.Title, 200)
	if err != nil {
		return nil, err
	}
	content, err := needText("input.content", in.Content, 2000)
	if err != nil {
		return nil, err
	}
	promise, err := needText("input.commitment", in.Commitment, 2000)
	if err != nil {
		return nil, err
	}
	return transact(ctx, s, key, "declare", func(tx *hubdb.DB, now time.Time) (*Declaration, error) {
		item, err := tx.CommitmentItems().Get(ctx, declarationItemPrefix+strings.ToUpper(in.Department))
		if errors.Is(err, hubdb.ErrNotFound) || (err == nil && item.DepartmentCode != in.Department) {
			return nil, apperr.BadInput("input.department", "department %q verifies no declarations; name market, environment, fire or housing", in.Department)
		}
		if err != nil {
			return nil, err
		}
		t, err := declarationMachine.transition(ctx, actionDeclare, "", in.Department)
		if err != nil {
			return nil, err
		}
		c := hubdb.CommitmentRow{ItemCode: item.Code, USCC: in.USCC, Content: promise, DepartmentCode: item.DepartmentCode,
			State: string(CommitmentSigned), SignedAt: now}
		if c.ID, err = tx.Commitments().Sign(ctx, c); err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowCommitment, c.ID, actionSign, "", State(CommitmentSigned), "", now); err != nil {
			return nil, err
		}
		// The record is written before the declaration (the declaration
		// points at it), its declaration id filled in right after.
		recID, err := s.addRecord(ctx, tx, hubdb.HubRecordRow{Kind: credit.KindSelfDeclaration, SubjectUSCC: in.USCC,
			Department: item.DepartmentCode, DecisionDate: now,
			Summary: fmt.Sprintf("自我声明（%s）：%s", declarationKindNames[in.Kind], title),
			Detail: hubdb.Detail{CommitmentID: EncodeID(TypeCommitment, c.ID), Item: item.Code, DeclarationKind: string(in.Kind),
				Title: title, Verification: string(DeclarationDeclared)}, CreatedAt: now})
		if err != nil {
			return nil, err
		}
		row, err := tx.Declarations().Add(ctx, hubdb.DeclarationRow{USCC: in.USCC, Kind: string(in.Kind), Title: title, Content: content,
			DepartmentCode: item.DepartmentCode, CommitmentID: c.ID, HubRecordID: recID, DeclaredAt: now, DeclaredBy: actorName(ctx),
			State: string(t.To)})
		if err != nil {
			return nil, err
		}
		if err := tx.HubRecords().SetDeclaration(ctx, recID, EncodeID(TypeDeclaration, row.ID)); err != nil {
			return nil, err
		}
		return DeclarationOf(&row), record(ctx, tx, WorkflowDeclaration, row.ID, actionDeclare, "", t.To, "", now)
	})
}

// VerifyDeclaration records that the named department verified the
// declaration: its commitment is fulfilled.
func (s *Service) VerifyDeclaration(ctx context.Context, id int64, reason string, key hubdb.Key) (*Declaration, error) {
	reason, err := optionalText("reason", reason, 1000)
	if err != nil {
		return nil, err
	}
	return s.decideDeclaration(ctx, id, actionVerify, "verifyDeclaration", reason, key)
}

// FindDeclarationFalse records that the declaration is false: its
// commitment is found false (a serious COMMITMENT_BREACH record).
func (s *Service) FindDeclarationFalse(ctx context.Context, id int64, reason string, key hubdb.Key) (*Declaration, error) {
	reason, err := needText("reason", reason, 1000)
	if err != nil {
		return nil, err
	}
	return s.decideDeclaration(ctx, id, actionFindFalse, "findDeclarationFalse", reason, key)
}

func (s *Service) decideDeclaration(ctx context.Context, id int64, action, operation, reason string, key hubdb.Key) (*Declaration, error) {
	return transact(ctx, s, key, operation, func(tx *hubdb.DB, now time.Time) (*Declaration, error) {
		row, t, err := deciding(ctx, &declarationMachine, action, tx.Declarations(), "declaration", id,
			func(r hubdb.DeclarationRow) (State, string) { return State(r.State), r.DepartmentCode })
		if err != nil {
			return nil, err
		}
		c, err := tx.Commitments().LockForDecision(ctx, row.CommitmentID)
		if err != nil {
			return nil, err
		}
		status := credit.Effective
		var severity *credit.Severity
		commitmentAction := actionFulfil
		if action == actionFindFalse {
			serious := credit.Serious
			severity, commitmentAction, status = &serious, actionFindFalse, credit.Revoked
		}
		if _, err := s.settleCommitment(ctx, tx, c, commitmentAction, reason, severity, now); err != nil {
			return nil, err
		}
		if err := tx.HubRecords().SetVerification(ctx, row.HubRecordID, string(t.To), status); err != nil {
			return nil, err
		}
		// The agencies' feed hears of the record's new standing.
		ref := credit.Ref{Source: hubdb.Source, Kind: credit.KindSelfDeclaration, LocalID: row.HubRecordID}
		if err := s.feed(ctx, tx, recordChange(hubdb.ChangeRecord, hubdb.ActionChanged, ref, 0, row.USCC, "")); err != nil {
			return nil, err
		}
		out, err := tx.Declarations().Decide(ctx, row.ID, string(t.To), now, actorName(ctx), reason)
		if err != nil {
			return nil, err
		}
		return DeclarationOf(&out), record(ctx, tx, WorkflowDeclaration, row.ID, action, State(row.State), t.To, reason, now)
	})
}

// DeclarationFilter selects declarations; zero fields select all. After is
// the last id of the previous page (newest first).
type DeclarationFilter struct {
	USCC       string
	Department string
	State      DeclarationState
	Kind       DeclarationKind
	After      int64
	Limit      int
}

// Declarations returns a page of declarations, newest first, in one
// statement.
func (s *Service) Declarations(ctx context.Context, f DeclarationFilter) ([]*Declaration, error) {
	rows, err := s.DB.Declarations().Find(ctx, hubdb.DeclarationFilter{USCC: f.USCC, Department: f.Department,
		State: string(f.State), Kind: string(f.Kind), After: f.After, Limit: f.Limit})
	return mapRows(rows, DeclarationOf), err
}

// Declaration returns declaration id; nil when there is none.
func (s *Service) Declaration(ctx context.Context, id int64) (*Declaration, error) {
	row, err := s.DB.Declarations().Get(ctx, id)
	if errors.Is(err, hubdb.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return DeclarationOf(&row), nil
}

// isDeclarationItem says whether a commitment item is a department's
// self-declaration item, whose commitments only their declarations decide.
func isDeclarationItem(code string) bool { return strings.HasPrefix(code, declarationItemPrefix) }
