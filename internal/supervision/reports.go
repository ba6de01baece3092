package supervision

// Credit reports (T7, T30): what a report says, how it is numbered, signed
// and stored, and how a report handed back is checked. The signing itself
// is report.go's; the facts are gathered by the resolver (they come from the
// fan-out and depend on the caller), this file turns them into the exact
// bytes that are hashed and signed.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

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

// KeyID names a report key by its public half: "rk-" and the first 12 hex
// digits of its SHA-256. A verifier holding several keys picks by it.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return "rk-" + hex.EncodeToString(h[:6])
}

// Issued is a report as issued and stored (credit_report).
type Issued struct {
	Number        string    `db:"number"`
	USCC          string    `db:"uscc"`
	Purpose       string    `db:"purpose"`
	IssuedAt      time.Time `db:"issued_at"`
	IssuedTo      string    `db:"issued_to"`
	Content       string    `db:"content"`
	ContentSHA256 string    `db:"content_sha256"`
	Signature     string    `db:"signature"`
	KeyID         string    `db:"key_id"`
}

// Reports issues reports into the hub's database and checks reports handed
// back.
type Reports struct {
	DB     *sqlx.DB
	Signer *Signer
	// Now is the clock (tests set it).
	Now func() time.Time
}

func (s *Reports) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Issue numbers c, dates it, signs its exact JSON and stores it, in one
// statement after the number is drawn. The issue time is kept to the
// microsecond (what PostgreSQL stores), in UTC, so that the signed time and
// the stored one are the same instant written the same way.
func (s *Reports) Issue(ctx context.Context, c *ReportContent) (*Issued, error) {
	var seq int64
	if err := s.DB.GetContext(ctx, &seq, `SELECT nextval('credit_report_seq')`); err != nil {
		return nil, fmt.Errorf("drawing a report number: %w", err)
	}
	at := s.now().UTC().Truncate(time.Microsecond)
	c.Format, c.Issuer = ReportFormat, ReportIssuer
	c.Number, c.IssuedAt = ReportNumber(at, seq), at
	content, err := EncodeContent(c)
	if err != nil {
		return nil, err
	}
	hash, sig := s.Signer.Sign(c.Number, at, content)
	r := &Issued{
		Number: c.Number, USCC: c.Entity.USCC, Purpose: c.Purpose, IssuedAt: at, IssuedTo: c.IssuedTo,
		Content: string(content), ContentSHA256: hash, Signature: sig, KeyID: s.Signer.KeyID,
	}
	if _, err := s.DB.NamedExecContext(ctx, `INSERT INTO credit_report
		(number, uscc, purpose, issued_at, issued_to, content, content_sha256, signature, key_id)
		VALUES (:number, :uscc, :purpose, :issued_at, :issued_to, :content, :content_sha256, :signature, :key_id)`, r); err != nil {
		return nil, fmt.Errorf("storing report %s: %w", c.Number, err)
	}
	return r, nil
}

