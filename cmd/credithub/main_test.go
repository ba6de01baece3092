package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"credithub/auth"
	"credithub/datasources/dstest"
	"credithub/internal/app"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
)

// The token command mints what the development hub accepts.
func TestTokenCommand(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := run(context.Background(), []string{"token", "--kind", "department", "--org", "market", "--scopes", "entity:read record:read", "--ttl", "5m"},
		func(string) string { return "" }, &out, &out)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := auth.NewVerifier(auth.VerifierOptions{Issuers: []auth.Issuer{auth.DevIssuerConfig()}})
	p, err := v.Authenticate(context.Background(), strings.TrimSpace(out.String()))
	if err != nil || p.Org() != "market" || !p.HasScope("record:read") || p.HasScope("person:read") {
		t.Fatalf("minted token = %v, %v", p, err)
	}
	for _, args := range [][]string{
		{"token", "--kind", "root", "--org", "x"},
		{"token", "--kind", "agency"},
		{"token", "--kind", "agency", "--org", "a1", "--scopes", "everything"},
		{"token", "--kind", "agency", "--org", "a1", "--ttl", "2h"},
		{"token", "--kind", "department", "--org", "market", "--ttl", "13h"},
		{"token", "--kind", "department", "--org", "market", "--ttl", "2562047h"},
		{"token", "--kind", "entity", "--org", "acme"},
		{"token", "--kind", "department", "--org", "market", "--scopes", "entity:read entity:read"},
	} {
		if err := run(context.Background(), args, func(string) string { return "" }, &out, &out); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	// The longest lifetimes the hub is configured with bound the command too.
	short := func(k string) string {
		if k == "CREDITHUB_TOKEN_MAX_TTL" {
			return "department=30m"
		}
		return ""
	}
	if err := run(context.Background(), []string{"token", "--kind", "department", "--org", "market", "--ttl", "1h"}, short, &out, &out); err == nil ||
		!strings.Contains(err.Error(), "30m") {
		t.Errorf("--ttl 1h under department=30m: %v", err)
	}
}

// token --kind person --id-number seals the number with the hub's person
// ID key (the development key when none is set, as `credithub dev` uses;
// CREDITHUB_PERSON_ID_KEY when set), and the hub opens it back; the raw
// number never travels in the token. --org, a malformed number, a read
// scope and a lifetime over an hour are refused.
func TestTokenCommandForAPerson(t *testing.T) {
	t.Parallel()
	const idNo = "23110219850312002X"
	for name, env := range map[string]func(string) string{
		"development key": func(string) string { return "" },
		"configured key": func(k string) string {
			if k == "CREDITHUB_PERSON_ID_KEY" {
				return base64.StdEncoding.EncodeToString([]byte(strings.Repeat("p", 32)))
			}
			return ""
		},
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			if err := run(context.Background(), []string{"token", "--kind", "person", "--id-number", idNo}, env, &out, &out); err != nil {
				t.Fatal(err)
			}
			tok := strings.TrimSpace(out.String())
			payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
			if strings.Contains(string(payload), idNo) || strings.Contains(string(payload), idNo[6:14]) {
				t.Fatalf("the token carries the ID number: %s", payload)
			}
			key, err := app.PersonIDKey(env, true)
			if err != nil {
				t.Fatal(err)
			}
			sealer, _ := gid.NewSealer(key)
			v, _ := auth.NewVerifier(auth.VerifierOptions{Issuers: []auth.Issuer{auth.DevIssuerConfig()}, Persons: sealer})
			p, err := v.Authenticate(context.Background(), tok)
			if err != nil || p.Kind() != auth.KindPerson || p.IDNumber() != idNo ||
				!p.HasScope(auth.ScopeObjectionFile) || !p.HasScope(auth.ScopeAuthorizationRevoke) || len(p.Scopes()) != 2 {
				t.Fatalf("minted person token = %v (%q), %v", p, p.IDNumber(), err)
			}
		})
	}
	var out bytes.Buffer
	for _, args := range [][]string{
		{"token", "--kind", "person"},
		{"token", "--kind", "person", "--org", idNo},
		{"token", "--kind", "person", "--id-number", "231102198503120021"},
		{"token", "--kind", "person", "--id-number", idNo, "--scopes", "person:read"},
		{"token", "--kind", "person", "--id-number", idNo, "--ttl", "2h"},
		{"token", "--kind", "department", "--org", "market", "--id-number", idNo},
	} {
		if err := run(context.Background(), args, func(string) string { return "" }, &out, &out); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// audit verify reports an intact chain and names the first broken row;
// audit archive detaches a sealed month, and verify proves the rest from
// its seal; a verifier without the key, or with another, is refused.
func TestAuditCommands(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, hubdb.Setup, nil)
	report, err := app.ParseReportKey("", true)
	if err != nil {
		t.Fatal(err)
	}
	seed, err := app.ParseQueryLogKey("", report)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	ql := &auth.QueryLog{Store: hubdb.New(db.DB).QueryLog(), Key: ed25519.NewKeyFromSeed(seed), Now: func() time.Time { return at }}
	for i := 0; i < 4; i++ {
		if i == 2 {
			at = time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)
		}
		if _, err := ql.Append(context.Background(), hubdb.QueryLogRow{RequestID: "r", Subject: "s", Org: "o", Kind: "department",
			Purpose: "LAW_ENFORCEMENT", Operation: "Q", QueryHash: "h", Fields: []string{"Person.idNumber"}}); err != nil {
			t.Fatal(err)
		}
	}
	if made, err := ql.SealMonths(context.Background()); err != nil || len(made) != 1 {
		t.Fatalf("sealing January: %v, %v", made, err)
	}
	dsn := dstest.DSN(t, db.Name)
	env := func(k string) string {
		switch k {
		case "CREDITHUB_HUB_DSN":
			return dsn
		case "CREDITHUB_DEV":
			return "true"
		}
		return ""
	}
	audit := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"audit"}, args...), env, &out, &out)
		return out.String(), err
	}
	if out, err := audit("verify"); err != nil || !strings.Contains(out, "4 rows, chain intact (rows 1–4) to the signed head; 1 months sealed") {
		t.Fatalf("verify intact: %v %s", err, out)
	}
	out, err := audit("archive", "--month", "2026-02")
	if err == nil || !strings.Contains(err.Error(), "2026-02 has no seal") {
		t.Fatalf("archiving the month under way: %v %s", err, out)
	}
	if out, err := audit("archive", "--month", "2026-01"); err != nil || !strings.Contains(out, "pg_dump --table=query_log_2026_01") {
		t.Fatalf("archive: %v %s", err, out)
	}
	if out, err := audit("verify"); err != nil || !strings.Contains(out, "2 rows, chain intact (rows 1–4)") || !strings.Contains(out, "archived and proven by their seals: 2026-01 (rows 1–2)") {
		t.Fatalf("verify after archiving: %v %s", err, out)
	}
	if out, err := audit("verify", "--since", "2026-02"); err != nil || !strings.Contains(out, "2 rows, chain intact (rows 3–4)") {
		t.Fatalf("verify --since: %v %s", err, out)
	}
	pub, err := audit("public-key")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := audit("verify", "--public-key", strings.TrimSpace(pub)); err != nil {
		t.Fatalf("verify with the printed public key: %v %s", err, out)
	}
	other := base64.StdEncoding.EncodeToString(ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey))
	if out, err := audit("verify", "--public-key", other); err == nil || !strings.Contains(out, "BROKEN") {
		t.Fatalf("verify with another key: %v %s", err, out)
	}
	for _, args := range [][]string{{"verify", "--since", "January"}, {"archive"}, {"verify", "extra"}, {"sign"}} {
		if out, err := audit(args...); err == nil {
			t.Errorf("audit %v: no error: %s", args, out)
		}
	}
	if _, err := db.ExecContext(context.Background(), `ALTER TABLE query_log DISABLE TRIGGER query_log_no_update;
		UPDATE query_log SET org = 'someone-else' WHERE id = 3;
		ALTER TABLE query_log ENABLE TRIGGER query_log_no_update`); err != nil {
		t.Fatal(err)
	}
	out, err = audit("verify")
	if err == nil || !strings.Contains(out, "BROKEN: query log broken at row 3: its content does not match its hash") {
		t.Fatalf("verify after an edit: %v %s", err, out)
	}
	// Outside development, a verifier names the key it trusts.
	var buf bytes.Buffer
	err = run(context.Background(), []string{"audit", "verify"}, func(k string) string {
		if k == "CREDITHUB_HUB_DSN" {
			return dsn
		}
		return ""
	}, &buf, &buf)
	if err == nil || !strings.Contains(err.Error(), "no query log key to verify with") {
		t.Fatalf("verify without a key: %v", err)
	}
}
