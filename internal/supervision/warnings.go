package supervision

// Warnings (T25, 信用分析预警): rules kept as data (warning_rule) raise
// warnings on entities from what the departments add to their tables and
// from the hub's list entries.
//
// A Scanner reads, per department and watched record kind, the rows added
// since its watermark (scan_watermark), evaluates the rules, inserts the
// warnings (unique per rule, entity and record, so a rescan raises nothing
// twice), announces each with pg_notify on WarningChannel and advances the
// watermark, all in one transaction. A kind seen for the first time starts
// at its table's current end: history does not raise warnings. Only one
// hub instance scans at a time (a PostgreSQL advisory lock).
//
// A Broker is each hub instance's one LISTEN on WarningChannel: it reads
// every announced warning once and fans it out to that instance's
// subscribers, so every instance's subscribers see every warning, whichever
// instance raised it.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// WarningChannel is the PostgreSQL channel on which the transaction that
// raises a warning announces its id.
const WarningChannel = "credithub_warning"

// The rule kinds of warning_rule.kind.
const (
	// RuleNewPenalty: a new administrative penalty whose fine is at least
	// the threshold, in yuan, from any department.
	RuleNewPenalty = "NEW_PENALTY_ABOVE"
	// RuleCourtListing: any new court record about an entity.
	RuleCourtListing = "COURT_LISTING"
	// RuleComplaints: a new 12315 complaint that makes the entity's
	// complaints within 30 days reach the threshold.
	RuleComplaints = "COMPLAINTS_IN_30_DAYS"
	// RuleRectification: a listing whose rectification deadline is within
	// the threshold, in days.
	RuleRectification = "RECTIFICATION_DEADLINE_NEAR"
)

// ComplaintWindow is the window of RuleComplaints.
const ComplaintWindow = 30 * 24 * time.Hour

// Rule is a warning rule (warning_rule).
type Rule struct {
	Code        string  `db:"code"`
	Description string  `db:"description"`
	Kind        string  `db:"kind"`
	Threshold   float64 `db:"threshold"`
	Level       string  `db:"level"`
	Active      bool    `db:"active"`
	Source      string  `db:"source"`
}

