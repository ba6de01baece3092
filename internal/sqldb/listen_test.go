package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"credithub/internal/sqldb"
)

// Run returns once its context ends, whatever the loop was doing then. The
// hub's Close waits for every runner, so a listener that did not return
// held a test binary until its 15-minute timeout (CI, issue #11's run):
// pq closes Notify when the listener closes, and a closed channel is
// always ready to the loop that drains it. Here the context ends while
// Handle runs, so that both the closed channel and ctx.Done are ready at
// the next select; each round the loop must return.
func TestListenerReturnsWhenItsContextEnds(t *testing.T) {
	dsn := os.Getenv("DATABASE_URL")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	channel := fmt.Sprintf("listen_test_%d", time.Now().UnixNano())

	for round := range 8 {
		ctx, cancel := context.WithCancel(context.Background())
		handled := make(chan struct{}, 1)
		l := &sqldb.Listener{
			DSN:     dsn,
			Channel: channel,
			Every:   time.Hour,
			Ready: func(context.Context) {
				if _, err := db.Exec("SELECT pg_notify($1, 'x')", channel); err != nil {
					t.Error(err)
				}
			},
			Handle: func(context.Context, []string, bool) {
				cancel()
				// Give the listener's close (an AfterFunc of ctx) time to
				// close Notify before the loop selects again.
				time.Sleep(50 * time.Millisecond)
				select {
				case handled <- struct{}{}:
				default:
				}
			},
		}
		done := make(chan struct{})
		go func() { l.Run(ctx); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cancel()
			t.Fatalf("round %d: Run did not return 30 s after its context ended", round)
		}
		select {
		case <-handled:
		default:
			t.Fatalf("round %d: the notice was never handled", round)
		}
	}
}
