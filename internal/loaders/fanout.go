package loaders

import (
	"context"
	"slices"

	"credithub/datasources"
	"credithub/internal/credit"
)

// RecordsRequest is one page of a subject's records across departments.
type RecordsRequest struct {
	Subject datasources.Subject
	// Sources restricts the departments asked; empty means all.
	Sources []string
	Kinds   datasources.KindSet
	From    string
	To      string
	After   datasources.Cursor
	First   int
	// NoMatch says the filter excludes everything: no department is asked.
	NoMatch bool
	// Visible, when set, drops records row by row (what SQL cannot tell,
	// such as a publicity period that ran out); the fan-out then reads on
	// until the page is full.
	Visible func(credit.Record) bool
}

// query is what each department is asked first: its First+1 newest after
// the cursor (the extra one tells whether there is a next page).
func (req RecordsRequest) query() datasources.Query {
	return datasources.Query{Kinds: req.Kinds, From: req.From, To: req.To, After: req.After, Limit: req.First + 1}
}

// RecordsPage is the merged answer.
type RecordsPage struct {
	Records []credit.Record
	HasNext bool
	// End is where the next page starts; zero when the page is complete.
	End datasources.Cursor
	// Failed are the departments that did not answer, with why.
	Failed []SourceStatus
}

// Records merges the departments' records into one page in the graph's
// order (datasources.Merge): each department is a stream read in chunks
// through its records loader, all concurrently, the first chunk being the
// load Prefetch started. A department that failed is left out whole and
// reported.
func (l *Loaders) Records(ctx context.Context, req RecordsRequest) RecordsPage {
	var depts []credit.Department
	var streams []datasources.Stream
	for _, dep := range l.deps.Departments {
		if !l.asks(dep.Source, req) {
			continue
		}
		src, d := dep.Source, dep.Source.Department()
		depts = append(depts, d)
		streams = append(streams, datasources.Stream{
			Read: func(after datasources.Cursor, limit int) func() ([]*datasources.Row, error) {
				q := req.query()
				q.After, q.Limit = after, limit
				return l.records[d.Code].Load(ctx, RecordsKey{Subject: src.Key(req.Subject), Query: q})
			},
			Undecodable: func(err error) error { return l.unavailable(ctx, d.Code, err) },
		})
	}
	m := datasources.Merge(streams, datasources.MergeRequest{After: req.After, First: req.First, Visible: req.Visible})
	page := RecordsPage{Records: m.Records, HasNext: m.HasNext, End: m.End}
	for i, err := range m.Failed {
		if err != nil {
			page.Failed = append(page.Failed, SourceStatus{Department: depts[i], Err: err})
		}
	}
	return page
}

// asks reports whether a department is concerned by the request: named in
// its sources (when any), holding a requested kind, and holding persons when
// the subject is one.
func (l *Loaders) asks(src datasources.Source, req RecordsRequest) bool {
	if req.NoMatch {
		return false
	}
	if len(req.Sources) > 0 && !slices.Contains(req.Sources, src.Department().Code) {
		return false
	}
	if req.Subject.IsPerson() && !src.HoldsPersons() {
		return false
	}
	for _, k := range src.Kinds() {
		if req.Kinds.Has(k) {
			return true
		}
	}
	return false
}

// Prefetch starts, as one batch per department, the loads that Records
// will make for each of reqs (the children of a list), without waiting.
// The children's own Records calls then wait for these batches. With
// registryKnown false (the entity's registry row is still being read), the
// departments that need it are left to the children.
func (l *Loaders) Prefetch(ctx context.Context, reqs []RecordsRequest, registryKnown bool) {
	for _, dep := range l.deps.Departments {
		if !registryKnown && dep.Source.NeedsRegistry() {
			continue
		}
		var keys []RecordsKey
		for _, req := range reqs {
			if l.asks(dep.Source, req) {
				keys = append(keys, RecordsKey{Subject: dep.Source.Key(req.Subject), Query: req.query()})
			}
		}
		l.records[dep.Source.Department().Code].LoadAll(ctx, keys)
	}
}

// PrefetchSources starts, as one batch per department, the loads that
// Sources will make for each subject.
func (l *Loaders) PrefetchSources(ctx context.Context, subjects []datasources.Subject, registryKnown bool) {
	for _, dep := range l.deps.Departments {
		if !registryKnown && dep.Source.NeedsRegistry() {
			continue
		}
		var keys []datasources.Subject
		for _, s := range subjects {
			if !s.IsPerson() || dep.Source.HoldsPersons() {
				keys = append(keys, dep.Source.Key(s))
			}
		}
		l.counts[dep.Source.Department().Code].LoadAll(ctx, keys)
	}
}

// SourcesOf reports, for every department, whether it answered: from the
// records fan-out of req for the departments it asks (a cached load, no new
// statement), from a count for the others.
func (l *Loaders) SourcesOf(ctx context.Context, req RecordsRequest) []SourceStatus {
	page := l.Records(ctx, req)
	failed := map[string]error{}
	for _, f := range page.Failed {
		failed[f.Department.Code] = f.Err
	}
	var out []SourceStatus
	for _, dep := range l.deps.Departments {
		if req.Subject.IsPerson() && !dep.Source.HoldsPersons() {
			continue
		}
		d := dep.Source.Department()
		if l.asks(dep.Source, req) {
			out = append(out, SourceStatus{Department: d, Err: failed[d.Code], Count: -1})
			continue
		}
		n, err := l.counts[d.Code].Load(ctx, dep.Source.Key(req.Subject))()
		out = append(out, SourceStatus{Department: d, Count: n, Err: err})
	}
	return out
}
