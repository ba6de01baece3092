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

// maxRounds bounds the reads of one page when Visible drops records.
const maxRounds = 6

// Records merges the departments' records into one page in the graph's
// order. Each department is a stream read in chunks, all concurrently; a
// record is placed on the page only once every stream still open has read
// past it, so the page is exactly the first First records of the merge.
// Without a Visible filter one chunk of First+1 per department is always
// enough (the stream with the lowest last record alone supplies First+1).
func (l *Loaders) Records(ctx context.Context, req RecordsRequest) RecordsPage {
	type stream struct {
		dept   credit.Department
		src    datasources.Source
		after  datasources.Cursor
		done   bool
		failed error
	}
	var streams []*stream
	for _, dep := range l.deps.Departments {
		if l.asks(dep.Source, req) {
			streams = append(streams, &stream{dept: dep.Source.Department(), src: dep.Source, after: req.After})
		}
	}
	type candidate struct {
		row *datasources.Row
		s   *stream
	}
	var page RecordsPage
	var got []candidate
	want := req.First + 1
	chunk := want
	for round := 0; ; round++ {
		type pending struct {
			s     *stream
			limit int
			thunk func() ([]*datasources.Row, error)
		}
		var ps []pending
		for _, s := range streams {
			if s.done {
				continue
			}
			q := req.query()
			q.After, q.Limit = s.after, chunk
			ps = append(ps, pending{s, chunk, l.records[s.dept.Code].Load(ctx, RecordsKey{Subject: s.src.Key(req.Subject), Query: q})})
		}
		for _, p := range ps {
			rows, err := p.thunk()
			if err != nil {
				p.s.failed, p.s.done = err, true
				continue
			}
			if len(rows) < p.limit {
				p.s.done = true
			}
			if len(rows) > 0 {
				p.s.after = rows[len(rows)-1].Cursor
			}
			for _, r := range rows {
				if req.Visible != nil {
					rec, err := r.Record()
					if err != nil {
						p.s.failed, p.s.done = l.unavailable(ctx, p.s.dept.Code, err), true
						break
					}
					if !req.Visible(rec) {
						continue
					}
				}
				got = append(got, candidate{r, p.s})
			}
		}
		slices.SortFunc(got, func(a, b candidate) int { return compareCursors(a.row.Cursor, b.row.Cursor) })
		// The safe prefix: records every open stream has read past.
		safe := len(got)
		var frontier *datasources.Cursor
		for _, s := range streams {
			if !s.done && (frontier == nil || datasources.Less(s.after, *frontier)) {
				f := s.after
				frontier = &f
			}
		}
		if frontier != nil {
			safe = 0
			for safe < len(got) && !datasources.Less(*frontier, got[safe].row.Cursor) {
				safe++
			}
		}
		if safe >= want || frontier == nil || round == maxRounds-1 {
			var keep []candidate
			switch {
			case safe > req.First:
				keep, page.HasNext = got[:req.First], true
			case frontier != nil:
				// Out of rounds: what is safe so far, and a cursor to go on.
				keep, page.HasNext, page.End = got[:safe], true, *frontier
			default:
				keep = got
			}
			for _, c := range keep {
				if c.s.failed != nil {
					continue
				}
				rec, err := c.row.Record()
				if err != nil {
					c.s.failed = l.unavailable(ctx, c.s.dept.Code, err)
					continue
				}
				page.Records = append(page.Records, rec)
			}
			// A department whose rows did not decode is left out whole.
			if len(page.Records) > 0 {
				page.Records = slices.DeleteFunc(page.Records, func(r credit.Record) bool {
					for _, s := range streams {
						if s.failed != nil && s.dept.Code == r.Common().Ref.Source {
							return true
						}
					}
					return false
				})
			}
			for _, s := range streams {
				if s.failed != nil {
					page.Failed = append(page.Failed, SourceStatus{Department: s.dept, Err: s.failed})
				}
			}
			return page
		}
		chunk *= 2
	}
}

func compareCursors(a, b datasources.Cursor) int {
	switch {
	case datasources.Less(a, b):
		return -1
	case datasources.Less(b, a):
		return 1
	}
	return 0
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
		if dep.Internal || (!registryKnown && dep.Source.NeedsRegistry()) {
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
		if dep.Internal || (req.Subject.IsPerson() && !dep.Source.HoldsPersons()) {
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
