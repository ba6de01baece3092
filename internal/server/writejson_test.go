package server

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// hostile are strings a response may carry, from a client's argument in an
// error message or from a database row in the data: quotes and
// backslashes, markup, the line separators JavaScript does not allow in a
// string literal, control characters, bytes that are not UTF-8.
var hostile = []string{
	`say "hi" \ back`,
	`</script><script>alert(1)</script>`,
	"a & b < c > d",
	"line\u2028separator\u2029paragraph",
	"\u2027\u202a near the separators",
	"tab\tnewline\nnul\x00bell\x07",
	"invalid \xff\xfe UTF-8 \xe2\x80",
	"truncated separator \xe2\x80",
	"企业信用信息（公示）",
	"",
}

// gqlString writes s as gqlgen writes a String field into a response's
// data.
func gqlString(s string) []byte {
	var b bytes.Buffer
	graphql.MarshalString(s).MarshalGQL(&b)
	return b.Bytes()
}

// TestWriteJSONIsJSONMarshal: what writeJSON writes without handing the
// data to encoding/json is, byte for byte, what json.Marshal wrote (for
// a response with data, the map of extensions; without it, the same with
// no data entry). A different byte here is a different answer on the
// wire.
func TestWriteJSONIsJSONMarshal(t *testing.T) {
	t.Parallel()
	yes := true
	data := func(s string) json.RawMessage {
		return json.RawMessage(`{"entity":{"name":` + string(gqlString(s)) + `,"n":1.5,"ok":true,"list":[null,{"a":[]}]}}`)
	}
	cases := map[string]*graphql.Response{
		"nil response":     nil,
		"data only":        {Data: data("x")},
		"data null":        {Data: json.RawMessage(`null`)},
		"data and errors":  {Data: data("x"), Errors: gqlerror.List{{Message: "m", Path: ast.Path{ast.PathName("entity"), ast.PathIndex(0)}}}},
		"data, extensions": {Data: data("x"), Extensions: map[string]any{"cost": map[string]any{"static": 3, "points": 5}, "b": "<&>"}},
		"everything": {Data: data("x"), Errors: gqlerror.List{{Message: "a"}, {Message: "b", Extensions: map[string]any{"code": "X"}}},
			Label: "lbl<", Path: ast.Path{ast.PathName("a"), ast.PathIndex(2)}, HasNext: &yes, Extensions: map[string]any{"k": 1}},
		"empty errors and extensions":     {Data: data("x"), Errors: gqlerror.List{}, Extensions: map[string]any{}},
		"errors only":                     {Errors: gqlerror.List{{Message: "no", Extensions: map[string]any{"code": "BAD_REQUEST"}}}},
		"nil data, extensions":            {Errors: gqlerror.List{{Message: "no"}}, Extensions: map[string]any{"cost": 1}},
		"nil data, nothing":               {},
		"data of a scalar":                {Data: json.RawMessage(`"<b>"`)},
		"separator at the data's end":     {Data: json.RawMessage("\"\u2028\"")},
		"extensions json.Marshal refuses": {Data: data("x"), Extensions: map[string]any{"nan": math.NaN()}},
		"errors json.Marshal refuses":     {Data: data("x"), Errors: gqlerror.List{{Message: "m", Extensions: map[string]any{"c": make(chan int)}}}},
		"empty data":                      {Data: json.RawMessage{}},
	}
	for i, s := range hostile {
		cases["hostile data "+string(rune('a'+i))] = &graphql.Response{Data: data(s)}
		cases["hostile error "+string(rune('a'+i))] = &graphql.Response{Data: data(s),
			Errors: gqlerror.List{{Message: s, Extensions: map[string]any{s: s}}}, Extensions: map[string]any{"q": s}}
		cases["hostile error, no data "+string(rune('a'+i))] = &graphql.Response{
			Errors: gqlerror.List{{Message: s}}, Extensions: map[string]any{s: []string{s}}}
	}
	for name, resp := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var got bytes.Buffer
			writeJSON(&got, resp)
			if want := oldWriteJSON(resp); !bytes.Equal(got.Bytes(), want) {
				t.Errorf("writeJSON wrote\n%q\njson.Marshal wrote\n%q", got.Bytes(), want)
			}
		})
	}
}

