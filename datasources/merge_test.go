package datasources

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"credithub/internal/credit"
	"credithub/internal/scalars"
)

// fakeStream is a department's records in memory, read the way Merge
// reads a stream. fail, when set, answers the read of that call number
// (0 the first) with an error.
type fakeStream struct {
	recs   []credit.Record
	limits []int // the limit of each read, in order
	fail   map[int]error
	undec  int64 // the LocalID of a row that does not decode; 0: none
}

func (f *fakeStream) stream() Stream {
	return Stream{Read: func(after Cursor, limit int) func() ([]*Row, error) {
		call := len(f.limits)
		f.limits = append(f.limits, limit)
		return func() ([]*Row, error) {
			if err := f.fail[call]; err != nil {
				return nil, err
			}
			var out []*Row
			for _, r := range f.recs {
				if after != (Cursor{}) && !Less(after, CursorOf(r)) {
					continue
				}
				row := DecodedRow(r)
				if r.Common().Ref.LocalID == f.undec {
					row = undecodable(r)
				}
				out = append(out, row)
				if len(out) == limit {
					break
				}
			}
			return out, nil
		}
	}}
}

// undecodable is a row of a table whose decoding fails.
func undecodable(r credit.Record) *Row {
	ref := r.Common().Ref
	src := &TableSource{Dept: credit.Department{Code: ref.Source}, Tables: []RecordTable{{Kind: ref.Kind,
		Decode: func([]byte) (credit.Record, error) { return nil, errors.New("bad row") }}}}
	return &Row{Cursor: CursorOf(r), kind: ref.Kind, id: ref.LocalID, raw: []byte("{}"), src: src}
}

// fakeStreams are three departments of n records each, their decision
// dates interleaved (and often equal across departments), each in the
// record order.
func fakeStreams(n int) []*fakeStream {
	var out []*fakeStream
	for s, code := range []string{Market, Environment, Fire} {
		f := &fakeStream{}
		for i := 1; i <= n; i++ {
			day := 1 + (i*7+s*3)%28
			f.recs = append(f.recs, &credit.Base{
				DecisionDate: scalars.NewDate(2020, time.Month(1+(i*5+s)%12), day),
				Ref:          credit.Ref{Source: code, Kind: credit.Kind(fmt.Sprint("k", i%2)), LocalID: int64(i)},
			})
		}
		slices.SortFunc(f.recs, func(a, b credit.Record) int { return compareCursors(CursorOf(a), CursorOf(b)) })
		out = append(out, f)
	}
	return out
}

func streamsOf(fs []*fakeStream) []Stream {
	var out []Stream
	for _, f := range fs {
		out = append(out, f.stream())
	}
	return out
}

// walk reads every page of the merge, each after the last one's cursor.
func walk(t *testing.T, fs []*fakeStream, first int, visible func(credit.Record) bool) (got []Cursor, ends int) {
	t.Helper()
	var after Cursor
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatal("the walk does not end")
		}
		p := Merge(streamsOf(fs), MergeRequest{After: after, First: first, Visible: visible})
		if len(p.Records) > first {
			t.Fatalf("page of %d records, asked for %d", len(p.Records), first)
		}
		for _, r := range p.Records {
			got = append(got, CursorOf(r))
		}
		if !p.HasNext {
			return got, ends
		}
		switch {
		case p.End != (Cursor{}):
			ends++
			after = p.End
		case len(p.Records) > 0:
			after = CursorOf(p.Records[len(p.Records)-1])
		default:
			t.Fatal("a next page, but no cursor to read it from")
		}
	}
}

func TestMergeWalksEveryRecordOnceInOrder(t *testing.T) {
	for _, tc := range []struct {
		name    string
		keep    int64 // a record is visible when LocalID%keep == 0
		first   int
		wantEnd bool // some page runs out of rounds
	}{
		{"no filter", 1, 7, false},
		{"one in five visible", 5, 4, false},
		{"one in a hundred visible", 100, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := fakeStreams(1000)
			var visible func(credit.Record) bool
			if tc.keep > 1 {
				visible = func(r credit.Record) bool { return r.Common().Ref.LocalID%tc.keep == 0 }
			}
			var want []Cursor
			for _, f := range fs {
				for _, r := range f.recs {
					if visible == nil || visible(r) {
						want = append(want, CursorOf(r))
					}
				}
			}
			slices.SortFunc(want, compareCursors)
			got, ends := walk(t, fs, tc.first, visible)
			if !slices.Equal(got, want) {
				t.Fatalf("walked %d records, want every one of %d once in order", len(got), len(want))
			}
			if tc.wantEnd != (ends > 0) {
				t.Errorf("%d pages ended on a cursor other than their last record's, want some: %v", ends, tc.wantEnd)
			}
		})
	}
}