// LoadRules reads the warning rules in code order.
func LoadRules(ctx context.Context, q sqlx.QueryerContext) ([]Rule, error) {
	var rules []Rule
	err := sqlx.SelectContext(ctx, q, &rules, `SELECT code, description, kind, threshold, level, active, source FROM warning_rule ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("loading the warning rules: %w", err)
	}
	return rules, nil
}

// watches reports whether a rule of kind ruleKind reads records of kind k
// from department source.
func watches(ruleKind, source string, k credit.Kind) bool {
	switch ruleKind {
	case RuleNewPenalty:
		return k == credit.KindPenalty
	case RuleCourtListing:
		return source == datasources.Court
	case RuleComplaints:
		return k == credit.KindComplaint
	}
	return false
}

// Warning is a raised warning with its rule.
type Warning struct {
	ID       int64     `db:"id"`
	USCC     string    `db:"uscc"`
	Level    string    `db:"level"`
	Message  string    `db:"message"`
	RecordID string    `db:"record_id"`
	RaisedAt time.Time `db:"raised_at"`
	Rule     Rule      `db:"rule"`
}

const warningSelect = `SELECT w.id, w.uscc, w.level, w.message, w.record_id, w.raised_at,
	r.code AS "rule.code", r.description AS "rule.description", r.kind AS "rule.kind", r.threshold AS "rule.threshold",
	r.level AS "rule.level", r.active AS "rule.active", r.source AS "rule.source"
	FROM warning w JOIN warning_rule r ON r.code = w.rule`

// Filter selects warnings; zero fields do not restrict.
type Filter struct {
	USCC  string
	Level string
	Rule  string
	Since time.Time
}

// Matches reports whether w passes the filter.
func (f Filter) Matches(w *Warning) bool {
	return (f.USCC == "" || w.USCC == f.USCC) && (f.Level == "" || w.Level == f.Level) &&
		(f.Rule == "" || w.Rule.Code == f.Rule) && (f.Since.IsZero() || !w.RaisedAt.Before(f.Since))
}

// ListWarnings returns up to limit warnings matching f, newest first (by
// id), with an id below before when before > 0, in one statement.
func ListWarnings(ctx context.Context, q sqlx.QueryerContext, f Filter, before int64, limit int) ([]*Warning, error) {
	var (
		conds []string
		args  []any
	)
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.USCC != "" {
		add("w.uscc = ?", f.USCC)
	}
	if f.Level != "" {
		add("w.level = ?", f.Level)
	}
	if f.Rule != "" {
		add("w.rule = ?", f.Rule)
	}
	if !f.Since.IsZero() {
		add("w.raised_at >= ?", f.Since)
	}
	if before > 0 {
		add("w.id < ?", before)
	}
	query := warningSelect
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	args = append(args, limit)
	query += " ORDER BY w.id DESC LIMIT $" + strconv.Itoa(len(args))
	var out []*Warning
	if err := sqlx.SelectContext(ctx, q, &out, query, args...); err != nil {
		return nil, err
	}
	return out, nil
}

// warningsByID returns the warnings with the given ids, and those above
// after when after > 0, oldest first.
func warningsByID(ctx context.Context, q sqlx.QueryerContext, ids []int64, after int64) ([]*Warning, error) {
	var out []*Warning
	err := sqlx.SelectContext(ctx, q, &out, warningSelect+` WHERE w.id = ANY($1) OR ($2::bigint > 0 AND w.id > $2::bigint) ORDER BY w.id LIMIT 10000`,
		pq.Array(ids), after)
	return out, err
}

// Raise is a warning a rule raises, before it is stored.
type Raise struct {
	Rule     string
	USCC     string
	Level    string
	Message  string
	RecordID string
}

// PenaltyWarnings applies a NEW_PENALTY_ABOVE rule to new records: an
// effective penalty on an entity with a fine of at least the threshold.
func PenaltyWarnings(rule Rule, recs []credit.Record) []Raise {
	threshold := new(big.Rat).SetFloat64(rule.Threshold)
	var out []Raise
	for _, rec := range recs {
		p, ok := rec.(*credit.Penalty)
		if !ok || p.FineAmount == nil || p.Subject.USCC == "" || p.Status == credit.Revoked {
			continue
		}
		if threshold == nil || p.FineAmount.Rat().Cmp(threshold) < 0 {
			continue
		}
		out = append(out, Raise{
			Rule: rule.Code, USCC: p.Subject.USCC, Level: rule.Level, RecordID: p.ID,
			Message: fmt.Sprintf("New administrative penalty by %s with a fine of %s yuan (threshold %s): %s%s",
				deref(p.Authority), string(*p.FineAmount), formatThreshold(rule.Threshold), p.Summary, decision(p.DecisionNo)),
		})
	}
	return out
}

// CourtWarnings applies a COURT_LISTING rule to new court records: any of
// them about an entity (the court's person parties are not entities).
func CourtWarnings(rule Rule, recs []credit.Record) []Raise {
	var out []Raise
	for _, rec := range recs {
		b := rec.Common()
		if b.Subject.USCC == "" || b.Source == nil || b.Source.Code != datasources.Court {
			continue
		}
		out = append(out, Raise{
			Rule: rule.Code, USCC: b.Subject.USCC, Level: rule.Level, RecordID: b.ID,
			Message: fmt.Sprintf("New court listing by %s: %s", deref(b.Authority), b.Summary),
		})
	}
	return out
}

// ComplaintWarnings applies a COMPLAINTS_IN_30_DAYS rule to new complaints:
// one whose entity received, within the 30 days ending at its receipt, at
// least threshold complaints (itself included) raises a warning, unless
// the entity was warned by this rule within those 30 days (warned, which
// this call extends). received holds each entity's complaint times as the
// market regulator keeps them, the new ones included.
func ComplaintWarnings(rule Rule, recs []credit.Record, received map[string][]time.Time, warned map[string]time.Time) []Raise {
	var out []Raise
	for _, rec := range recs {
		c, ok := rec.(*credit.Complaint)
		if !ok || c.Subject.USCC == "" {
			continue
		}
		from := c.ReceivedAt.Add(-ComplaintWindow)
		n := 0
		for _, t := range received[c.Subject.USCC] {
			if t.After(from) && !t.After(c.ReceivedAt) {
				n++
			}
		}
		if float64(n) < rule.Threshold {
			continue
		}
		if at, ok := warned[c.Subject.USCC]; ok && at.After(from) {
			continue
		}
		warned[c.Subject.USCC] = c.ReceivedAt
		out = append(out, Raise{
			Rule: rule.Code, USCC: c.Subject.USCC, Level: rule.Level, RecordID: c.ID,
			// The complaint's own words stay in the record (shared with
			// record:read); the warning names its category only.
			Message: fmt.Sprintf("%d 12315 complaints within 30 days (threshold %s); the latest received %s (%s)",
				n, formatThreshold(rule.Threshold), c.ReceivedAt.In(scalars.CST).Format("2006-01-02 15:04"), c.Category),
		})
	}
	return out
}

// Deadline is a list entry whose rectification deadline is near.
type Deadline struct {
	ID         int64  `db:"id"`
	USCC       string `db:"uscc"`
	ListType   string `db:"list_type"`
	Department string `db:"department"`
	EnteredOn  string `db:"entered_on"`
	RectifyBy  string `db:"rectify_by"`
	DaysLeft   int    `db:"days_left"`
}

// RectificationWarnings applies a RECTIFICATION_DEADLINE_NEAR rule to the
// entries whose deadline is near; the entry is the warning's record.
func RectificationWarnings(rule Rule, entries []Deadline) []Raise {
	out := make([]Raise, 0, len(entries))
	for _, e := range entries {
		out = append(out, Raise{
			Rule: rule.Code, USCC: e.USCC, Level: rule.Level, RecordID: ListingID(e.ID),
			Message: fmt.Sprintf("The rectification deadline of the %s listing entered by %s on %s is %s, in %d days (threshold %s)",
				e.ListType, e.Department, e.EnteredOn, e.RectifyBy, e.DaysLeft, formatThreshold(rule.Threshold)),
		})
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return "?"
	}
	return *s
}

func decision(no *string) string {
	if no == nil {
		return ""
	}
	return " (" + *no + ")"
}

func formatThreshold(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Scanner raises warnings from what the departments add (see the file's
// comment). Tick is one scan; Run ticks at an interval.
type Scanner struct {
	// DB is the hub's database (rules, warnings, watermarks, list entries).
	DB *sqlx.DB
	// Feeds are the departments' record tables.
	Feeds []datasources.Feed
	// Market counts an entity's complaints (RuleComplaints).
	Market datasources.Source
	// Registry is the market regulator's database, where rows filed under
	// an old registration number or organisation code find their entity.
	Registry sqlx.QueryerContext
	Logger   *slog.Logger
	// Now is the clock (tests set it).
	Now func() time.Time
	// Batch is the most rows read per kind and transaction (default 500);
	// a tick reads at most 20 batches per kind and leaves the rest to the
	// next.
	Batch int
	// ReadTimeout bounds each read of a department (default 10s).
	ReadTimeout time.Duration
}

// ScanLock is the key of the PostgreSQL advisory lock a scan holds: one
// hub instance scans at a time.
const ScanLock int64 = 0x637265646974_25 // "credit", T25

// TickResult is what one tick did.
type TickResult struct {
	// Raised are the ids of the warnings raised.
	Raised []int64
	// Busy is set when another instance held the scan and this one did
	// nothing.
	Busy bool
	// Started names the (department, kind) watermarks set for the first
	// time, at their table's end.
	Started []string
	// Failed names the departments (or "registry", "list_entry") that could
	// not be read; their watermarks stay where they were.
	Failed map[string]error
}

func (s *Scanner) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Scanner) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Run ticks every interval until ctx ends. A tick that fails is logged and
// the next one tries again.
func (s *Scanner) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		res, err := s.Tick(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.logger().Error("warning scan", "err", err)
		case len(res.Failed) > 0:
			for who, err := range res.Failed {
				s.logger().Warn("warning scan: source not read; it is scanned again next time", "source", who, "err", err)
			}
		}
	}
}

// Tick scans once: every watched kind of every department from its
// watermark, then the list entries' deadlines. It returns at once, Busy,
// when another instance is scanning.
func (s *Scanner) Tick(ctx context.Context) (TickResult, error) {
	res := TickResult{Failed: map[string]error{}}
	conn, err := s.DB.Connx(ctx)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	var locked bool
	if err := conn.GetContext(ctx, &locked, `SELECT pg_try_advisory_lock($1)`, ScanLock); err != nil {
		return res, err
	}
	if !locked {
		res.Busy = true
		return res, nil
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, ScanLock); err != nil {
			// The lock must not stay held by a pooled connection: close it,
			// and the server releases the lock with the session.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	rules, err := LoadRules(ctx, conn)
	if err != nil {
		return res, err
	}
	for _, feed := range s.Feeds {
		if err := s.scanFeed(ctx, conn, feed, rules, &res); err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			res.Failed[feed.Department().Code] = err
		}
	}
	if err := s.scanDeadlines(ctx, conn, rules, &res); err != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		res.Failed["list_entry"] = err
	}
	return res, nil
}

func (s *Scanner) batch() int {
	if s.Batch > 0 {
		return s.Batch
	}
	return 500
}

func (s *Scanner) readCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	d := s.ReadTimeout
	if d <= 0 {
		d = 10 * time.Second
	}
	return context.WithTimeout(ctx, d)
}

// scanFeed scans the watched kinds of one department. A read that fails
// stops the department's scan for this tick; what was committed stays.
func (s *Scanner) scanFeed(ctx context.Context, conn *sqlx.Conn, feed datasources.Feed, rules []Rule, res *TickResult) error {
	source := feed.Department().Code
	var kinds []credit.Kind
	for _, k := range feed.Kinds() {
		for _, r := range rules {
			if watches(r.Kind, source, k) {
				kinds = append(kinds, k)
				break
			}
		}
	}
	if len(kinds) == 0 {
		return nil
	}
	// Kinds without a watermark start at their table's current end.
	var known []string
	if err := conn.SelectContext(ctx, &known, `SELECT kind FROM scan_watermark WHERE source = $1`, source); err != nil {
		return err
	}
	var fresh []credit.Kind
	for _, k := range kinds {
		if !slices.Contains(known, string(k)) {
			fresh = append(fresh, k)
		}
	}
	if len(fresh) > 0 {
		rctx, cancel := s.readCtx(ctx)
		maxIDs, err := feed.MaxIDs(rctx, fresh)
		cancel()
		if err != nil {
			return err
		}
		for _, k := range fresh {
			r, err := conn.ExecContext(ctx, `INSERT INTO scan_watermark (source, kind, last_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
				source, string(k), maxIDs[k])
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n > 0 {
				res.Started = append(res.Started, source+"/"+string(k))
			}
		}
	}
	for _, k := range kinds {
		for round := 0; round < 20; round++ {
			read, err := s.scanKind(ctx, conn, feed, k, rules, res)
			if err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			if read < s.batch() {
				break
			}
		}
	}
	return nil
}

