package datasources

import (
	"slices"

	"credithub/internal/credit"
)

// Stream is one department's records in the record order, as the merge
// reads it: in chunks after a cursor.
type Stream struct {
	// Read starts reading up to limit rows after the cursor (in the record
	// order) and returns the wait for them. The merge starts every open
	// stream's read of a round before it waits for any, so the reads run
	// concurrently (batched loads, goroutines: the caller's way).
	Read func(after Cursor, limit int) func() ([]*Row, error)
	// Undecodable, when set, turns a row that did not decode into the
	// stream's failure (the error itself otherwise).
	Undecodable func(error) error
}

// MergeRequest is one page of a merge.
type MergeRequest struct {
	After Cursor
	First int
	// Visible, when set, drops records row by row (what SQL cannot tell);
	// the streams are then read on, in doubling chunks, until the page is
	// full.
	Visible func(credit.Record) bool
}

// MergedPage is a page of the merge.
type MergedPage struct {
	Records []credit.Record
	HasNext bool
	// End is where the next page starts when it is not the last record's
	// position (the reads ran out of rounds); zero otherwise.
	End Cursor
	// Failed holds, per stream (same index), why it failed; nil when it
	// answered. A failed stream's records are left out of the page whole.
	Failed []error
}

// mergeRounds bounds the reads of one page when Visible drops records.
const mergeRounds = 6

// Merge merges the streams' records into one page in the record order.
// A record is placed on the page only once every stream still open has
// read past it, so the page is exactly the first First records of the
// merge, and pages after End (or after the last record) never skip or
// repeat one. The first round asks each stream for First+1 rows (the extra
// one tells whether there is a next page); without Visible that one round
// is always enough, since the stream with the lowest last row alone
// supplies First+1. A round's chunk doubles the last one's.
func Merge(streams []Stream, req MergeRequest) MergedPage {
	type state struct {
		after  Cursor
		done   bool
		failed error
	}
	st := make([]state, len(streams))
	for i := range st {
		st[i].after = req.After
	}
	fail := func(i int, err error) {
		if u := streams[i].Undecodable; u != nil {
			err = u(err)
		}
		st[i].failed, st[i].done = err, true
	}
	type candidate struct {
		row    *Row
		stream int
	}
	var page MergedPage
	var got []candidate
	want := req.First + 1
	chunk := want
	for round := 0; ; round++ {
		waits := make([]func() ([]*Row, error), len(streams))
		for i := range streams {
			if !st[i].done {
				waits[i] = streams[i].Read(st[i].after, chunk)
			}
		}
		for i, wait := range waits {
			if wait == nil {
				continue
			}
			rows, err := wait()
			if err != nil {
				st[i].failed, st[i].done = err, true
				continue
			}
			if len(rows) < chunk {
				st[i].done = true
			}
			if len(rows) > 0 {
				st[i].after = rows[len(rows)-1].Cursor
			}
			for _, r := range rows {
				if req.Visible != nil {
					rec, err := r.Record()
					if err != nil {
						fail(i, err)
						break
					}
					if !req.Visible(rec) {
						continue
					}
				}
				got = append(got, candidate{r, i})
			}
		}
		slices.SortFunc(got, func(a, b candidate) int { return compareCursors(a.row.Cursor, b.row.Cursor) })
		// The safe prefix: records every open stream has read past.
		var frontier *Cursor
		for i := range st {
			if !st[i].done && (frontier == nil || Less(st[i].after, *frontier)) {
				f := st[i].after
				frontier = &f
			}
		}
		safe := len(got)
		if frontier != nil {
			safe = 0
			for safe < len(got) && !Less(*frontier, got[safe].row.Cursor) {
				safe++
			}
		}
		if safe < want && frontier != nil && round < mergeRounds-1 {
			chunk *= 2
			continue
		}
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
		recs := make([]credit.Record, 0, len(keep))
		from := make([]int, 0, len(keep))
		for _, c := range keep {
			if st[c.stream].failed != nil {
				continue
			}
			rec, err := c.row.Record()
			if err != nil {
				fail(c.stream, err)
				continue
			}
			recs, from = append(recs, rec), append(from, c.stream)
		}
		// A stream that failed (even on its last row) is left out whole.
		for j, rec := range recs {
			if st[from[j]].failed == nil {
				page.Records = append(page.Records, rec)
			}
		}
		page.Failed = make([]error, len(streams))
		for i := range st {
			page.Failed[i] = st[i].failed
		}
		return page
	}
}

func compareCursors(a, b Cursor) int {
	switch {
	case Less(a, b):
		return -1
	case Less(b, a):
		return 1
	}
	return 0
}
