package app

import (
	"strings"
	"testing"
	"time"

	"credithub/auth"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// An operator who mistypes a setting learns which one and what it takes,
// and the hub does not start on a guess.
func TestConfigRefusesBadValuesNamingTheKey(t *testing.T) {
	t.Parallel()
	for key, bad := range map[string]string{
		"CREDITHUB_DEV":                  "yes please",
		"CREDITHUB_LOADER_WAIT":          "5s",
		"CREDITHUB_DB_PREFIX":            "Robert'); DROP",
		"CREDITHUB_MARKET_TIMEOUT":       "-1s",
		"CREDITHUB_HUB_MAX_CONNS":        "0",
		"CREDITHUB_JWT_ISSUERS":          `[{"issuer":"x"}]`,
		"CREDITHUB_JWT_LEEWAY":           "1h",
		"CREDITHUB_TOKEN_MAX_TTL":        "department=forever",
		"CREDITHUB_PERSON_ID_KEY":        "c2hvcnQ=",
		"CREDITHUB_REPORT_KEY":           "c2hvcnQ=",
		"CREDITHUB_QUERY_LOG_KEY":        "c2hvcnQ=",
		"CREDITHUB_QUERY_LOG":            "skip",
		"CREDITHUB_WARNING_SCAN":         "1ms",
		"CREDITHUB_LIMITS":               "strict",
		"CREDITHUB_MAX_DEPTH":            "0",
		"CREDITHUB_MAX_BYTES":            "32KiB",
		"CREDITHUB_MAX_TOKENS":           "-5",
		"CREDITHUB_MAX_ALIASES":          "many",
		"CREDITHUB_MAX_ROOT_FIELDS":      "1e3",
		"CREDITHUB_MAX_COST":             "0",
		"CREDITHUB_RATE_LIMIT":           "-1",
		"CREDITHUB_RATE_LIMIT_ANONYMOUS": "lots",
		"CREDITHUB_METRICS":              "maybe",
		"CREDITHUB_SAFELIST":             "2",
		"CREDITHUB_TRACING":              "jaeger",
		"CREDITHUB_INTROSPECTION":        "agencies",
		"CREDITHUB_BREAKER_FAILURES":     "0",
		"CREDITHUB_BREAKER_COOLDOWN":     "2h",
		"CREDITHUB_GRADE_INTERVAL":       "1s",
		"CREDITHUB_SHUTDOWN_GRACE":       "1d",
	} {
		env := map[string]string{"CREDITHUB_DEV": "true", key: bad}
		_, err := FromEnv(envOf(env))
		if err == nil {
			t.Errorf("%s=%q accepted", key, bad)
			continue
		}
		if !strings.Contains(err.Error(), key) {
			t.Errorf("%s=%q refused without naming it: %v", key, bad, err)
		}
		if strings.Contains(err.Error(), bad) && (key == "CREDITHUB_PERSON_ID_KEY" || key == "CREDITHUB_REPORT_KEY" || key == "CREDITHUB_QUERY_LOG_KEY") {
			t.Errorf("the error repeats a secret: %v", err)
		}
	}
}

// Outside development the hub needs its keys and issuers; nothing falls
// back to the development ones.
func TestConfigProductionNeedsItsSecrets(t *testing.T) {
	t.Parallel()
	_, err := FromEnv(envOf(nil))
	if err == nil || !strings.Contains(err.Error(), "CREDITHUB_JWT_ISSUERS") {
		t.Fatalf("no issuers: %v", err)
	}
	env := map[string]string{"CREDITHUB_JWT_ISSUERS": `[{"issuer":"https://idp","audience":"credithub","jwksUrl":"https://idp/jwks"}]`}
	if _, err = FromEnv(envOf(env)); err == nil || !strings.Contains(err.Error(), "CREDITHUB_PERSON_ID_KEY") {
		t.Fatalf("no person id key: %v", err)
	}
	env["CREDITHUB_PERSON_ID_KEY"] = strings.Repeat("QUFB", 11) // 33 bytes
	if _, err = FromEnv(envOf(env)); err == nil || !strings.Contains(err.Error(), "CREDITHUB_REPORT_KEY") {
		t.Fatalf("no report key: %v", err)
	}
	env["CREDITHUB_REPORT_KEY"] = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=" // 32 bytes
	c, err := FromEnv(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	// The production defaults the README's table promises.
	if c.Introspection != "none" || !c.AgencySafelist || !c.Metrics || c.LimitsMode != "on" || c.Tracing != "off" ||
		c.RateLimit != 5000 || c.RateLimitAnonymous != 1000 || c.GradeInterval != time.Hour || c.ShutdownGrace != 30*time.Second ||
		c.BreakerFailures != 5 || c.BreakerCooldown != 10*time.Second || c.WarningScan != 30*time.Second ||
		c.Limits.MaxBytes != 32<<10 || c.Limits.MaxTokens != 5000 || c.Limits.MaxDepth != 15 || c.Limits.MaxAliases != 50 ||
		c.Limits.MaxRootFields != 20 || c.Limits.MaxCost != 50000 || c.Addr != "127.0.0.1:8080" ||
		c.Databases["market"].Timeout != 3*time.Second || c.Databases["market"].MaxOpenConns != 10 ||
		c.TokenMaxTTL[auth.KindDepartment] != 12*time.Hour || c.TokenMaxTTL[auth.KindPublicService] != 12*time.Hour ||
		c.TokenMaxTTL[auth.KindAgency] != time.Hour || c.TokenMaxTTL[auth.KindEntity] != time.Hour || c.TokenMaxTTL[auth.KindAdmin] != time.Hour {
		t.Errorf("production defaults changed: %+v", c)
	}
	// SECURITY: the query log cannot be turned off outside development,
	// and its key, unset, is derived from the report key (never the
	// development one).
	if c.QueryLogOff || len(c.QueryLogKey) != 32 || string(c.QueryLogKey) == string(c.ReportKey) {
		t.Errorf("production query log: off %v, key %x", c.QueryLogOff, c.QueryLogKey)
	}
	env["CREDITHUB_QUERY_LOG"] = "off"
	if _, err := FromEnv(envOf(env)); err == nil || !strings.Contains(err.Error(), "CREDITHUB_QUERY_LOG=off is for development only") {
		t.Errorf("CREDITHUB_QUERY_LOG=off in production: %v", err)
	}
	dev, err := FromEnv(envOf(map[string]string{"CREDITHUB_DEV": "true", "CREDITHUB_QUERY_LOG": "off"}))
	if err != nil || !dev.QueryLogOff {
		t.Errorf("CREDITHUB_QUERY_LOG=off in development: %v, %v", dev.QueryLogOff, err)
	}
}

// GraphiQL is off in production unless asked for, on in development unless
// turned off; the CORS origins are none unless listed, and a malformed one
// stops the hub naming the variable and the origin.
func TestConfigBrowsers(t *testing.T) {
	t.Parallel()
	prod := map[string]string{
		"CREDITHUB_JWT_ISSUERS":   `[{"issuer":"https://idp","audience":"credithub","jwksUrl":"https://idp/jwks"}]`,
		"CREDITHUB_PERSON_ID_KEY": strings.Repeat("QUFB", 11),
		"CREDITHUB_REPORT_KEY":    "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
	}
	with := func(base map[string]string, k, v string) map[string]string {
		m := map[string]string{k: v}
		for bk, bv := range base {
			m[bk] = bv
		}
		return m
	}
	dev := map[string]string{"CREDITHUB_DEV": "true"}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    bool
		origins string
	}{
		{"serve", prod, false, ""},
		{"serve with GraphiQL", with(prod, "CREDITHUB_GRAPHIQL", "true"), true, ""},
		{"dev", dev, true, ""},
		{"dev without GraphiQL", with(dev, "CREDITHUB_GRAPHIQL", "false"), false, ""},
		{"serve with origins", with(prod, "CREDITHUB_CORS_ORIGINS", "https://dash.example.gov.cn, http://127.0.0.1:3000"), false, "https://dash.example.gov.cn http://127.0.0.1:3000"},
	} {
		c, err := FromEnv(envOf(tc.env))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if c.GraphiQL != tc.want || strings.Join(c.CORSOrigins, " ") != tc.origins {
			t.Errorf("%s: GraphiQL %v, origins %q; want %v, %q", tc.name, c.GraphiQL, c.CORSOrigins, tc.want, tc.origins)
		}
	}
	for _, bad := range []string{"https://dash.example.gov.cn/", "*", "null", "dash.example.gov.cn"} {
		_, err := FromEnv(envOf(with(dev, "CREDITHUB_CORS_ORIGINS", bad)))
		if err == nil || !strings.Contains(err.Error(), "CREDITHUB_CORS_ORIGINS") || !strings.Contains(err.Error(), bad) {
			t.Errorf("CREDITHUB_CORS_ORIGINS=%q: %v", bad, err)
		}
	}
	if _, err := FromEnv(envOf(with(dev, "CREDITHUB_GRAPHIQL", "on"))); err == nil || !strings.Contains(err.Error(), "CREDITHUB_GRAPHIQL") {
		t.Errorf("CREDITHUB_GRAPHIQL=on: %v", err)
	}
}

// The dashboard follows GraphiQL: on in development, off in production
// unless configured on; the development token endpoint is never read from
// the environment.
func TestDashboardIsOnInDevelopmentOnly(t *testing.T) {
	prod := map[string]string{
		"CREDITHUB_JWT_ISSUERS":   `[{"issuer":"idp","audience":"credithub","keyFiles":{"k":"/dev/null"}}]`,
		"CREDITHUB_PERSON_ID_KEY": strings.Repeat("QUFB", 11),
		"CREDITHUB_REPORT_KEY":    "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
		"CREDITHUB_DEV_TOKENS":    "true",
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"serve", prod, false},
		{"serve with the dashboard", map[string]string{"CREDITHUB_DASHBOARD": "true"}, true},
		{"dev", map[string]string{"CREDITHUB_DEV": "true"}, true},
		{"dev without the dashboard", map[string]string{"CREDITHUB_DEV": "true", "CREDITHUB_DASHBOARD": "false"}, false},
	} {
		env := map[string]string{}
		for k, v := range prod {
			env[k] = v
		}
		for k, v := range tc.env {
			env[k] = v
		}
		c, err := FromEnv(envOf(env))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if c.Dashboard != tc.want || c.DevTokens {
			t.Errorf("%s: Dashboard %v, DevTokens %v; want %v, false", tc.name, c.Dashboard, c.DevTokens, tc.want)
		}
	}
	if _, err := FromEnv(envOf(map[string]string{"CREDITHUB_DEV": "true", "CREDITHUB_DASHBOARD": "yes please"})); err == nil || !strings.Contains(err.Error(), "CREDITHUB_DASHBOARD") {
		t.Errorf("CREDITHUB_DASHBOARD=yes please: %v", err)
	}
}
