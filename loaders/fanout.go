package loaders

import (
	"context"
	"slices"

	"github.com/graph-gophers/dataloader/v7"

	"credithub/credit"
	"credithub/datasources"
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
}

// query is what each department is asked: its First+1 newest after the
// cursor (the extra one tells whether there is a next page).
func (req RecordsRequest) query() datasources.Query {
	return datasources.Query{Kinds: req.Kinds, From: req.From, To: req.To, After: req.After, Limit: req.First + 1}
}

// RecordsPage is the merged answer.
type RecordsPage struct {
	Records []credit.Record
	HasNext bool
	// Failed are the departments that did not answer, with why.
	Failed []SourceStatus
}

// Records asks every department concerned for its newest First+1 records
// after the cursor, concurrently, and merges them into the graph's order.
// Asking each department for First+1 is enough: whatever the merge keeps
// comes from some department's first First+1.
func (l *Loaders) Records(ctx context.Context, req RecordsRequest) RecordsPage {
	q := req.query()
	type pending struct {
		dept  credit.Department
		thunk dataloader.Thunk[[]credit.Record]
	}
	var ps []pending
	for _, dep := range l.deps.Departments {
		d := dep.Source.Department()
		if !l.asks(dep.Source, req) {
			continue
		}
		ps = append(ps, pending{d, l.records[d.Code].Load(ctx, RecordsKey{Subject: req.Subject, Query: q})})
	}
	var page RecordsPage
	var all []credit.Record
	for _, p := range ps {
		recs, err := p.thunk()
		if err != nil {
			page.Failed = append(page.Failed, SourceStatus{Department: p.dept, Err: err})
			continue
		}
		all = append(all, recs...)
	}
	slices.SortFunc(all, func(a, b credit.Record) int {
		ca, cb := datasources.CursorOf(a), datasources.CursorOf(b)
		switch {
		case datasources.Less(ca, cb):
			return -1
		case datasources.Less(cb, ca):
			return 1
		}
		return 0
	})
	if len(all) > req.First {
		all, page.HasNext = all[:req.First], true
	}
	page.Records = all
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
// The children's own Records calls then wait for these batches.
func (l *Loaders) Prefetch(ctx context.Context, reqs []RecordsRequest) {
	for _, dep := range l.deps.Departments {
		var keys []RecordsKey
		for _, req := range reqs {
			if l.asks(dep.Source, req) {
				keys = append(keys, RecordsKey{Subject: req.Subject, Query: req.query()})
			}
		}
		l.records[dep.Source.Department().Code].LoadAll(ctx, keys)
	}
}

// PrefetchSources starts, as one batch per department, the loads that
// Sources will make for each subject.
func (l *Loaders) PrefetchSources(ctx context.Context, subjects []datasources.Subject) {
	for _, dep := range l.deps.Departments {
		var keys []datasources.Subject
		for _, s := range subjects {
			if !s.IsPerson() || dep.Source.HoldsPersons() {
				keys = append(keys, s)
			}
		}
		l.counts[dep.Source.Department().Code].LoadAll(ctx, keys)
	}
}
