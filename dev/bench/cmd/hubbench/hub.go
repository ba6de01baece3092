package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"credithub/dev/bench/scenarios"
	"credithub/dev/world"
	"credithub/internal/gid"
)

// pageSize is S2's page of entities.
const pageSize = 100

// checkBatch is C50's batch of bidders.
const checkBatch = 50

// hubClient talks to the running hub over HTTP.
type hubClient struct {
	url     string
	headers [][2]string
	http    *http.Client
	pid     int
	s1      string
	allow   []string
}

func newHubClient(ctx context.Context, cfg config) (*hubClient, error) {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 512,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	h := &hubClient{url: cfg.URL, headers: cfg.Headers, http: &http.Client{Transport: tr, Timeout: time.Minute}, pid: cfg.PID,
		s1: scenarios.S1, allow: cfg.AllowErrors}
	if cfg.S1Access {
		h.s1 = scenarios.S1Access
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.url+"/healthz", nil)
	if err != nil {
		return nil, err
	}
	resp, err := h.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the hub does not answer at %s: %w (start it as bench/README.md says)", h.url, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if h.pid == 0 {
		h.pid = findHubPID(h.url)
	}
	if h.pid == 0 {
		logf("warning: no hub process found (pass -pid): resident memory will not be reported")
	} else if _, err := readProcStatus(h.pid); err != nil {
		logf("warning: cannot read the hub's memory (pid %d): %v", h.pid, err)
		h.pid = 0
	} else {
		logf("hub pid %d", h.pid)
	}
	return h, nil
}

// findHubPID looks for a `credithub dev` process serving url's port.
func findHubPID(rawURL string) int {
	out, err := exec.Command("pgrep", "-f", "credithub dev").Output()
	if err != nil {
		return 0
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return 0
	}
	port := u.Port()
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		pid, err := strconv.Atoi(f)
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(cmd), "\x00"), "\x00")
		if len(args) == 0 || !strings.HasPrefix(filepath.Base(args[0]), "credithub") {
			continue // pgrep also matches shells whose command line names credithub
		}
		if port == "" || strings.Contains(string(cmd), ":"+port) {
			pids = append(pids, pid)
		}
	}
	if len(pids) != 1 {
		if len(pids) > 1 {
			logf("warning: several credithub processes serve port %s: %v; pass -pid", port, pids)
		}
		return 0
	}
	return pids[0]
}

// gqlRequest is a GraphQL-over-HTTP request body.
type gqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
}

// post sends body to /graphql, reads the answer into buf and checks it: 200,
// no errors, data present, statement counts in the extensions.
func (h *hubClient) post(ctx context.Context, body []byte, buf *bytes.Buffer) (stmts, error) {
	var st stmts
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return st, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	for _, kv := range h.headers {
		req.Header.Add(kv[0], kv[1])
	}
	resp, err := h.http.Do(req)
	if err != nil {
		return st, err
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return st, err
	}
	b := buf.Bytes()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("HTTP %s: %s", resp.Status, snippet(b))
	}
	// gqlgen writes errors first, then data, then extensions.
	if bytes.HasPrefix(b, []byte(`{"errors"`)) {
		if err := h.allowed(b); err != nil {
			return st, err
		}
	} else if !bytes.HasPrefix(b, []byte(`{"data":{`)) {
		return st, fmt.Errorf("no data in the answer: %s", snippet(b))
	}
	i := bytes.LastIndex(b, []byte(`"extensions":`))
	if i < 0 {
		return st, fmt.Errorf("no extensions.sqlStatements in the answer: is the hub running in development mode (credithub dev)?")
	}
	tail := bytes.TrimSpace(b[i+len(`"extensions":`):])
	tail = bytes.TrimSuffix(tail, []byte("}"))
	var ext struct {
		SQLStatements map[string]int32 `json:"sqlStatements"`
	}
	if err := json.Unmarshal(tail, &ext); err != nil {
		return st, fmt.Errorf("reading extensions: %w", err)
	}
	for name, n := range ext.SQLStatements {
		k, ok := dbIndex(name)
		if !ok {
			return st, fmt.Errorf("statements counted for an unknown database %q", name)
		}
		st[k] = n
	}
	return st, nil
}

// allowed accepts an answer whose errors all carry an allowed code and that
// still has data.
func (h *hubClient) allowed(b []byte) error {
	var r struct {
		Errors []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &r); err != nil || len(r.Data) == 0 || string(r.Data) == "null" {
		return fmt.Errorf("GraphQL errors: %s", snippet(b))
	}
	for _, e := range r.Errors {
		ok := false
		for _, a := range h.allow {
			ok = ok || e.Extensions.Code == a
		}
		if !ok {
			return fmt.Errorf("GraphQL errors: %s", snippet(b))
		}
	}
	return nil
}