func TestMergeDoublesChunksWhileRowsAreDropped(t *testing.T) {
	fs := fakeStreams(1000)
	p := Merge(streamsOf(fs), MergeRequest{First: 5, Visible: func(r credit.Record) bool { return r.Common().Ref.LocalID%20 == 0 }})
	if len(p.Records) != 5 || !p.HasNext {
		t.Fatalf("page of %d records (next %v), want 5 and a next page", len(p.Records), p.HasNext)
	}
	for i, f := range fs {
		if len(f.limits) < 2 {
			t.Errorf("stream %d read %v, want reads on after the first chunk", i, f.limits)
		}
		for j, n := range f.limits {
			if want := 6 << j; n != want {
				t.Errorf("stream %d read %v: read %d asked %d rows, want %d", i, f.limits, j, n, want)
			}
		}
	}

	// Without a filter one read of First+1 per stream is enough.
	fs = fakeStreams(1000)
	Merge(streamsOf(fs), MergeRequest{First: 5})
	for i, f := range fs {
		if !slices.Equal(f.limits, []int{6}) {
			t.Errorf("without a filter, stream %d read %v, want [6]", i, f.limits)
		}
	}
}

func TestMergeLeavesOutAFailedStreamWhole(t *testing.T) {
	boom := errors.New("department down")
	visible := func(r credit.Record) bool { return r.Common().Ref.LocalID%10 == 0 }
	fs := fakeStreams(300)
	// The second department answers the first round, then fails: what it
	// sent already must not reach the page.
	fs[1].fail = map[int]error{1: boom}
	p := Merge(streamsOf(fs), MergeRequest{First: 4, Visible: visible})
	if len(fs[1].limits) < 2 {
		t.Fatalf("the failing stream was read %v times, the test needs a second round", fs[1].limits)
	}
	checkLeftOut(t, p, 1, boom)
	if len(p.Records) == 0 {
		t.Errorf("empty page, want the records of the departments that answered")
	}

	// A row that does not decode fails its stream, through Undecodable,
	// even when others of its rows were already on the page.
	// The undecodable row is the stream's second on the page.
	var ids []int64
	for _, r := range Merge(streamsOf(fakeStreams(300)), MergeRequest{First: 60}).Records {
		if b := r.Common(); b.Ref.Source == Fire {
			ids = append(ids, b.Ref.LocalID)
		}
	}
	if len(ids) < 2 {
		t.Fatalf("the page holds %d records of the third stream, the test needs 2", len(ids))
	}
	fs = fakeStreams(300)
	fs[2].undec = ids[1]
	streams := streamsOf(fs)
	streams[2].Undecodable = func(err error) error { return fmt.Errorf("mapped: %w", err) }
	p = Merge(streams, MergeRequest{First: 60})
	var de *DecodeError
	if !errors.As(p.Failed[2], &de) || p.Failed[2].Error()[:7] != "mapped:" {
		t.Errorf("Failed[2] = %v, want the decode error through Undecodable", p.Failed[2])
	}
	checkLeftOut(t, p, 2, nil)
}

// checkLeftOut checks that stream i failed (with want, when set), alone,
// and that none of its records is on the page.
func checkLeftOut(t *testing.T, p MergedPage, i int, want error) {
	t.Helper()
	for j, err := range p.Failed {
		switch {
		case j == i && err == nil:
			t.Errorf("stream %d did not fail", j)
		case j == i && want != nil && !errors.Is(err, want):
			t.Errorf("stream %d failed with %v, want %v", j, err, want)
		case j != i && err != nil:
			t.Errorf("stream %d failed: %v", j, err)
		}
	}
	code := []string{Market, Environment, Fire}[i]
	for _, r := range p.Records {
		if r.Common().Ref.Source == code {
			t.Errorf("record %v of the failed department is on the page", r.Common().Ref)
		}
	}
	for j := 1; j < len(p.Records); j++ {
		if !Less(CursorOf(p.Records[j-1]), CursorOf(p.Records[j])) {
			t.Errorf("records %d and %d out of order", j-1, j)
		}
	}
}
