package supervision

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"credithub/internal/credit"
	"credithub/internal/scalars"
)

func testSigner(t *testing.T) *Signer {
	t.Helper()
	seed := sha256.Sum256([]byte("reports_test"))
	s, err := NewSigner("", seed[:])
	if err != nil {
		t.Fatal(err)
	}
	s.KeyID = KeyID(s.Public())
	return s
}

// A report's content is the same bytes for the same facts, UTF-8 without
// HTML escaping, and every list is present.
func TestEncodeContent(t *testing.T) {
	t.Parallel()
	c := &ReportContent{
		Format: ReportFormat, Number: "CR-20260301-000007", IssuedAt: time.Date(2026, 3, 1, 2, 3, 4, 5000, time.UTC),
		Purpose: "BIDDING", Entity: ReportEntity{USCC: "91110000600037341L", Name: "黑河市<测试>&公司"},
		ResponsiblePersons: []ReportPerson{}, Listings: []ReportListing{}, Records: []ReportRecord{}, MissingSources: []string{},
	}
	a, err := EncodeContent(c)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := EncodeContent(c)
	if string(a) != string(b) {
		t.Fatal("two encodings of one content differ")
	}
	for _, want := range []string{`"name":"黑河市<测试>&公司"`, `"issuedAt":"2026-03-01T02:03:04.000005Z"`, `"records":[]`, `"missingSources":[]`} {
		if !strings.Contains(string(a), want) {
			t.Errorf("content lacks %s: %s", want, a)
		}
	}
	if strings.Contains(string(a), `"grade":{`) || strings.HasSuffix(string(a), "\n") {
		t.Errorf("content carries a grade it was not given, or a trailing newline: %q", a)
	}
}

func TestReportNumber(t *testing.T) {
	t.Parallel()
	// 23:30 UTC on 28 February is 1 March in China.
	at := time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC)
	for seq, want := range map[int64]string{1: "CR-20260301-000001", 123456: "CR-20260301-123456", 1234567: "CR-20260301-1234567"} {
		if got := ReportNumber(at, seq); got != want {
			t.Errorf("ReportNumber(%d) = %s, want %s", seq, got, want)
		}
	}
}

// Every change to what the signature binds is detected, and the hub's copy
// says which part changed.
func TestCheckReportTampering(t *testing.T) {
	t.Parallel()
	s := testSigner(t)
	at := time.Date(2026, 3, 1, 2, 3, 4, 567000, time.UTC)
	content := `{"format":"credithub.credit-report/1","number":"CR-20260301-000001","entity":{"name":"黑河市某公司"}}`
	number := "CR-20260301-000001"
	hash, sig := s.Sign(number, at, []byte(content))
	stored := &Issued{Number: number, IssuedAt: at, Content: content, ContentSHA256: hash, Signature: sig, KeyID: s.KeyID}
	genuine := Presented{Number: number, IssuedAt: at, Content: content, Signature: sig}
	otherSig := func() string {
		b, _ := base64.StdEncoding.DecodeString(sig)
		b[10] ^= 1
		return base64.StdEncoding.EncodeToString(b)
	}()
	tests := []struct {
		name      string
		p         Presented
		stored    *Issued
		wantOK    bool
		wantHub   bool
		wantCause string
	}{
		{"untouched", genuine, stored, true, true, ""},
		{"untouched, the same instant in China time", Presented{number, at.In(scalars.CST), content, sig}, stored, true, true, ""},
		{"untouched, a hub without the copy", genuine, nil, true, false, ""},
		{"one character of the content", Presented{number, at, strings.Replace(content, "某", "甲", 1), sig}, stored, false, true, "content changed"},
		{"the time, by a microsecond", Presented{number, at.Add(time.Microsecond), content, sig}, stored, false, true, "issue time changed"},
		{"the number", Presented{"CR-20260301-000002", at, content, sig}, nil, false, false, "unknown number"},
		{"one bit of the signature", Presented{number, at, content, otherSig}, stored, false, true, "signature invalid"},
		{"a signature that is not base64", Presented{number, at, content, "not a signature"}, stored, false, true, "signature invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := CheckReport(s.Public(), tc.stored, tc.p)
			if v.Genuine != tc.wantOK || v.IssuedByHub != tc.wantHub || !strings.HasPrefix(v.Reason, tc.wantCause) {
				t.Fatalf("CheckReport = %+v, want genuine %v, issuedByHub %v, reason %q…", v, tc.wantOK, tc.wantHub, tc.wantCause)
			}
			if off := CheckOffline(s.Public(), tc.p); off.Genuine != tc.wantOK {
				t.Fatalf("CheckOffline = %+v, want genuine %v", off, tc.wantOK)
			}
		})
	}
	// Another key's signature of the very same report is not the hub's.
	other, _ := NewSigner("", make([]byte, 32))
	_, forged := other.Sign(number, at, []byte(content))
	if v := CheckReport(s.Public(), stored, Presented{number, at, content, forged}); v.Genuine || !strings.HasPrefix(v.Reason, "signature invalid") {
		t.Fatalf("a report signed with another key: %+v", v)
	}
}

