package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"credithub/auth"
	"credithub/internal/app/apptest"
)

// `credithub report verify` checks a report saved from the graph, offline:
// the untouched report is genuine; a changed character of its content, its
// number, its time or its signature is not.
func TestReportVerifyCommand(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Entities: 30})
	headers := apptest.As(t, auth.KindAgency, "agency-007", "", auth.ScopeReportIssue)
	d := h.QueryAs(t, headers, `query($u: ID!) { creditReport(uscc: $u, purpose: PUBLIC_PROCUREMENT) {
		number uscc issuedAt content contentSha256 signature keyId publicKey } }`, map[string]any{"u": h.World.Entities[0].USCC})
	report := d["creditReport"].(map[string]any)

	dir := t.TempDir()
	save := func(name string, change func(map[string]any)) string {
		r := map[string]any{}
		for k, v := range report {
			r[k] = v
		}
		if change != nil {
			change(r)
		}
		b, _ := json.MarshalIndent(r, "", "  ")
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	devEnv := func(k string) string {
		if k == "CREDITHUB_DEV" {
			return "true"
		}
		return ""
	}
	verify := func(env func(string) string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"report", "verify"}, args...), env, &out, &out)
		return out.String(), err
	}

	genuine := save("genuine", nil)
	if out, err := verify(devEnv, genuine); err != nil || !strings.Contains(out, "is genuine and unchanged") || !strings.Contains(out, report["keyId"].(string)) {
		t.Fatalf("the untouched report: %v %s", err, out)
	}
	if out, err := verify(func(string) string { return "" }, "--public-key", report["publicKey"].(string), genuine); err != nil || !strings.Contains(out, "genuine") {
		t.Fatalf("with the report's public key given: %v %s", err, out)
	}
	if _, err := verify(func(string) string { return "" }, genuine); err == nil || !strings.Contains(err.Error(), "--public-key") {
		t.Fatalf("with no key to verify with: %v, want an error naming --public-key", err)
	}

	issued, _ := time.Parse(time.RFC3339Nano, report["issuedAt"].(string))
	tampered := map[string]func(map[string]any){
		"content": func(r map[string]any) {
			c := r["content"].(string)
			i := strings.Index(c, `"purpose":"PUBLIC_PROCUREMENT"`) + len(`"purpose":"`)
			r["content"] = c[:i] + "Q" + c[i+1:] // one character
		},
		"number": func(r map[string]any) { r["number"] = strings.TrimSuffix(r["number"].(string), "1") + "2" },
		"time":   func(r map[string]any) { r["issuedAt"] = issued.Add(time.Millisecond).Format(time.RFC3339Nano) },
		"signature": func(r map[string]any) {
			s, c := r["signature"].(string), "A"
			if s[0] == 'A' {
				c = "B"
			}
			r["signature"] = c + s[1:]
		},
	}
	for name, change := range tampered {
		t.Run(name, func(t *testing.T) {
			p := save(name, change)
			out, err := verify(devEnv, p)
			if err == nil || !strings.Contains(out, "NOT genuine") {
				t.Fatalf("a report with its %s changed: %v %s", name, err, out)
			}
		})
	}
	if _, err := verify(devEnv, filepath.Join(dir, "missing.json")); err == nil {
		t.Fatal("a missing file verified")
	}

	// An entity's own report (issue #15) verifies the same way.
	self := apptest.As(t, auth.KindEntity, h.World.Entities[1].USCC, "", auth.ScopeReportRequest)
	d = h.QueryAs(t, self, `mutation { requestOwnCreditReport(purpose: BIDDING, idempotencyKey: "verify-own-1") {
		number uscc issuedAt content contentSha256 signature keyId publicKey } }`, nil)
	report = d["requestOwnCreditReport"].(map[string]any)
	if out, err := verify(devEnv, save("own", nil)); err != nil || !strings.Contains(out, "is genuine and unchanged") {
		t.Fatalf("an entity's own report: %v %s", err, out)
	}
	changed := func(r map[string]any) {
		r["content"] = strings.Replace(r["content"].(string), `"purpose":"BIDDING"`, `"purpose":"BIDDINQ"`, 1)
	}
	if out, err := verify(devEnv, save("own-changed", changed)); err == nil || !strings.Contains(out, "NOT genuine") {
		t.Fatalf("an entity's own report, changed: %v %s", err, out)
	}
}
