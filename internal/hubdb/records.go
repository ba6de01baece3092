package hubdb

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"credithub/internal/credit"
	"credithub/internal/scalars"
)

// HubRecordRow is a row of hub_record: a credit record the hub itself
// creates (a breach, an interview, a listing of an entity or of one of its
// responsible persons, an agency's monitoring finding a department
// accepted, a double-random inspection's result), of an entity (SubjectUSCC) or of a person
// (SubjectIDNo, SubjectName). Its source is the identifying department.
// DecisionDate reads and writes as ListEntryRow's dates do. CreatedAt is
// when the transition that created it ran (written, not read back).
type HubRecordRow struct {
	ID           int64            `db:"id"`
	Kind         credit.Kind      `db:"kind"`
	SubjectUSCC  string           `db:"subject_uscc"`
	SubjectIDNo  string           `db:"subject_id_no"`
	SubjectName  string           `db:"subject_name"`
	Department   string           `db:"department"`
	DecisionNo   *string          `db:"decision_no"`
	DecisionDate time.Time        `db:"decision_date"`
	Summary      string           `db:"summary"`
	Severity     *credit.Severity `db:"severity"`
	Status       credit.Status    `db:"status"`
	Detail       Detail           `db:"detail"`
	CreatedAt    time.Time        `db:"created_at"`
}

// Detail is what a hub record carries besides the common fields (the
// detail column, JSON).
type Detail struct {
	CommitmentID    string               `json:"commitmentId,omitempty"`
	Item            string               `json:"item,omitempty"`
	FalseCommitment bool                 `json:"falseCommitment,omitempty"`
	InterviewType   credit.InterviewType `json:"interviewType,omitempty"`
	ListType        credit.ListType      `json:"listType,omitempty"`
	ListEntryID     string               `json:"listEntryId,omitempty"`
	Role            *credit.Role         `json:"role,omitempty"`
	Domain          string               `json:"domain,omitempty"`
	// A market ban's days (T21), on its entity's and persons' records.
	BanStart *scalars.Date `json:"banStart,omitempty"`
	BanEnd   *scalars.Date `json:"banEnd,omitempty"`
	// Agency and FindingID: the agency whose monitoring finding this
	// record is, and the finding's global ID.
	Agency    string `json:"agency,omitempty"`
	FindingID string `json:"findingId,omitempty"`
	// An inspection's result (kind INSPECTION): the plan that drew the
	// entity, the result as the department words it, and the day the hub
	// published it (the day it was recorded).
	PlanID      string             `json:"planId,omitempty"`
	Result      string             `json:"result,omitempty"`
	Passed      bool               `json:"passed,omitempty"`
	Findings    InspectionFindings `json:"findings,omitempty"`
	PublishedOn *scalars.Date      `json:"publishedOn,omitempty"`
	// A self-declared record (kind SELF_DECLARATION, T11): the declaration
	// (global ID), its kind and title, the truthfulness commitment (in
	// CommitmentID) and the named department's verification (DECLARED
	// until it decides).
	DeclarationID   string `json:"declarationId,omitempty"`
	DeclarationKind string `json:"declarationKind,omitempty"`
	Title           string `json:"title,omitempty"`
	Verification    string `json:"verification,omitempty"`
	// A member's record kept by its industry association (kinds
	// ASSOCIATION_DISCIPLINE and ASSOCIATION_RECORD, T29; the row's
	// department is the association's code): the association's name, the
	// membership (global ID), the record's category and, of a
	// self-discipline measure, the measure; its title in Title.
	AssociationName string `json:"associationName,omitempty"`
	MembershipID    string `json:"membershipId,omitempty"`
	Category        string `json:"category,omitempty"`
	Measure         string `json:"measure,omitempty"`
}

// Value writes the detail as JSON.
func (d Detail) Value() (driver.Value, error) { return json.Marshal(d) }

// Scan reads the detail from its JSON.
func (d *Detail) Scan(src any) error { return scanJSON(src, d, "a hub record's detail") }

// scanJSON reads a jsonb column into v; what names the column in an error.
func scanJSON(src, v any, what string) error {
	b, ok := src.([]byte)
	if !ok {
		return fmt.Errorf("%s: %T is not JSON", what, src)
	}
	return json.Unmarshal(b, v)
}

// HubRecordStore keeps the hub's own credit records.
type HubRecordStore interface {
	// Add writes a new record (its ID and Status are ignored: a new record
	// is in force) created at CreatedAt and returns its id.
	Add(ctx context.Context, r HubRecordRow) (int64, error)
	// EndListing sets the status of the records in force that a listing
	// created (LISTING and KEY_ATTENTION records naming the list entry
	// listEntryID, a global ID) and returns them (id, kind and subject).
	EndListing(ctx context.Context, listEntryID string, status credit.Status) ([]HubRecordRow, error)
	// OfListing returns the records in force that a listing created (id,
	// kind and subject).
	OfListing(ctx context.Context, listEntryID string) ([]HubRecordRow, error)
	// SetVerification writes a SELF_DECLARATION record's verification
	// (VERIFIED, FOUND_FALSE) and status.
	SetVerification(ctx context.Context, id int64, verification string, status credit.Status) error
	// SetDeclaration writes a SELF_DECLARATION record's declaration.
	SetDeclaration(ctx context.Context, id int64, declarationID string) error
}

// HubRecords returns the hub's own credit records.
func (d *DB) HubRecords() HubRecordStore { return hubRecords{d} }

type hubRecords struct{ d *DB }

func (s hubRecords) Add(ctx context.Context, r HubRecordRow) (int64, error) {
	var id int64
	err := s.d.get(ctx, &id, `INSERT INTO hub_record (kind, subject_uscc, subject_id_no, subject_name, department,
			decision_no, decision_date, summary, severity, detail, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		r.Kind, r.SubjectUSCC, r.SubjectIDNo, r.SubjectName, r.Department, r.DecisionNo, day(r.DecisionDate), r.Summary, r.Severity, r.Detail,
		r.CreatedAt)
	return id, err
}

func (s hubRecords) EndListing(ctx context.Context, listEntryID string, status credit.Status) ([]HubRecordRow, error) {
	var rows []HubRecordRow
	err := s.d.sel(ctx, &rows, `UPDATE hub_record SET status = $2
		WHERE detail->>'listEntryId' = $1 AND kind IN ('LISTING', 'KEY_ATTENTION') AND status = 'EFFECTIVE'
		RETURNING id, kind, subject_uscc, subject_id_no`, listEntryID, status)
	return rows, err
}

func (s hubRecords) OfListing(ctx context.Context, listEntryID string) ([]HubRecordRow, error) {
	var rows []HubRecordRow
	err := s.d.sel(ctx, &rows, `SELECT id, kind, subject_uscc, subject_id_no FROM hub_record
		WHERE detail->>'listEntryId' = $1 AND kind IN ('LISTING', 'KEY_ATTENTION') AND status = 'EFFECTIVE' ORDER BY id`, listEntryID)
	return rows, err
}