func fineOf(s string) *scalars.Decimal { d := scalars.Decimal(s); return &d }

func finedPenalty(id, uscc, fineYuan string, status credit.Status) *credit.Penalty {
	authority := "黑河市市场监督管理局"
	return &credit.Penalty{Base: credit.Base{ID: id, Kind: credit.KindPenalty, Subject: credit.Subject{USCC: uscc},
		Status: status, Authority: &authority, Summary: "违法行为：罚款"}, FineAmount: fineOf(fineYuan)}
}

func TestPenaltyWarnings(t *testing.T) {
	t.Parallel()
	rule := Rule{Code: "W-PEN-100K", Kind: RuleNewPenalty, Threshold: 100000, Level: "WARNING", Active: true}
	recs := []credit.Record{
		finedPenalty("r1", "U1", "99999.99", credit.Effective),
		finedPenalty("r2", "U2", "100000.00", credit.Effective),                           // at the threshold: raised
		finedPenalty("r3", "U3", "250000", credit.Revoked),                                // revoked: not raised
		finedPenalty("r4", "", "500000", credit.Effective),                                // filed under an unresolved old key
		&credit.Penalty{Base: credit.Base{ID: "r5", Subject: credit.Subject{USCC: "U5"}}}, // no fine
	}
	got := PenaltyWarnings(rule, recs)
	if len(got) != 1 || got[0].USCC != "U2" || got[0].RecordID != "r2" || got[0].Level != "WARNING" || !strings.Contains(got[0].Message, "100000.00 yuan") {
		t.Fatalf("PenaltyWarnings = %+v, want one for U2's 100000.00", got)
	}
}

func TestCourtWarnings(t *testing.T) {
	t.Parallel()
	court := &credit.Department{Code: "court"}
	rule := Rule{Code: "W-COURT", Kind: RuleCourtListing, Level: "ALERT", Active: true}
	recs := []credit.Record{
		&credit.DishonestDebtor{Base: credit.Base{ID: "c1", Source: court, Subject: credit.Subject{USCC: "U1"}, Summary: "（2026）黑11执1号 失信被执行人"}},
		&credit.DishonestDebtor{Base: credit.Base{ID: "c2", Source: court, Subject: credit.Subject{IDNumber: "11010519491231002X"}}},
	}
	public := func(r credit.Record) bool { return r.Common().Kind != credit.KindConsumptionRestriction }
	got := CourtWarnings(rule, recs, public)
	if len(got) != 1 || got[0].USCC != "U1" || strings.Contains(got[0].Message, "11010519491231002X") || !strings.Contains(got[0].Message, "失信被执行人") {
		t.Fatalf("CourtWarnings = %+v, want one, for the entity only, quoting the public record", got)
	}
}

