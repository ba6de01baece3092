package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"

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

// audit verify reports an intact chain and names the first broken row.
func TestAuditVerifyCommand(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, hubdb.Setup, nil)
	ql := &auth.QueryLog{Store: hubdb.New(db.DB).QueryLog()}
	for i := 0; i < 3; i++ {
		if _, err := ql.Append(context.Background(), hubdb.QueryLogRow{RequestID: "r", Subject: "s", Org: "o", Kind: "department",
			Purpose: "LAW_ENFORCEMENT", Operation: "Q", QueryHash: "h", Fields: []string{"Person.idNumber"}}); err != nil {
			t.Fatal(err)
		}
	}
	dsn := dstest.DSN(t, db.Name)
	env := func(k string) string {
		if k == "CREDITHUB_HUB_DSN" {
			return dsn
		}
		return ""
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify"}, env, &out, &out); err != nil || !strings.Contains(out.String(), "3 rows, chain intact") {
		t.Fatalf("verify intact: %v %s", err, out.String())
	}
	if _, err := db.ExecContext(context.Background(), `ALTER TABLE query_log DISABLE TRIGGER query_log_no_update;
		UPDATE query_log SET org = 'someone-else' WHERE id = 2;
		ALTER TABLE query_log ENABLE TRIGGER query_log_no_update`); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err := run(context.Background(), []string{"audit", "verify"}, env, &out, &out)
	if err == nil || !strings.Contains(out.String(), "BROKEN at row 2") {
		t.Fatalf("verify after an edit: %v %s", err, out.String())
	}
}
