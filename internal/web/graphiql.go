package web

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
)

//go:embed graphiql.html
var graphiqlHTML string

// graphiqlPage is the GraphiQL page's template; the vendored files are
// named by package and file, so a moved pin needs no edit here.
var graphiqlPage = template.Must(template.New("graphiql").
	Funcs(template.FuncMap{"vendor": VendorPath}).
	Parse(graphiqlHTML))

// GraphiQL returns the GraphiQL IDE's page, which runs queries and mutations
// against endpoint over HTTP and subscriptions over WebSocket, with the
// headers typed into its Headers tab (Authorization, X-Query-Purpose). Its
// scripts and styles are served by Assets under AssetsPrefix.
func GraphiQL(endpoint string) http.Handler {
	var buf bytes.Buffer
	if err := graphiqlPage.Execute(&buf, struct{ Endpoint string }{endpoint}); err != nil {
		panic(err) // the template and its data are fixed: a failure is a bug
	}
	page := buf.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setPageHeaders(w.Header())
		_, _ = w.Write(page)
	})
}