func snippet(b []byte) string {
	const max = 600
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

// query sends one request and decodes its data into out.
func (h *hubClient) query(ctx context.Context, q string, vars map[string]any, out any) error {
	body, err := json.Marshal(gqlRequest{Query: q, Variables: vars})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := h.post(ctx, body, &buf); err != nil {
		return err
	}
	var resp struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(buf.Bytes(), &resp); err != nil {
		return err
	}
	if out != nil {
		return json.Unmarshal(resp.Data, out)
	}
	return nil
}

// walkCursors follows entities' pageInfo from the start and returns the
// `after` of each of the first n pages ("" for the first page).
func (h *hubClient) walkCursors(ctx context.Context, n int) ([]string, error) {
	out := []string{""}
	for len(out) < n {
		var data struct {
			Entities struct {
				PageInfo struct {
					EndCursor   *string `json:"endCursor"`
					HasNextPage bool    `json:"hasNextPage"`
				} `json:"pageInfo"`
			} `json:"entities"`
		}
		var after any
		if c := out[len(out)-1]; c != "" {
			after = c
		}
		if err := h.query(ctx, scenarios.Cursors, map[string]any{"after": after}, &data); err != nil {
			return nil, fmt.Errorf("walking the entities connection: %w", err)
		}
		pi := data.Entities.PageInfo
		if !pi.HasNextPage || pi.EndCursor == nil {
			return nil, fmt.Errorf("the hub lists only %d pages of %d entities; -pages asks for %d", len(out), pageSize, n)
		}
		out = append(out, *pi.EndCursor)
	}
	return out, nil
}

// pageStarts returns, for the world's first n pages of entities in code
// order, the code each page starts after ("" for the first page).
func pageStarts(w *world.World, n int) []string {
	codes := make([]string, len(w.Entities))
	for i, e := range w.Entities {
		codes[i] = e.USCC
	}
	sort.Strings(codes)
	out := make([]string, n)
	for i := 1; i < n; i++ {
		out[i] = codes[i*pageSize-1]
	}
	return out
}

// entityCursor is the hub's cursor for a position in the entities
// connection (resolvers/args.go); "" stays "" (the first page).
func entityCursor(after string) string {
	if after == "" {
		return ""
	}
	return gid.Encode("EntityCursor", after)
}

func s1Body(query, uscc string) []byte {
	b, _ := json.Marshal(gqlRequest{Query: query, Variables: map[string]any{"uscc": uscc}})
	return b
}

func s2Body(after string) []byte {
	var a any
	if after != "" {
		a = entityCursor(after)
	}
	b, _ := json.Marshal(gqlRequest{Query: scenarios.S2, Variables: map[string]any{"after": a}})
	return b
}

// checkBatches returns n batches of 50 consecutive entities of the world,
// after the showcase entities.
func checkBatches(w *world.World, n int) [][]string {
	out := make([][]string, 0, n)
	ents := w.Entities[world.ShowcaseCount:]
	for i := 0; i < n && (i+1)*checkBatch <= len(ents); i++ {
		var b []string
		for _, e := range ents[i*checkBatch : (i+1)*checkBatch] {
			b = append(b, e.USCC)
		}
		out = append(out, b)
	}
	return out
}

// c50Requester rotates over the batches of bidders.
func (h *hubClient) c50Requester(batches [][]string) requester {
	bodies := make([][]byte, len(batches))
	for i, b := range batches {
		bodies[i], _ = json.Marshal(gqlRequest{Query: scenarios.C50, Variables: map[string]any{"usccs": b}})
	}
	return h.rotate(bodies)
}

// d1Requester asks the dashboard's overview, the same request every time.
func (h *hubClient) d1Requester() requester {
	b, _ := json.Marshal(gqlRequest{Query: scenarios.D1})
	return h.rotate([][]byte{b})
}

// s1Requester rotates over the showcase entities; bodies are built once.
func (h *hubClient) s1Requester(usccs []string) requester {
	bodies := make([][]byte, len(usccs))
	for i, u := range usccs {
		bodies[i] = s1Body(h.s1, u)
	}
	return h.rotate(bodies)
}

// s2Requester rotates over the pages.
func (h *hubClient) s2Requester(pages []string) requester {
	bodies := make([][]byte, len(pages))
	for i, p := range pages {
		bodies[i] = s2Body(p)
	}
	return h.rotate(bodies)
}

func (h *hubClient) rotate(bodies [][]byte) requester {
	var buf bytes.Buffer
	return func(ctx context.Context, seq uint64) (stmts, error) {
		return h.post(ctx, bodies[seq%uint64(len(bodies))], &buf)
	}
}

// httpFloor is the median latency of GET /healthz from one client: what
// HTTP on loopback costs before any GraphQL or SQL.
func (h *hubClient) httpFloor(ctx context.Context, d time.Duration) (time.Duration, error) {
	var lats []time.Duration
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.url+"/healthz", nil)
		if err != nil {
			return 0, err
		}
		t0 := time.Now()
		resp, err := h.http.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lats = append(lats, time.Since(t0))
	}
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	return median(lats), nil
}

