// Command feedbench measures the agencies' change feed (issue #15 point
// 4a, T30) of a running hub: how many changes per second one agency client
// receives, paging through the feed with `changes(since:, first: 100)` as
// fast as the hub answers, one page after the other.
//
// The feed starts empty on a fresh hub (the departments' history is not in
// it). With -fill the tool first takes the departments' records into the
// feed the way the hub's follower takes in new ones — it is the hub's own
// follower (internal/feed), run from the start of every department table
// instead of its end — so that the feed holds one change per department
// record, over all the world's entities. It reports the follower's rate
// too.
//
// See dev/bench/README.md for the command and the figures.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"credithub/auth"
	"credithub/datasources"
	"credithub/datasources/court"
	"credithub/datasources/environment"
	"credithub/datasources/fire"
	"credithub/datasources/housing"
	"credithub/datasources/market"
	"credithub/internal/app"
	"credithub/internal/feed"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/sqldb"
)

// The selections measured: the changes alone, and each with its record
// as the agency sees it (one statement per department a page shows).
var selections = map[string]string{
	"changes": `nodes { id cursor kind action uscc recordId }`,
	"records": `nodes { id cursor kind action uscc recordId record { id kind source { code } decisionDate summary status publicity } }`,
}

func main() {
	url := flag.String("url", "http://127.0.0.1:8090", "the hub")
	fill := flag.Bool("fill", false, "take every department record into the feed first (through the hub's follower, from each table's start), unless it holds department records already")
	duration := flag.Duration("duration", 60*time.Second, "how long to page (0: to the end of the feed)")
	selection := flag.String("select", "records", "what each change asks for: changes or records")
	scopes := flag.String("scopes", "entity:read record:read", "the agency token's scopes")
	flag.Parse()
	q, ok := selections[*selection]
	if !ok {
		fail("-select must be changes or records")
	}
	ctx := context.Background()
	if *fill {
		if err := fillFeed(ctx); err != nil {
			fail("filling the feed: %v", err)
		}
	}
	token, err := auth.MintDev(auth.DevToken{Kind: auth.KindAgency, Org: "agency-bench", Scopes: strings.Fields(*scopes), TTL: 30 * time.Minute})
	if err != nil {
		fail("minting the agency's token: %v", err)
	}
	query := `query Feed($since: String) { changes(since: $since, first: 100) { cursor hasMore ` + q + ` } }`
	client := &http.Client{Timeout: time.Minute}
	var (
		since            string
		changes, pages   int
		entities         = map[string]bool{}
		latencies        []time.Duration
		hubStmts, others []int
	)
	start := time.Now()
	for *duration == 0 || time.Since(start) < *duration {
		t0 := time.Now()
		page, stmts, err := post(ctx, client, *url, token, query, since)
		if err != nil {
			fail("page %d: %v", pages+1, err)
		}
		latencies = append(latencies, time.Since(t0))
		pages++
		changes += len(page.Nodes)
		for _, n := range page.Nodes {
			if n.USCC != "" {
				entities[n.USCC] = true
			}
		}
		hubStmts = append(hubStmts, stmts["hub"])
		rest := 0
		for db, n := range stmts {
			if db != "hub" {
				rest += n
			}
		}
		others = append(others, rest)
		since = page.Cursor
		if !page.HasMore {
			break
		}
	}
	took := time.Since(start)
	slices.Sort(latencies)
	slices.Sort(hubStmts)
	slices.Sort(others)
	fmt.Printf("| selection | changes | pages | seconds | changes/s | page median | page p99 | entities | statements per page (hub; departments) |\n")
	fmt.Printf("|---|---|---|---|---|---|---|---|---|\n")
	fmt.Printf("| %s | %d | %d | %.1f | %.0f | %s | %s | %d | %d; %d (median), %d; %d (max) |\n",
		*selection, changes, pages, took.Seconds(), float64(changes)/took.Seconds(),
		round(latencies[len(latencies)/2]), round(latencies[(len(latencies)*99+99)/100-1]), len(entities),
		hubStmts[len(hubStmts)/2], others[len(others)/2], hubStmts[len(hubStmts)-1], others[len(others)-1])
}

