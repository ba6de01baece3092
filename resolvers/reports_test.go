package resolvers_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/ident"
)

const creditReportQuery = `query Report($u: ID!, $p: ReportPurpose!) {
  creditReport(uscc: $u, purpose: $p) { number uscc purpose issuedAt issuedTo content contentSha256 signature keyId publicKey }
}`

const verifyQuery = `query($in: VerifyReportInput!) { verifyCreditReport(input: $in) { genuine reason issuedByHub } }`

// reportContent is the part of a report's content the tests read.
type reportContent struct {
	Number   string `json:"number"`
	IssuedAt string `json:"issuedAt"`
	Purpose  string `json:"purpose"`
	Entity   struct {
		USCC string `json:"uscc"`
		Name string `json:"name"`
	} `json:"entity"`
	ResponsiblePersons []struct {
		Role         string `json:"role"`
		Name         string `json:"name"`
		IDNumber     string `json:"idNumber"`
		IDNumberFull bool   `json:"idNumberFull"`
	} `json:"responsiblePersons"`
	Records []struct {
		Kind      string `json:"kind"`
		Publicity string `json:"publicity"`
		Status    string `json:"status"`
	} `json:"records"`
	Grade *struct {
		Grade string `json:"grade"`
	} `json:"grade"`
	Complete bool `json:"complete"`
	Scope    struct {
		Publicities  []string `json:"publicities"`
		Grade        bool     `json:"grade"`
		PersonalData bool     `json:"personalData"`
	} `json:"scope"`
}

func issueReport(t *testing.T, h *apptest.Hub, headers map[string]string, uscc, purpose string) (map[string]any, reportContent) {
	t.Helper()
	d := h.QueryAs(t, headers, creditReportQuery, map[string]any{"u": uscc, "p": purpose})
	rep := apptest.Get(d, "creditReport").(map[string]any)
	var c reportContent
	if err := json.Unmarshal([]byte(rep["content"].(string)), &c); err != nil {
		t.Fatalf("content is not JSON: %v", err)
	}
	return rep, c
}