// TestWriteJSONKeepsTheDataHTMLSafe: the data reaches the wire with <, >,
// & and the line separators escaped, as json.Marshal wrote them, and
// reads back as the same strings (bytes that are not UTF-8 read back as
// U+FFFD, as they did).
// SECURITY: a body that is read as HTML or pasted into a <script> must
// not close it.
func TestWriteJSONKeepsTheDataHTMLSafe(t *testing.T) {
	t.Parallel()
	for _, s := range hostile {
		var got bytes.Buffer
		writeJSON(&got, &graphql.Response{Data: json.RawMessage(`{"s":` + string(gqlString(s)) + `}`)})
		if bytes.ContainsAny(got.Bytes(), "<>&\u2028\u2029") {
			t.Errorf("%q: the body carries markup or a line separator as it is: %s", s, got.Bytes())
		}
		var back struct{ Data struct{ S string } }
		if err := json.Unmarshal(got.Bytes(), &back); err != nil {
			t.Errorf("%q: the body is not JSON: %v", s, err)
		} else if utf8.ValidString(s) && back.Data.S != s {
			t.Errorf("%q read back as %q", s, back.Data.S)
		}
	}
}

// FuzzWriteJSON compares writeJSON with json.Marshal for data and errors
// carrying any string, as gqlgen and gqlerror write them.
func FuzzWriteJSON(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		resp := &graphql.Response{Data: json.RawMessage(`{"a":[` + string(gqlString(s)) + `,{"` + s + `":0}]}`),
			Errors: gqlerror.List{{Message: s}}, Extensions: map[string]any{"s": s}}
		if !json.Valid(resp.Data) {
			return // a key gqlgen would not write (it quotes aliases)
		}
		var got bytes.Buffer
		writeJSON(&got, resp)
		if want := oldWriteJSON(resp); !bytes.Equal(got.Bytes(), want) {
			t.Errorf("writeJSON wrote\n%q\njson.Marshal wrote\n%q", got.Bytes(), want)
		}
	})
}

// oldWriteJSON is writeJSON as it was, all of it through json.Marshal.
func oldWriteJSON(resp *graphql.Response) []byte {
	var v any = resp
	if resp != nil && resp.Data == nil {
		v = struct {
			Errors     gqlerror.List  `json:"errors,omitempty"`
			Extensions map[string]any `json:"extensions,omitempty"`
		}{resp.Errors, resp.Extensions}
	}
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	return b
}

// BenchmarkWriteJSON writes an answer of about 200 kB, the size of S2's.
func BenchmarkWriteJSON(b *testing.B) {
	var data bytes.Buffer
	data.WriteString(`{"entities":{"edges":[`)
	for i := range 2000 {
		if i > 0 {
			data.WriteByte(',')
		}
		data.WriteString(`{"node":{"uscc":"91320100MA1XXXXXX1","name":"南京某某建设工程有限公司","summary":` +
			string(gqlString("未按规定公示年度报告 & 被列入经营异常名录")) + `}}`)
	}
	data.WriteString(`]}}`)
	resp := &graphql.Response{Data: data.Bytes(), Extensions: map[string]any{"cost": map[string]any{"points": 101}}}
	b.Run("json.Marshal", func(b *testing.B) {
		b.SetBytes(int64(data.Len()))
		for b.Loop() {
			oldWriteJSON(resp)
		}
	})
	b.Run("writeJSON", func(b *testing.B) {
		b.SetBytes(int64(data.Len()))
		for b.Loop() {
			writeJSON(discard{}, resp)
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
