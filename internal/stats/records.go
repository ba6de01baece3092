package stats

import (
	"context"
	"slices"

	"credithub/datasources"
	"credithub/internal/credit"
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

// Records merges every department's records (and the hub's own, from its
// database like a department's) into one page in the graph's record order
// (datasources.Merge): newest decision first, then department, kind and
// row id. Each department is a stream read directly after the page's
// cursor, one statement per round (one round unless records are dropped
// row by row), each in its own goroutine.
func (s *Service) Records(ctx context.Context, req RecordsRequest) RecordsPage {
	l := loaders.For(ctx)
	cat, today := l.Catalogue(), l.Today()
	var page RecordsPage
	var divs datasources.EntityDivisions
	var usccOf map[string]string
	{
		d, by, err := s.divisions(ctx)
		if err != nil && by == nil && (req.Divisions != nil) {
			if m, ok := datasources.DepartmentByCode(datasources.Market); ok {
				page.Failed = append(page.Failed, Failure{Department: *m, Err: err})
			}
		}
		divs = only(d, req.Divisions)
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
	// read is a stream's read as datasources.Merge wants it: started in a
	// goroutine, its rows annotated by the hub once decoded.
	read := func(rows func(after datasources.Cursor, limit int) ([]*datasources.Row, error)) func(datasources.Cursor, int) func() ([]*datasources.Row, error) {
		return func(after datasources.Cursor, limit int) func() ([]*datasources.Row, error) {
			var got []*datasources.Row
			var err error
			done := make(chan struct{})
			go func() {
				defer close(done)
				got, err = rows(after, limit)
				for _, r := range got {
					r.Then = annotate
				}
			}()
			return func() ([]*datasources.Row, error) {
				<-done
				return got, err
			}
		}
	}
	var depts []credit.Department
	var streams []datasources.Stream
	wantSource := func(code string) bool { return len(req.Sources) == 0 || slices.Contains(req.Sources, code) }
	for _, dep := range l.Departments() {
		d := dep.Source.Department()
		cr, ok := dep.Source.(datasources.CityReader)
		// The hub's own records are shown under the department that
		// decided each: the filter on sources applies to its rows.
		if !ok || (!dep.Internal && !wantSource(d.Code)) {
			continue
		}
		q := datasources.CityQuery{EntityKinds: req.EntityKinds, PersonKinds: req.PersonKinds,
			Own: req.Own, OwnKinds: req.OwnKinds, From: req.From, To: req.To, FilterDivisions: req.Divisions != nil, Divisions: divs}
		if dep.Internal {
			q.Sources = req.Sources
		}
		depts = append(depts, d)
		streams = append(streams, datasources.Stream{Read: read(func(after datasources.Cursor, limit int) ([]*datasources.Row, error) {
			ctx := ctx
			if dep.Timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, dep.Timeout)
				defer cancel()
			}
			q := q
			q.After, q.Limit = after, limit
			return cr.CityRows(ctx, q)
		})})
	}

	m := datasources.Merge(streams, datasources.MergeRequest{After: req.After, First: req.First, Visible: req.Visible})
	page.Records, page.HasNext, page.End = m.Records, m.HasNext, m.End
	for i, err := range m.Failed {
		if err != nil {
			page.Failed = append(page.Failed, Failure{Department: depts[i], Err: err})
		}
	}
	return page
}