// Find returns the report the hub issued with a number; nil when none. The
// content it returns is the stored copy (jsonb: the same JSON value, not
// necessarily the same bytes — the hash is what binds the bytes).
func (s *Reports) Find(ctx context.Context, number string) (*Issued, error) {
	var r Issued
	err := s.DB.GetContext(ctx, &r, `SELECT number, uscc, purpose, issued_at, issued_to, content::text AS content,
		content_sha256, signature, key_id FROM credit_report WHERE number = $1`, number)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Verification is the answer to "is this report genuine and unchanged?".
type Verification struct {
	Genuine bool
	// Reason says why not; empty when genuine.
	Reason string
	// IssuedByHub says whether the hub holds a report with the number.
	IssuedByHub bool
}

// Presented is a report as someone hands it back: the four things the
// signature binds.
type Presented struct {
	Number    string    `json:"number"`
	IssuedAt  time.Time `json:"issuedAt"`
	Content   string    `json:"content"`
	Signature string    `json:"signature"`
}

// Check verifies a presented report against the hub's public key and, to
// say what was changed, the hub's own copy.
func (s *Reports) Check(ctx context.Context, p Presented) (Verification, error) {
	stored, err := s.Find(ctx, p.Number)
	if err != nil {
		return Verification{}, err
	}
	return CheckReport(s.Signer.Public(), stored, p), nil
}

// CheckReport verifies a presented report against pub. The signature alone
// decides whether it is genuine; stored (the hub's copy with that number,
// nil when the hub has none or is not asked) only explains a failure: a
// changed content, a changed time, or a signature that is not the hub's.
func CheckReport(pub ed25519.PublicKey, stored *Issued, p Presented) Verification {
	v := Verification{IssuedByHub: stored != nil}
	sig, err := base64.StdEncoding.DecodeString(p.Signature)
	sigWellFormed := err == nil && len(sig) == ed25519.SignatureSize
	if sigWellFormed && Verify(pub, p.Number, p.IssuedAt, []byte(p.Content), p.Signature) == nil {
		v.Genuine = true
		return v
	}
	hash := ContentHash([]byte(p.Content))
	switch {
	case stored == nil && !sigWellFormed:
		v.Reason = fmt.Sprintf("unknown number: the hub issued no report numbered %q, and the signature is not base64 of a %d-byte Ed25519 signature", clipArg(p.Number), ed25519.SignatureSize)
	case stored == nil:
		v.Reason = fmt.Sprintf("unknown number: the hub issued no report numbered %q, and the signature does not verify with the hub's report key", clipArg(p.Number))
	case stored.ContentSHA256 != hash:
		v.Reason = fmt.Sprintf("content changed: its SHA-256 is %s, the report the hub issued as %s has %s", hash, stored.Number, stored.ContentSHA256)
	case !stored.IssuedAt.Equal(p.IssuedAt):
		v.Reason = fmt.Sprintf("issue time changed: the hub issued %s at %s", stored.Number, stored.IssuedAt.UTC().Format(time.RFC3339Nano))
	case !sigWellFormed:
		v.Reason = fmt.Sprintf("signature invalid: it is not base64 of a %d-byte Ed25519 signature", ed25519.SignatureSize)
	default:
		v.Reason = "signature invalid: it is not the hub's signature of this number, issue time and content"
	}
	return v
}

// CheckOffline verifies a presented report with the public key alone, as a
// holder of the report does without asking the hub: it tells whether the
// report is genuine, not what was changed.
func CheckOffline(pub ed25519.PublicKey, p Presented) Verification {
	if Verify(pub, p.Number, p.IssuedAt, []byte(p.Content), p.Signature) == nil {
		return Verification{Genuine: true}
	}
	return Verification{Reason: "signature invalid: the number, issue time, content or signature was changed, or another key signed it"}
}

// ListingID is a list entry's global ID (as workflow.EncodeID writes it).
func ListingID(id int64) string { return gid.Encode("ListEntry", strconv.FormatInt(id, 10)) }

// ListingsInForce returns the entity's list entries in force: listed, and
// for market bans not past their end.
func ListingsInForce(ctx context.Context, db sqlx.QueryerContext, uscc string, today scalars.Date) ([]ReportListing, error) {
	var rows []struct {
		ID         int64   `db:"id"`
		ListType   string  `db:"list_type"`
		Domain     *string `db:"domain"`
		Department string  `db:"department"`
		Basis      string  `db:"basis"`
		EnteredOn  string  `db:"entered_on"`
		RectifyBy  *string `db:"rectify_by"`
		BanStart   *string `db:"ban_start"`
		BanEnd     *string `db:"ban_end"`
		Permanent  bool    `db:"permanent"`
	}
	err := sqlx.SelectContext(ctx, db, &rows, `SELECT id, list_type, domain, department, basis,
		to_char(entered_on, 'YYYY-MM-DD') AS entered_on, to_char(rectify_by, 'YYYY-MM-DD') AS rectify_by,
		to_char(ban_start, 'YYYY-MM-DD') AS ban_start, to_char(ban_end, 'YYYY-MM-DD') AS ban_end, permanent
		FROM list_entry
		WHERE uscc = $1 AND state = 'LISTED' AND (list_type <> 'MARKET_BAN' OR permanent OR ban_end IS NULL OR ban_end >= $2::date)
		ORDER BY entered_on DESC, id DESC`, uscc, today.String())
	if err != nil {
		return nil, err
	}
	out := make([]ReportListing, 0, len(rows))
	for _, r := range rows {
		out = append(out, ReportListing{
			ID: ListingID(r.ID), ListType: r.ListType, Domain: r.Domain, Department: r.Department, Basis: r.Basis,
			EnteredOn: r.EnteredOn, RectifyBy: r.RectifyBy, BanStart: r.BanStart, BanEnd: r.BanEnd, Permanent: r.Permanent,
			Publicity: listingPublicity(r.ListType),
		})
	}
	return out, nil
}

// listingPublicity is how open a list entry is: key-attention lists are
// shared among departments, the others public (T14, T21).
func listingPublicity(listType string) string {
	if listType == "KEY_ATTENTION" {
		return "SHARED"
	}
	return "PUBLIC"
}

// clipArg keeps a hostile argument from filling a message.
func clipArg(s string) string {
	r := []rune(s)
	if len(r) <= 40 {
		return s
	}
	return string(r[:40]) + "…"
}