// scanKind reads one batch of one kind from its watermark and, in one
// transaction, raises its warnings and advances the watermark. It returns
// how many rows it read.
func (s *Scanner) scanKind(ctx context.Context, conn *sqlx.Conn, feed datasources.Feed, kind credit.Kind, rules []Rule, res *TickResult) (int, error) {
	source := feed.Department().Code
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var last int64
	if err := tx.GetContext(ctx, &last, `SELECT last_id FROM scan_watermark WHERE source = $1 AND kind = $2 FOR UPDATE`, source, string(kind)); err != nil {
		return 0, err
	}
	rctx, cancel := s.readCtx(ctx)
	defer cancel()
	added, err := feed.Since(rctx, kind, last, s.batch())
	if err != nil {
		return 0, err
	}
	read := len(added.Records) + len(added.Undecodable)
	if read == 0 {
		return 0, nil
	}
	for _, bad := range added.Undecodable {
		s.logger().Warn("warning scan: a department row does not decode; skipped", "source", source, "err", bad)
	}
	if err := s.resolveLegacy(rctx, added.Records); err != nil {
		return 0, fmt.Errorf("resolving old keys through the registry: %w", err)
	}
	var cands []Raise
	for _, r := range rules {
		if !r.Active || !watches(r.Kind, source, kind) {
			continue
		}
		switch r.Kind {
		case RuleNewPenalty:
			cands = append(cands, PenaltyWarnings(r, added.Records)...)
		case RuleCourtListing:
			cands = append(cands, CourtWarnings(r, added.Records)...)
		case RuleComplaints:
			c, err := s.complaintWarnings(rctx, tx, r, added.Records)
			if err != nil {
				return 0, err
			}
			cands = append(cands, c...)
		}
	}
	ids, err := raise(ctx, tx, cands, s.now())
	if err != nil {
		return 0, err
	}
	// A department's new records are new facts of their entities' grades.
	subjects := make([]string, 0, len(added.Records))
	for _, rec := range added.Records {
		subjects = append(subjects, rec.Common().Subject.USCC)
	}
	if err := hubdb.MarkGradesStale(ctx, tx, subjects); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE scan_watermark SET last_id = $3 WHERE source = $1 AND kind = $2`, source, string(kind), added.Last); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	res.Raised = append(res.Raised, ids...)
	return read, nil
}

// resolveLegacy sets the entity of records filed only under an old
// registration number or organisation code, from the registry. Records
// whose key the registry does not know keep no subject (no rule applies to
// them) and are logged.
func (s *Scanner) resolveLegacy(ctx context.Context, recs []credit.Record) error {
	var keys []string
	for _, r := range recs {
		b := r.Common()
		if b.Subject == (credit.Subject{}) && b.LegacyKey != nil && !slices.Contains(keys, *b.LegacyKey) {
			keys = append(keys, *b.LegacyKey)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	if s.Registry == nil {
		return errors.New("no registry to resolve old keys")
	}
	var rows []struct {
		USCC    string         `db:"uscc"`
		RegNo   sql.NullString `db:"reg_no"`
		OrgCode string         `db:"org_code"`
	}
	if err := sqlx.SelectContext(ctx, s.Registry, &rows, `SELECT uscc, reg_no, substr(uscc, 9, 9) AS org_code FROM registry_entity
		WHERE reg_no = ANY($1) OR substr(uscc, 9, 9) = ANY($1)`, pq.Array(keys)); err != nil {
		return err
	}
	byKey := map[string]string{}
	for _, r := range rows {
		if r.RegNo.Valid {
			byKey[r.RegNo.String] = r.USCC
		}
		byKey[r.OrgCode] = r.USCC
	}
	for _, r := range recs {
		b := r.Common()
		if b.Subject != (credit.Subject{}) || b.LegacyKey == nil {
			continue
		}
		if u, ok := byKey[*b.LegacyKey]; ok {
			b.Subject.USCC = u
		} else {
			s.logger().Warn("warning scan: a record's old key is not in the registry; no rule applies to it", "record", b.ID)
		}
	}
	return nil
}

// complaintWarnings counts, through the market source, the complaints of
// every entity a new complaint is about, and applies the rule.
func (s *Scanner) complaintWarnings(ctx context.Context, tx *sqlx.Tx, rule Rule, recs []credit.Record) ([]Raise, error) {
	var (
		subjects []datasources.Subject
		usccs    []string
		earliest time.Time
	)
	for _, r := range recs {
		c, ok := r.(*credit.Complaint)
		if !ok || c.Subject.USCC == "" {
			continue
		}
		if !slices.Contains(usccs, c.Subject.USCC) {
			usccs = append(usccs, c.Subject.USCC)
			subjects = append(subjects, datasources.Subject{USCC: c.Subject.USCC})
		}
		if earliest.IsZero() || c.ReceivedAt.Before(earliest) {
			earliest = c.ReceivedAt
		}
	}
	if len(subjects) == 0 {
		return nil, nil
	}
	if s.Market == nil {
		return nil, errors.New("no market source to count complaints")
	}
	from := scalars.DateOf(earliest.Add(-ComplaintWindow)).String()
	got, err := s.Market.Records(ctx, subjects, datasources.Query{Kinds: datasources.KindSetOf(credit.KindComplaint), From: from})
	if err != nil {
		return nil, fmt.Errorf("counting complaints: %w", err)
	}
	received := map[string][]time.Time{}
	for key, rs := range got {
		for _, r := range rs {
			if c, ok := r.(*credit.Complaint); ok {
				received[key] = append(received[key], c.ReceivedAt)
			}
		}
	}
	var prior []struct {
		USCC string    `db:"uscc"`
		At   time.Time `db:"at"`
	}
	if err := tx.SelectContext(ctx, &prior, `SELECT uscc, max(raised_at) AS at FROM warning
		WHERE rule = $1 AND uscc = ANY($2) AND raised_at > $3 GROUP BY uscc`,
		rule.Code, pq.Array(usccs), s.now().Add(-ComplaintWindow)); err != nil {
		return nil, err
	}
	warned := map[string]time.Time{}
	for _, p := range prior {
		// Warned within the window: no second notice for the same run of
		// complaints.
		warned[p.USCC] = s.now()
	}
	return ComplaintWarnings(rule, recs, received, warned), nil
}

// scanDeadlines raises the warnings of the rectification rules over the
// hub's list entries, in one transaction.
func (s *Scanner) scanDeadlines(ctx context.Context, conn *sqlx.Conn, rules []Rule, res *TickResult) error {
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	today := scalars.DateOf(s.now()).String()
	var cands []Raise
	for _, r := range rules {
		if !r.Active || r.Kind != RuleRectification {
			continue
		}
		var entries []Deadline
		if err := tx.SelectContext(ctx, &entries, `SELECT id, uscc, list_type, department,
			to_char(entered_on, 'YYYY-MM-DD') AS entered_on, to_char(rectify_by, 'YYYY-MM-DD') AS rectify_by,
			rectify_by - $1::date AS days_left
			FROM list_entry
			WHERE state = 'LISTED' AND rectify_by BETWEEN $1::date AND $1::date + $2::int
			ORDER BY id`, today, int(r.Threshold)); err != nil {
			return err
		}
		cands = append(cands, RectificationWarnings(r, entries)...)
	}
	ids, err := raise(ctx, tx, cands, s.now())
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	res.Raised = append(res.Raised, ids...)
	return nil
}

// raise inserts the candidates that were not raised before (unique per
// rule, entity and record) and announces each new one on WarningChannel,
// within tx: the announcements go out when tx commits, and not at all if
// it does not.
func raise(ctx context.Context, tx *sqlx.Tx, cands []Raise, at time.Time) ([]int64, error) {
	if len(cands) == 0 {
		return nil, nil
	}
	cols := make([][]string, 5)
	for _, c := range cands {
		for i, v := range []string{c.Rule, c.USCC, c.Level, c.Message, c.RecordID} {
			cols[i] = append(cols[i], v)
		}
	}
	var ids []int64
	err := tx.SelectContext(ctx, &ids, `INSERT INTO warning (rule, uscc, level, message, record_id, raised_at)
		SELECT c.rule, c.uscc, c.level, c.message, c.record_id, $6
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS c(rule, uscc, level, message, record_id)
		ON CONFLICT (rule, uscc, record_id) DO NOTHING
		RETURNING id`,
		pq.Array(cols[0]), pq.Array(cols[1]), pq.Array(cols[2]), pq.Array(cols[3]), pq.Array(cols[4]), at)
	if err != nil {
		return nil, fmt.Errorf("raising warnings: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	slices.Sort(ids)
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, id::text) FROM unnest($2::bigint[]) AS id`, WarningChannel, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("announcing warnings: %w", err)
	}
	return ids, nil
}

