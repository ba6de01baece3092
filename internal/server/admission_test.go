package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"credithub/internal/app/apptest"
)

// An instance runs at most CREDITHUB_MAX_IN_FLIGHT operations at once: the
// next waits for a turn and gets it when one ends, or is refused with
// OVERLOADED once the wait is over, having run nothing. The test holds the
// turns itself, so what it checks does not depend on timing.
func TestAdmissionBoundsOperationsAtOnce(t *testing.T) {
	t.Parallel()
	base := apptest.Shared(t, apptest.Options{Entities: 50})
	h := base.Variant(t, map[string]string{"CREDITHUB_MAX_IN_FLIGHT": "2", "CREDITHUB_QUEUE_WAIT": "300ms"})
	if got := h.Admission.Limit(); got != 2 {
		t.Fatalf("admission limit = %d, want 2 from CREDITHUB_MAX_IN_FLIGHT", got)
	}
	var releases []func()
	for range 2 {
		release, ok := h.Admission.Enter(context.Background())
		if !ok {
			t.Fatal("an idle instance refused a turn")
		}
		releases = append(releases, release)
	}
	headers := apptest.As(t, "department", "market", "", "entity:read", "record:read")
	const query = `{ entities(first: 1) { edges { node { uscc name } } } }`

	// Both turns taken: refused after the wait, nothing run.
	r := h.Do(t, query, nil, headers)
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("status %d, Retry-After %q, want 503 and 1: %s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	if len(r.Errors) != 1 || r.Errors[0].Code() != "OVERLOADED" || r.Errors[0].Extensions["limit"] != float64(2) {
		t.Fatalf("want one OVERLOADED error naming the limit 2: %s", r.Body)
	}
	if r.Data != nil || strings.Contains(string(r.Body), `"data"`) || r.Extensions["sqlStatements"] != nil {
		t.Errorf("a refused request ran, or says it did: %s", r.Body)
	}

	// A document refused before execution does not wait for a turn.
	if r := h.Do(t, `{ nope }`, nil, headers); len(r.Errors) == 0 || r.Errors[0].Code() != "GRAPHQL_VALIDATION_FAILED" {
		t.Errorf("an invalid document, with every turn taken: want GRAPHQL_VALIDATION_FAILED, got %s", r.Body)
	}

	// A request that waits runs as soon as a turn ends.
	h2 := base.Variant(t, map[string]string{"CREDITHUB_MAX_IN_FLIGHT": "1", "CREDITHUB_QUEUE_WAIT": "1m"})
	hold, ok := h2.Admission.Enter(context.Background())
	if !ok {
		t.Fatal("an idle instance refused a turn")
	}
	done := make(chan *apptest.Response)
	go func() { done <- h2.Do(t, query, nil, headers) }()
	for h2.Admission.Waiting() == 0 {
		select {
		case r := <-done:
			t.Fatalf("answered without a turn: %s", r.Body)
		case <-time.After(5 * time.Millisecond):
		}
	}
	hold()
	if r := <-done; r.Status != http.StatusOK || len(r.Errors) != 0 || apptest.Get(r.Data, "entities", "edges", 0, "node", "uscc") == nil {
		t.Fatalf("the waiting request, once a turn ended: %d %s", r.Status, r.Body)
	}
	for _, release := range releases {
		release()
	}

	// Each refusal is counted by reason; each admitted wait is observed.
	resp, err := http.Get(h.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	metrics, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(metrics), `credithub_refused_total{reason="OVERLOADED"} 1`) {
		t.Errorf("/metrics does not count the one OVERLOADED refusal")
	}
}
