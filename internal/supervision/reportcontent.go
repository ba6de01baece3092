package supervision

// What a credit report says (T7, T30): its content, the exact bytes that
// are hashed and signed (reportsigning.go), and its number.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"credithub/internal/gid"
	"credithub/internal/scalars"
)

// ReportFormat names the layout of a report's content; it changes when the
// layout does, so that a verifier knows what it reads.
const ReportFormat = "credithub.credit-report/1"

// ReportIssuer is who issues reports: the city credit office.
const ReportIssuer = "黑河市社会信用体系建设领导小组办公室"

// ReportContent is what a report says. Its JSON (EncodeContent) is the
// content that is hashed and signed, byte for byte; every list is present
// (empty rather than null), so that two reports on the same facts read the
// same.
type ReportContent struct {
	Format   string    `json:"format"`
	Number   string    `json:"number"`
	IssuedAt time.Time `json:"issuedAt"`
	Issuer   string    `json:"issuer"`
	// IssuedTo is the caller: kind and organisation.
	IssuedTo string       `json:"issuedTo"`
	Purpose  string       `json:"purpose"`
	Entity   ReportEntity `json:"entity"`
	// ResponsiblePersons are the legal representative, principal and
	// actual controller with their names (public) and, only when the
	// caller may read personal data, their ID numbers (else masked).
	ResponsiblePersons []ReportPerson `json:"responsiblePersons"`
	// Listings are the list entries in force (joint punishment, market
	// bans; key attention only for callers who see shared information).
	Listings []ReportListing `json:"listings"`
	// Records are the records in force (not expired, repaired or revoked)
	// the caller may see, newest first.
	Records []ReportRecord `json:"records"`
	// Grade is present only for callers who may see grades (entity:read).
	Grade *Grade `json:"grade,omitempty"`
	// Complete is false when a department did not answer: the report may
	// then miss records, and MissingSources names the departments.
	Complete       bool        `json:"complete"`
	MissingSources []string    `json:"missingSources"`
	Scope          ReportScope `json:"scope"`
}

// ReportScope says what the report covers for the caller it was issued to.
type ReportScope struct {
	// Publicities are the record publicities included (PUBLIC, SHARED).
	Publicities []string `json:"publicities"`
	// Grade says whether the caller's report carries the grade.
	Grade bool `json:"grade"`
	// PersonalData says whether it carries personal data (ID numbers).
	PersonalData bool     `json:"personalData"`
	Notes        []string `json:"notes"`
}

// ReportEntity is the entity's public registry facts.
type ReportEntity struct {
	USCC                  string          `json:"uscc"`
	LegacyCode            bool            `json:"legacyCode"`
	Name                  string          `json:"name"`
	Kind                  string          `json:"kind"`
	Status                string          `json:"status"`
	OrganizationCode      string          `json:"organizationCode"`
	RegistrationNumber    *string         `json:"registrationNumber"`
	RegisteredAt          string          `json:"registeredAt"`
	RegisteredCapitalYuan *string         `json:"registeredCapitalYuan"`
	Address               string          `json:"address"`
	Division              *ReportDivision `json:"division"`
	Industry              *string         `json:"industry"`
	LegalRepresentative   string          `json:"legalRepresentative"`
}

// ReportDivision is an administrative division.
type ReportDivision struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// ReportPerson is a responsible person of the entity.
type ReportPerson struct {
	Role string `json:"role"`
	Name string `json:"name"`
	// IDNumber is masked (first and last characters) unless IDNumberFull.
	IDNumber     string `json:"idNumber"`
	IDNumberFull bool   `json:"idNumberFull"`
}

// ReportListing is a list entry in force.
type ReportListing struct {
	ID         string  `json:"id"`
	ListType   string  `json:"listType"`
	Domain     *string `json:"domain"`
	Department string  `json:"department"`
	Basis      string  `json:"basis"`
	EnteredOn  string  `json:"enteredOn"`
	RectifyBy  *string `json:"rectifyBy"`
	BanStart   *string `json:"banStart"`
	BanEnd     *string `json:"banEnd"`
	Permanent  bool    `json:"permanent"`
	Publicity  string  `json:"publicity"`
}

// ReportRecord is a credit record in force.
type ReportRecord struct {
	ID           string  `json:"id"`
	Kind         string  `json:"kind"`
	Source       string  `json:"source"`
	SourceName   string  `json:"sourceName"`
	DecisionNo   *string `json:"decisionNo"`
	DecisionDate string  `json:"decisionDate"`
	Summary      string  `json:"summary"`
	Authority    *string `json:"authority"`
	Publicity    string  `json:"publicity"`
	Status       string  `json:"status"`
	Severity     *string `json:"severity"`
}

// EncodeContent returns the exact bytes of a report's content: compact
// JSON, Chinese as UTF-8 (no HTML escaping), no trailing newline.
func EncodeContent(c *ReportContent) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ReportNumber formats a report number, CR-YYYYMMDD-NNNNNN: the issue day
// in China and the sequence number (more digits once it passes 999999).
func ReportNumber(issuedAt time.Time, seq int64) string {
	return fmt.Sprintf("CR-%s-%06d", issuedAt.In(scalars.CST).Format("20060102"), seq)
}

// ListingID is a list entry's global ID (as workflow.EncodeID writes it).
func ListingID(id int64) string { return gid.Encode("ListEntry", strconv.FormatInt(id, 10)) }

// listingPublicity is how open a list entry is: key-attention lists are
// shared among departments, the others public (T14, T21).
func listingPublicity(listType string) string {
	if listType == "KEY_ATTENTION" {
		return "SHARED"
	}
	return "PUBLIC"
}