// goroutines reads the hub's goroutine count from net/http/pprof.
func (h *hubClient) goroutines(ctx context.Context) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.url+"/debug/pprof/goroutine?debug=1", nil)
	if err != nil {
		return 0, err
	}
	resp, err := h.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	defer io.Copy(io.Discard, resp.Body) //nolint:errcheck // draining for reuse
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("/debug/pprof/goroutine: %s (is the hub in development mode?)", resp.Status)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil {
		return 0, err
	}
	var n int64
	if _, err := fmt.Sscanf(line, "goroutine profile: total %d", &n); err != nil {
		return 0, fmt.Errorf("/debug/pprof/goroutine: unexpected first line %q", line)
	}
	return n, nil
}

// hubSampler samples the hub's resident memory every 200 ms and its
// goroutines every second during the measured window.
type hubSampler struct{ h *hubClient }

func (h *hubClient) sampler() sampler { return hubSampler{h} }

func (s hubSampler) sample(ctx context.Context, from, to time.Time) (rssMax, gorMax int64) {
	select {
	case <-ctx.Done():
		return 0, 0
	case <-time.After(time.Until(from)):
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	lastG := time.Time{}
	for now := time.Now(); now.Before(to); now = time.Now() {
		if s.h.pid != 0 {
			if st, err := readProcStatus(s.h.pid); err == nil {
				rssMax = max(rssMax, st["VmRSS"])
			}
		}
		if now.Sub(lastG) >= time.Second && to.Sub(now) > 500*time.Millisecond {
			lastG = now
			if n, err := s.h.goroutines(ctx); err == nil {
				gorMax = max(gorMax, n)
			} else if ctx.Err() == nil {
				logf("warning: %v", err)
			}
		}
		select {
		case <-ctx.Done():
			return rssMax, gorMax
		case <-tick.C:
		}
	}
	return rssMax, gorMax
}

// meter measures the hub's CPU and PostgreSQL's, when the hub's process
// is known.
func (h *hubClient) meter() cpuMeter {
	if h.pid == 0 {
		return nil
	}
	return procMeter(h.pid)
}

// hwm is the hub's peak resident memory since it started.
func (h *hubClient) hwm() int64 {
	if h.pid == 0 {
		return 0
	}
	st, err := readProcStatus(h.pid)
	if err != nil {
		return 0
	}
	return st["VmHWM"]
}

// readProcStatus reads the kB figures of /proc/PID/status.
func readProcStatus(pid int) (map[string]int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || !strings.HasPrefix(name, "Vm") {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 2 && fields[1] == "kB" {
			if n, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
				out[name] = n
			}
		}
	}
	if _, ok := out["VmRSS"]; !ok {
		return nil, fmt.Errorf("/proc/%d/status has no VmRSS", pid)
	}
	return out, sc.Err()
}

// profileUnderLoad puts the same load on the hub again, unmeasured, and
// takes a CPU profile of it meanwhile.
func (h *hubClient) profileUnderLoad(ctx context.Context, cfg config, scenario string, clients int, mk func(int) (requester, error)) (string, error) {
	if err := os.MkdirAll(cfg.ProfileDir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(cfg.ProfileDir, fmt.Sprintf("hub-%s-%dc.pprof", scenario, clients))
	secs := cfg.ProfileSecs
	logf("hub %s, %d clients: CPU profile for %ds into %s", scenario, clients, secs, path)
	errc := make(chan error, 1)
	go func() {
		select {
		case <-ctx.Done():
			errc <- ctx.Err()
			return
		case <-time.After(time.Second):
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", h.url, secs), nil)
		if err != nil {
			errc <- err
			return
		}
		resp, err := (&http.Client{Timeout: time.Duration(secs+30) * time.Second}).Do(req)
		if err != nil {
			errc <- err
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			errc <- fmt.Errorf("/debug/pprof/profile: %s", resp.Status)
			return
		}
		b, err := io.ReadAll(resp.Body)
		if err == nil {
			err = os.WriteFile(path, b, 0o644)
		}
		errc <- err
	}()
	if _, err := runCell(ctx, clients, 0, time.Duration(secs+2)*time.Second, mk, nil, nil); err != nil {
		return "", err
	}
	if err := <-errc; err != nil {
		return "", fmt.Errorf("CPU profile: %w", err)
	}
	return path, nil
}