// Broker is a hub instance's one listener on WarningChannel, fanning each
// announced warning out to the instance's subscribers.
type Broker struct {
	// DB is the hub's database.
	DB     *sqlx.DB
	Logger *slog.Logger
	// Buffer is each subscriber's queue (default 64). A subscriber that
	// falls that far behind is dropped (its subscription completes) rather
	// than slow the others or hold warnings without bound.
	Buffer int

	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	last   int64 // the highest warning id announced so far
	closed bool
	ready  chan struct{}
	once   sync.Once
}

type subscriber struct {
	f  Filter
	ch chan *Warning
}

func (b *Broker) init() {
	b.once.Do(func() {
		b.ready = make(chan struct{})
		b.subs = map[*subscriber]struct{}{}
	})
}

// Ready is closed once the broker listens.
func (b *Broker) Ready() <-chan struct{} {
	b.init()
	return b.ready
}

// Subscribers returns how many subscriptions are open.
func (b *Broker) Subscribers() int {
	b.init()
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Subscribe returns the warnings matching f raised from now on, until ctx
// ends (the client went away), the subscriber falls too far behind, or the
// broker stops; then the channel is closed.
func (b *Broker) Subscribe(ctx context.Context, f Filter) <-chan *Warning {
	b.init()
	n := b.Buffer
	if n <= 0 {
		n = 64
	}
	s := &subscriber{f: f, ch: make(chan *Warning, n)}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		close(s.ch)
		return s.ch
	}
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		defer b.mu.Unlock()
		b.drop(s)
	}()
	return s.ch
}

