package main

import (
	"encoding/json"
	"slices"
	"testing"

	"credithub/internal/credit"
	"credithub/internal/gid"
)

func TestFirstDifference(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		a, b []string
		want string
	}{
		{"same", []string{"x", "y"}, []string{"x", "y"}, ""},
		{"order", []string{"x", "y"}, []string{"y", "x"}, "at position 1: x against y"},
		{"shorter", []string{"x"}, []string{"x", "y"}, "1 identifiers against 2"},
		{"empty", nil, nil, "both pages are empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := firstDifference(tc.a, tc.b); got != tc.want {
				t.Errorf("firstDifference = %q, want %q", got, tc.want)
			}
		})
	}
}

// The two systems' answers are read into the same identifiers: a hub
// record ID becomes its source, kind and row id, as PostGraphile's rowId
// (a bigint, given as a string) is read.
func TestRecordIdentifiersMatch(t *testing.T) {
	t.Parallel()
	var records list
	for _, l := range lists {
		if l.name == "records" {
			records = l
		}
	}
	id := gid.Record(credit.Ref{Source: "market", Kind: credit.KindPenalty, LocalID: 25643})
	hub, _ := json.Marshal(map[string]any{"records": map[string]any{"edges": []any{map[string]any{"node": map[string]any{"id": id}}}}})
	pgl := json.RawMessage(`{"allAdminPenalties":{"edges":[{"node":{"rowId":"25643"}}]}}`)
	a, err := records.hubIDs(hub)
	if err != nil {
		t.Fatal(err)
	}
	b, err := records.pglIDs(pgl)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) || len(a) != 1 {
		t.Errorf("hub %v, PostGraphile %v: want the same one identifier", a, b)
	}
}
