package web

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
)

//go:embed dashboard.html
var dashboardHTML string

// dashboardPage is the dashboard's template; like GraphiQL's, it names the
// vendored files by package and file.
var dashboardPage = template.Must(template.New("dashboard").
	Funcs(template.FuncMap{"vendor": VendorPath}).
	Parse(dashboardHTML))

// Dashboard returns the reference dashboard's page (zh-CN): the city
// overview, the worklists and the entity profile, as hash routes of one
// page. Its scripts (assets/dashboard/, plain ES modules, no build step)
// talk to the hub only through endpoint, over HTTP and over WebSocket for
// subscriptions, exactly as an outside team's page would. devSignIn says
// whether the hub serves the development sign-in (/dev/token); without it
// the page asks for a bearer token from the deployment's identity
// provider.
func Dashboard(endpoint string, devSignIn bool) http.Handler {
	var buf bytes.Buffer
	data := struct {
		Endpoint  string
		DevSignIn bool
	}{endpoint, devSignIn}
	if err := dashboardPage.Execute(&buf, data); err != nil {
		panic(err) // the template and its data are fixed: a failure is a bug
	}
	page := buf.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setPageHeaders(w.Header())
		_, _ = w.Write(page)
	})
}