// SECURITY: a warning (entity:read) does not quote a record shared with
// record:read only: a consumption restriction is named, not quoted.
func TestCourtWarningsQuoteOnlyPublicRecords(t *testing.T) {
	t.Parallel()
	court := &credit.Department{Code: "court"}
	rule := Rule{Code: "W-COURT", Kind: RuleCourtListing, Level: "ALERT", Active: true}
	rec := &credit.ConsumptionRestriction{Base: credit.Base{ID: "c3", Kind: credit.KindConsumptionRestriction, Source: court,
		Subject: credit.Subject{USCC: "U3"}, Summary: "（2026）黑11执9号 限制消费令：限制被执行单位及其法定代表人高消费"}}
	for name, public := range map[string]func(credit.Record) bool{
		"the catalogue says shared": func(credit.Record) bool { return false },
		"no catalogue":              nil,
	} {
		got := CourtWarnings(rule, []credit.Record{rec}, public)
		if len(got) != 1 || strings.Contains(got[0].Message, "黑11执9号") || !strings.Contains(got[0].Message, "CONSUMPTION_RESTRICTION") {
			t.Errorf("%s: CourtWarnings = %+v, want one naming the kind, not quoting the record", name, got)
		}
	}
}

// The complaint that makes the count within 30 days reach the threshold
// raises one notice; the next ones of the same run do not.
func TestComplaintWarnings(t *testing.T) {
	t.Parallel()
	rule := Rule{Code: "W-12315", Kind: RuleComplaints, Threshold: 3, Level: "NOTICE", Active: true}
	day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, scalars.CST) }
	complaint := func(id string, at time.Time) *credit.Complaint {
		return &credit.Complaint{Base: credit.Base{ID: id, Subject: credit.Subject{USCC: "U1"}}, ReceivedAt: at}
	}
	old := day(1).AddDate(0, -2, 0) // outside the window
	received := map[string][]time.Time{"U1": {old, day(2), day(20), day(25), day(26)}}
	recs := []credit.Record{complaint("k20", day(20)), complaint("k25", day(25)), complaint("k26", day(26))}
	got := ComplaintWarnings(rule, recs, received, map[string]time.Time{})
	if len(got) != 1 || got[0].RecordID != "k25" || !strings.HasPrefix(got[0].Message, "3 12315 complaints") {
		t.Fatalf("ComplaintWarnings = %+v, want one, raised by k25 (the third within 30 days)", got)
	}
	// Warned already within the window: nothing new.
	if got := ComplaintWarnings(rule, recs, received, map[string]time.Time{"U1": day(19)}); len(got) != 0 {
		t.Fatalf("ComplaintWarnings after a recent notice = %+v, want none", got)
	}
}

func TestFilterMatches(t *testing.T) {
	t.Parallel()
	w := &Warning{USCC: "U1", Level: "WARNING", Rule: Rule{Code: "W-PEN-100K"}, RaisedAt: time.Unix(100, 0), State: "OPEN", Division: "231102"}
	for _, c := range []struct {
		f    Filter
		want bool
	}{
		{Filter{}, true},
		{Filter{USCC: "U1"}, true},
		{Filter{USCC: "U2"}, false},
		{Filter{Level: "ALERT"}, false},
		{Filter{Rule: "W-PEN-100K"}, true},
		{Filter{Rule: "W-COURT"}, false},
		{Filter{Since: time.Unix(101, 0)}, false},
		{Filter{States: []string{"ACKNOWLEDGED", "OPEN"}}, true},
		{Filter{States: []string{"CLOSED"}}, false},
		{Filter{Division: "231102"}, true},
		{Filter{Division: "231181"}, false},
	} {
		if c.f.Matches(w) != c.want {
			t.Errorf("%+v.Matches = %v, want %v", c.f, !c.want, c.want)
		}
	}
}