type page struct {
	Cursor  string `json:"cursor"`
	HasMore bool   `json:"hasMore"`
	Nodes   []struct {
		USCC string `json:"uscc"`
	} `json:"nodes"`
}

func post(ctx context.Context, client *http.Client, url, token, query, since string) (*page, map[string]int, error) {
	vars := map[string]any{}
	if since != "" {
		vars["since"] = since
	}
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Data struct {
			Changes *page `json:"changes"`
		} `json:"data"`
		Errors     []json.RawMessage `json:"errors"`
		Extensions struct {
			Statements map[string]int `json:"sqlStatements"`
		} `json:"extensions"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, nil, fmt.Errorf("status %d: %.300s", resp.StatusCode, b)
	}
	if len(out.Errors) > 0 || out.Data.Changes == nil {
		return nil, nil, fmt.Errorf("status %d: %.600s", resp.StatusCode, b)
	}
	return out.Data.Changes, out.Extensions.Statements, nil
}

// fillFeed takes every department record into the feed through the hub's
// follower, from the start of each table, unless the feed holds
// department records already (filling twice would add them twice).
func fillFeed(ctx context.Context) error {
	cfg, err := app.FromEnv(os.Getenv)
	if err != nil {
		return err
	}
	dbs := map[string]*sqldb.DB{}
	for _, name := range app.DatabaseNames {
		c := cfg.Databases[name]
		c.Timeout = 10 * time.Minute
		db, err := sqldb.Open(c)
		if err != nil {
			return err
		}
		defer db.Close()
		dbs[name] = db
	}
	hub := dbs["hub"]
	var held int
	if err := hub.GetContext(ctx, &held, `SELECT count(*) FROM feed_change WHERE kind = 'RECORD' AND action = 'ADDED'
		AND record_kind NOT IN ('COMMITMENT_BREACH', 'INTERVIEW', 'LISTING', 'KEY_ATTENTION')`); err != nil {
		return fmt.Errorf("%w (start the hub once first: it migrates its database)", err)
	}
	if held > 0 {
		logf("the feed holds %d department records already; not filled again", held)
		return nil
	}
	sealer, err := gid.NewSealer(cfg.PersonIDKey)
	if err != nil {
		return err
	}
	marketDB := dbs[datasources.Market]
	f := &feed.Follower{
		DB: hubdb.New(hub.DB),
		Feeds: []datasources.Feed{
			market.NewSource(marketDB), environment.NewSource(dbs[datasources.Environment]), fire.NewSource(dbs[datasources.Fire]),
			housing.NewSource(dbs[datasources.Housing]), court.NewSource(dbs[datasources.Court]),
		},
		Registry: &market.RegistryStore{DB: marketDB}, Keys: sealer, Batch: 5000, ReadTimeout: time.Minute,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	}
	// The hub set every watermark at its table's end on its first start:
	// back to the start, as if every record had been added since.
	if _, err := hub.ExecContext(ctx, `UPDATE feed_watermark SET last_id = 0`); err != nil {
		return err
	}
	start, added := time.Now(), 0
	for {
		res, err := f.Tick(ctx)
		if err != nil {
			return err
		}
		if len(res.Failed) > 0 {
			return fmt.Errorf("departments not read: %v", res.Failed)
		}
		added += res.Added
		if res.Busy {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		logf("follower: %d changes so far (%.0f a second)", added, float64(added)/time.Since(start).Seconds())
		if res.Added == 0 {
			break
		}
	}
	logf("follower: took %d department records into the feed in %s (%.0f a second)", added, time.Since(start).Round(time.Second), float64(added)/time.Since(start).Seconds())
	_, err = hub.ExecContext(ctx, `ANALYZE feed_change`)
	return err
}

func round(d time.Duration) string { return d.Round(100 * time.Microsecond).String() }

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

func fail(format string, args ...any) {
	logf("feedbench: "+format, args...)
	os.Exit(1)
}
