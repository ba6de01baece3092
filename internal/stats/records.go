package stats

import (
	"context"
	"slices"
	"sync"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/loaders"
)

// RecordsRequest is a page of the city-wide stream of records.
type RecordsRequest struct {
	// EntityKinds and PersonKinds are the kinds the caller may read (and
	// asked for) among records about entities and about persons.
	EntityKinds, PersonKinds []credit.Kind
	// Own and OwnKinds, when the caller is an entity: itself, with every
	// key it may be filed under, and the kinds it may read of its own
	// records beyond EntityKinds (datasources.CityQuery).
	Own       datasources.Subject
	OwnKinds  []credit.Kind
	Sources   []string // department codes; empty: all
	Divisions []string // nil: all
	From, To  string
	After     datasources.Cursor
	First     int
	// Visible, when set, drops records row by row (a public caller and a
	// record past its publicity period); the streams are then read on
	// until the page is full.
	Visible func(credit.Record) bool
}

// RecordsPage is a page of the stream.
type RecordsPage struct {
	Records []credit.Record
	HasNext bool
	// End is where the next page starts when it is not the last record's
	// position (the reads ran out of rounds).
	End    datasources.Cursor
	Failed []Failure
}

const maxRounds = 6

// Records merges every department's records (and the hub's own) into one
// page in the graph's record order: newest decision first, then
// department, kind and row id. Each department is a stream read after the
// page's cursor, one statement per round (one round unless records are
// dropped row by row); a record reaches the page only once every stream
// still open has read past it, so pages never skip or repeat a record.
func (s *Service) Records(ctx context.Context, req RecordsRequest) RecordsPage {
	l := loaders.For(ctx)
	cat, today := l.Catalogue(), l.Today()
	var page RecordsPage
	var divs datasources.EntityDivisions
	var byUSCC, usccOf map[string]string
	{
		d, by, err := s.divisions(ctx)
		if err != nil && by == nil && (req.Divisions != nil) {
			if m, ok := datasources.DepartmentByCode(datasources.Market); ok {
				page.Failed = append(page.Failed, Failure{Department: *m, Err: err})
			}
		}
		divs, byUSCC = only(d, req.Divisions), by
		if req.Own.USCC != "" && req.Own.RegNo == "" {
			// The calling entity's old registration number, from the
			// registry's map the stream reads anyway.
			if i := slices.Index(d.USCCs, req.Own.USCC); i >= 0 {
				req.Own.RegNo = d.RegNos[i]
			}
		}
		s.mu.Lock()
		usccOf = s.usccOf
		s.mu.Unlock()
	}
	annotate := func(rec credit.Record) {
		b := rec.Common()
		if b.Subject == (credit.Subject{}) && b.LegacyKey != nil {
			// Filed under an old key only: the registry knows whose it is.
			b.Subject.USCC = usccOf[*b.LegacyKey]
		}
		cat.Annotate(rec, today)
		s.State.Apply(rec)
	}
	type stream struct {
		dept   credit.Department
		read   func(after datasources.Cursor, limit int) ([]*datasources.Row, error)
		after  datasources.Cursor
		done   bool
		failed error
	}
	var streams []*stream
	wantSource := func(code string) bool { return len(req.Sources) == 0 || slices.Contains(req.Sources, code) }
	for _, dep := range l.Departments() {
		d := dep.Source.Department()
		if dep.Internal {
			continue
		}
		cr, ok := dep.Source.(datasources.CityReader)
		if !ok || !wantSource(d.Code) {
			continue
		}
		st := &stream{dept: d, after: req.After}
		st.read = func(after datasources.Cursor, limit int) ([]*datasources.Row, error) {
			ctx := ctx
			if dep.Timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, dep.Timeout)
				defer cancel()
			}
			return cr.CityRows(ctx, datasources.CityQuery{EntityKinds: req.EntityKinds, PersonKinds: req.PersonKinds,
				Own: req.Own, OwnKinds: req.OwnKinds, From: req.From, To: req.To, FilterDivisions: req.Divisions != nil, Divisions: divs, After: after, Limit: limit})
		}
		streams = append(streams, st)
	}
	// The hub's own records, from memory; their source is the identifying
	// department, so the filter on sources applies to it.
	ek, pk, ok := kindSet(req.EntityKinds), kindSet(req.PersonKinds), kindSet(req.OwnKinds)
	hubRecs := s.State.Matching(func(r credit.Record) bool {
		b := r.Common()
		if b.Source == nil || !wantSource(b.Source.Code) {
			return false
		}
		if (req.From != "" && b.DecisionDate.String() < req.From) || (req.To != "" && b.DecisionDate.String() > req.To) {
			return false
		}
		if b.Subject.IsPerson() {
			return req.Divisions == nil && pk[b.Kind]
		}
		mine := req.Own.USCC != "" && b.Subject.USCC == req.Own.USCC && ok[b.Kind]
		return (ek[b.Kind] || mine) && (req.Divisions == nil || slices.Contains(req.Divisions, byUSCC[b.Subject.USCC]))
	})
	streams = append(streams, &stream{dept: hubdb.Office, read: func(after datasources.Cursor, limit int) ([]*datasources.Row, error) {
		var out []*datasources.Row
		for _, r := range hubRecs {
			if after != (datasources.Cursor{}) && !datasources.Less(after, datasources.CursorOf(r)) {
				continue
			}
			out = append(out, datasources.DecodedRow(r))
			if len(out) == limit {
				break
			}
		}
		return out, nil
	}, after: req.After})

	type candidate struct {
		row *datasources.Row
		s   *stream
	}
	var got []candidate
	want := req.First + 1
	chunk := want
	for round := 0; ; round++ {
		type answer struct {
			rows []*datasources.Row
			err  error
		}
		answers := make([]answer, len(streams))
		var wg sync.WaitGroup
		for i, st := range streams {
			if st.done {
				continue
			}
			wg.Go(func() { answers[i].rows, answers[i].err = st.read(st.after, chunk) })
		}
		wg.Wait()
		for i, st := range streams {
			if st.done {
				continue
			}
			rows, err := answers[i].rows, answers[i].err
			if err != nil {
				st.failed, st.done = err, true
				continue
			}
			if len(rows) < chunk {
				st.done = true
			}
			if len(rows) > 0 {
				st.after = rows[len(rows)-1].Cursor
			}
			for _, r := range rows {
				r.Then = annotate
				if req.Visible != nil {
					rec, err := r.Record()
					if err != nil {
						st.failed, st.done = err, true
						break
					}
					if !req.Visible(rec) {
						continue
					}
				}
				got = append(got, candidate{r, st})
			}
		}
		slices.SortFunc(got, func(a, b candidate) int { return compareCursors(a.row.Cursor, b.row.Cursor) })
		var frontier *datasources.Cursor
		for _, st := range streams {
			if !st.done && (frontier == nil || datasources.Less(st.after, *frontier)) {
				f := st.after
				frontier = &f
			}
		}
		safe := len(got)
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
					c.s.failed = err
					continue
				}
				page.Records = append(page.Records, rec)
			}
			page.Records = slices.DeleteFunc(page.Records, func(r credit.Record) bool {
				for _, st := range streams {
					if st.failed != nil && st.dept.Code == r.Common().Ref.Source {
						return true
					}
				}
				return false
			})
			for _, st := range streams {
				if st.failed != nil {
					page.Failed = append(page.Failed, Failure{Department: st.dept, Err: st.failed})
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