// T7/T30: a report is numbered, timed, hashed over its exact content and
// signed; it verifies untouched, and any change to its content, number,
// time or signature is detected, for anyone who asks.
func TestCreditReportTamperingDetected(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	e := h.World.Entities[0] // a showcase: records in every department
	dept := apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeReportIssue, auth.ScopeEntityRead, auth.ScopeRecordRead)
	rep, c := issueReport(t, h, dept, e.USCC, "BIDDING")

	if !regexp.MustCompile(`^CR-\d{8}-\d{6,}$`).MatchString(rep["number"].(string)) || c.Number != rep["number"] {
		t.Errorf("number %v (content says %s)", rep["number"], c.Number)
	}
	sum := sha256.Sum256([]byte(rep["content"].(string)))
	if rep["contentSha256"] != hex.EncodeToString(sum[:]) {
		t.Errorf("contentSha256 %v is not the SHA-256 of the content", rep["contentSha256"])
	}
	issuedAt, _ := time.Parse(time.RFC3339Nano, rep["issuedAt"].(string))
	inContent, _ := time.Parse(time.RFC3339Nano, c.IssuedAt)
	if !issuedAt.Equal(inContent) || time.Since(issuedAt) > time.Minute {
		t.Errorf("issuedAt %v, content's %s", rep["issuedAt"], c.IssuedAt)
	}
	if c.Entity.USCC != e.USCC || c.Entity.Name != e.Name || c.Purpose != "BIDDING" || rep["issuedTo"] != "department:market" {
		t.Errorf("report on %+v for %s issued to %v", c.Entity, c.Purpose, rep["issuedTo"])
	}
	if len(c.Records) == 0 || c.Grade == nil || !c.Scope.Grade {
		t.Errorf("a department's report on a showcase entity has %d records and grade %v", len(c.Records), c.Grade)
	}
	for _, r := range c.Records {
		if r.Status == "EXPIRED" || r.Status == "REVOKED" || r.Status == "REPAIRED" {
			t.Errorf("a record no longer in force is in the report: %+v", r)
		}
	}
	for _, p := range c.ResponsiblePersons {
		if p.IDNumberFull || strings.Count(p.IDNumber, "*") < 8 {
			t.Errorf("a responsible person's ID number without person:read: %+v", p)
		}
	}
	var stored int
	if err := h.DBs["hub"].Get(&stored, `SELECT count(*) FROM credit_report WHERE number = $1 AND content_sha256 = $2`,
		rep["number"], rep["contentSha256"]); err != nil || stored != 1 {
		t.Fatalf("credit_report holds %d rows for the report: %v", stored, err)
	}

	content := rep["content"].(string)
	oneChar := strings.Replace(content, `"complete":`+jsonBool(c.Complete), `"complete":`+jsonBool(!c.Complete), 1)
	renamed := strings.Replace(content, e.Name, "X"+string([]rune(e.Name)[1:]), 1)
	sig := rep["signature"].(string)
	flipped := []byte(sig)
	if flipped[5] == 'A' {
		flipped[5] = 'B'
	} else {
		flipped[5] = 'A'
	}
	tests := []struct {
		name      string
		number    any
		issuedAt  string
		content   string
		signature string
		genuine   bool
		byHub     bool
		reason    string
	}{
		{"untouched", rep["number"], rep["issuedAt"].(string), content, sig, true, true, ""},
		{"the same instant written in China time", rep["number"], issuedAt.In(time.FixedZone("CST", 8*3600)).Format(time.RFC3339Nano), content, sig, true, true, ""},
		{"one character of the content", rep["number"], rep["issuedAt"].(string), oneChar, sig, false, true, "content changed"},
		{"the entity's name", rep["number"], rep["issuedAt"].(string), renamed, sig, false, true, "content changed"},
		{"the number", strings.Replace(rep["number"].(string), "CR-", "CR-1", 1), rep["issuedAt"].(string), content, sig, false, false, "unknown number"},
		{"the time", rep["number"], issuedAt.Add(time.Second).Format(time.RFC3339Nano), content, sig, false, true, "issue time changed"},
		{"the signature", rep["number"], rep["issuedAt"].(string), content, string(flipped), false, true, "signature invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Anyone may ask: the anonymous public here.
			d := h.Query(t, verifyQuery, map[string]any{"in": map[string]any{
				"number": tc.number, "issuedAt": tc.issuedAt, "content": tc.content, "signature": tc.signature}})
			v := apptest.Get(d, "verifyCreditReport").(map[string]any)
			reason, _ := v["reason"].(string)
			if v["genuine"] != tc.genuine || v["issuedByHub"] != tc.byHub || !strings.HasPrefix(reason, tc.reason) || (tc.genuine && v["reason"] != nil) {
				t.Fatalf("verifyCreditReport = %v, want genuine %v, issuedByHub %v, reason %q…", v, tc.genuine, tc.byHub, tc.reason)
			}
		})
	}
}

func jsonBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// A report never carries more than its caller may see: no grade without
// entity:read, no shared records without record:read, and no report at all
// without report:issue.
func TestCreditReportFollowsTheCallersRights(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	e := h.World.Entities[0]
	agency := apptest.As(t, auth.KindAgency, "agency-001", "", auth.ScopeReportIssue)
	_, c := issueReport(t, h, agency, e.USCC, "AGENCY_SERVICE")
	if c.Grade != nil || c.Scope.Grade {
		t.Fatalf("a report for an agency without entity:read carries a grade: %+v", c.Grade)
	}
	if strings.Join(c.Scope.Publicities, ",") != "PUBLIC" {
		t.Fatalf("publicities %v, want PUBLIC only", c.Scope.Publicities)
	}
	for _, r := range c.Records {
		if r.Publicity != "PUBLIC" {
			t.Fatalf("an agency's report carries a %s record: %+v", r.Publicity, r)
		}
	}
	r := h.Do(t, creditReportQuery, map[string]any{"u": e.USCC, "p": "BIDDING"}, apptest.Department(t))
	if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" || apptest.Get(r.Data, "creditReport") != nil {
		t.Fatalf("a report without report:issue: %s", r.Body)
	}
	// SECURITY: the entity itself, whose own shared data it may read, does
	// not issue (and store) reports on itself without report:issue: its
	// own report is requestOwnCreditReport's.
	stored := func() int {
		var n int
		if err := h.DBs["hub"].Get(&n, `SELECT count(*) FROM credit_report WHERE uscc = $1`, e.USCC); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := stored()
	r = h.Do(t, creditReportQuery, map[string]any{"u": e.USCC, "p": "BIDDING"}, apptest.As(t, auth.KindEntity, e.USCC, "", auth.ScopeEntityRead))
	if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" || apptest.Get(r.Data, "creditReport") != nil || stored() != before {
		t.Fatalf("the entity issuing a report on itself without report:issue: %s (reports %d → %d)", r.Body, before, stored())
	}
	r = h.Do(t, creditReportQuery, map[string]any{"u": "91110000600037341N", "p": "BIDDING"}, agency)
	if len(r.Errors) == 0 || r.Errors[0].Code() != "BAD_USER_INPUT" {
		t.Fatalf("a report on an invalid code: %s", r.Body)
	}
}

// SECURITY: ID numbers go into a report only for a caller who may read
// personal data, and then the query log records it before the report
// leaves; without the right they are masked and nothing is logged.
func TestCreditReportPersonalDataIsLogged(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	e := h.World.Entities[2]
	logged := func(op string) int {
		var n int
		if err := h.DBs["hub"].Get(&n, `SELECT count(*) FROM query_log WHERE operation = $1 AND $2 = ANY(entities)
			AND 'CreditReport.content.responsiblePersons.idNumber' = ANY(fields)`, op, e.USCC); err != nil {
			t.Fatal(err)
		}
		return n
	}
	masked := strings.Replace(creditReportQuery, "query Report(", "query MaskedReport(", 1)
	full := strings.Replace(creditReportQuery, "query Report(", "query FullReport(", 1)

	noPurpose := apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeReportIssue, auth.ScopePersonRead)
	d := h.QueryAs(t, noPurpose, masked, map[string]any{"u": e.USCC, "p": "ADMINISTRATIVE_APPROVAL"})
	content := apptest.Get(d, "creditReport", "content").(string)
	for _, p := range e.Persons() {
		if strings.Contains(content, p.IDNo) {
			t.Fatalf("a report without a declared purpose carries %s", ident.MaskResidentID(p.IDNo))
		}
	}
	if n := logged("MaskedReport"); n != 0 {
		t.Fatalf("%d query log rows for a report without personal data", n)
	}

	withPurpose := apptest.As(t, auth.KindDepartment, "market", "ADMINISTRATIVE_APPROVAL", auth.ScopeReportIssue, auth.ScopePersonRead)
	d = h.QueryAs(t, withPurpose, full, map[string]any{"u": e.USCC, "p": "ADMINISTRATIVE_APPROVAL"})
	var c reportContent
	if err := json.Unmarshal([]byte(apptest.Get(d, "creditReport", "content").(string)), &c); err != nil {
		t.Fatal(err)
	}
	if !c.Scope.PersonalData || len(c.ResponsiblePersons) == 0 {
		t.Fatalf("scope %+v, persons %+v", c.Scope, c.ResponsiblePersons)
	}
	for _, p := range c.ResponsiblePersons {
		if !p.IDNumberFull || ident.ValidateResidentID(p.IDNumber) != nil {
			t.Fatalf("responsible person %+v: want the full ID number", p)
		}
	}
	if n := logged("FullReport"); n != 1 {
		t.Fatalf("%d query log rows for a report with ID numbers, want 1", n)
	}
}