// drop removes a subscriber and closes its channel; b.mu is held.
func (b *Broker) drop(s *subscriber) {
	if _, ok := b.subs[s]; ok {
		delete(b.subs, s)
		close(s.ch)
	}
}

func (b *Broker) logger() *slog.Logger {
	if b.Logger != nil {
		return b.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Listen listens on WarningChannel with one connection until ctx ends,
// then closes every subscription. After a lost connection (and every 90
// s, which also notices a dead connection sooner) it catches up with the
// warnings raised since the last one it announced.
func (b *Broker) Listen(ctx context.Context, dsn string) {
	b.init()
	defer func() {
		b.mu.Lock()
		b.closed = true
		for s := range b.subs {
			b.drop(s)
		}
		b.mu.Unlock()
	}()
	l := &sqldb.Listener{DSN: dsn, Channel: WarningChannel, Every: 90 * time.Second, Logger: b.logger(),
		Ready: func(ctx context.Context) {
			var last int64
			if err := b.DB.GetContext(ctx, &last, `SELECT coalesce(max(id), 0) FROM warning`); err != nil && ctx.Err() == nil {
				b.logger().Error("reading the last warning", "err", err)
			}
			b.mu.Lock()
			b.last = last
			b.mu.Unlock()
			close(b.ready)
		},
		Handle: func(ctx context.Context, payloads []string, missed bool) {
			var ids []int64
			for _, p := range payloads {
				if id, err := strconv.ParseInt(p, 10, 64); err == nil {
					ids = append(ids, id)
				}
			}
			if err := b.deliver(ctx, ids, missed); err != nil && ctx.Err() == nil {
				b.logger().Error("delivering warnings", "err", err)
			}
		}}
	l.Run(ctx)
}

// deliver reads the announced warnings (and, catching up, every one after
// the last announced) and queues each for the subscribers it matches.
func (b *Broker) deliver(ctx context.Context, ids []int64, catchUp bool) error {
	b.mu.Lock()
	after, idle := int64(0), len(b.subs) == 0
	if catchUp {
		after = b.last
	}
	for _, id := range ids {
		b.last = max(b.last, id)
	}
	b.mu.Unlock()
	if idle || (len(ids) == 0 && !catchUp) {
		return nil
	}
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ws, err := warningsByID(qctx, b.DB, ids, after)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, w := range ws {
		b.last = max(b.last, w.ID)
		for s := range b.subs {
			if !s.f.Matches(w) {
				continue
			}
			select {
			case s.ch <- w:
			default:
				b.logger().Warn("a warning subscriber fell behind and was dropped", "buffer", cap(s.ch))
				b.drop(s)
			}
		}
	}
	return nil
}
