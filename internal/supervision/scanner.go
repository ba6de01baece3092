package supervision

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// The warning scan (T25): a Scanner reads, per department and watched
// record kind, the rows added since its watermark, evaluates the rules,
// stores the warnings (unique per rule, entity and record, so a rescan
// raises nothing twice), announces each on hubdb.WarningChannel and
// advances the watermark, all in one transaction. A kind seen for the
// first time starts at its table's current end: history does not raise
// warnings. Only one hub instance scans at a time
// (hubdb.WarningStore.ScanAlone).

// Scanner raises warnings from what the departments add (see the file's
// comment). Tick is one scan; Run ticks at an interval.
type Scanner struct {
	// DB is the hub's database (rules, warnings, watermarks, list entries).
	DB *hubdb.DB
	// Feeds are the departments' record tables.
	Feeds []datasources.Feed
	// Market counts an entity's complaints (RuleComplaints).
	Market datasources.Source
	// Registry is where rows filed under an old registration number or
	// organisation code find their entity.
	Registry LegacyKeys
	Logger   *slog.Logger
	// Now is the clock (tests set it).
	Now func() time.Time
	// Batch is the most rows read per kind and transaction (default 500);
	// a tick reads at most 20 batches per kind and leaves the rest to the
	// next.
	Batch int
	// ReadTimeout bounds each read of a department (default 10s).
	ReadTimeout time.Duration
	// Catalogue tells how open a record is: a warning quotes only public
	// records (nil: none).
	Catalogue *catalogue.Catalogue
	// Orgs gives entities' organisation types and superior bodies, for the
	// notifications of T23 (nil: no entity is notified about).
	Orgs Orgs
}

// Orgs gives entities' organisation types and superior bodies: the market
// regulator's registry (market.RegistryStore).
type Orgs interface {
	OrgsByUSCC(ctx context.Context, usccs []string) (map[string]market.Org, error)
}

// public reports whether the catalogue makes rec public.
func (s *Scanner) public(rec credit.Record) bool { return PublicIn(s.Catalogue)(rec) }

// PublicIn reports whether the catalogue cat makes a record public (its
// party's openness); with no catalogue, none is.
func PublicIn(cat *catalogue.Catalogue) func(credit.Record) bool {
	return func(rec credit.Record) bool {
		if cat == nil {
			return false
		}
		e := cat.Entry(rec.Common().Kind)
		if e == nil {
			return false
		}
		if rec.Common().FiledAgainst().IsPerson() {
			return e.PersonPublicity == credit.Public
		}
		return e.EntityPublicity == credit.Public
	}
}

// LegacyKeys finds entities by the keys departments filed them under
// before the unified code: the market regulator's registry
// (market.RegistryStore).
type LegacyKeys interface {
	// USCCsByLegacyKey returns, for each of keys (old registration numbers
	// or organisation codes) the registry knows, its entity's code.
	USCCsByLegacyKey(ctx context.Context, keys []string) (map[string]string, error)
}

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

// Tick scans once: every watched kind of every department from its
// watermark, then the list entries' deadlines. It returns at once, Busy,
// when another instance is scanning.
func (s *Scanner) Tick(ctx context.Context) (TickResult, error) {
	res := TickResult{Failed: map[string]error{}}
	ran, err := s.DB.Warnings().ScanAlone(ctx, func(conn *hubdb.DB) error {
		rules, err := loadRules(ctx, conn)
		if err != nil {
			return err
		}
		for _, feed := range s.Feeds {
			if err := s.scanFeed(ctx, conn, feed, rules, &res); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				res.Failed[feed.Department().Code] = err
			}
		}
		if err := s.scanDeadlines(ctx, conn, rules, &res); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			res.Failed["list_entry"] = err
		}
		return nil
	})
	res.Busy = err == nil && !ran
	return res, err
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
func (s *Scanner) scanFeed(ctx context.Context, conn *hubdb.DB, feed datasources.Feed, rules []Rule, res *TickResult) error {
	source := feed.Department().Code
	var kinds []credit.Kind
	for _, k := range feed.Kinds() {
		if notifiable(source, k) {
			kinds = append(kinds, k)
			continue
		}
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
	known, err := conn.Warnings().Watermarked(ctx, source)
	if err != nil {
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
			started, err := conn.Warnings().StartWatermark(ctx, source, string(k), maxIDs[k])
			if err != nil {
				return err
			}
			if started {
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
func (s *Scanner) scanKind(ctx context.Context, conn *hubdb.DB, feed datasources.Feed, kind credit.Kind, rules []Rule, res *TickResult) (int, error) {
	source := feed.Department().Code
	var (
		read int
		ids  []int64
	)
	err := conn.Transact(ctx, func(tx *hubdb.DB) error {
		last, err := tx.Warnings().LockWatermark(ctx, source, string(kind))
		if err != nil {
			return err
		}
		rctx, cancel := s.readCtx(ctx)
		defer cancel()
		added, err := feed.Since(rctx, kind, last, s.batch())
		if err != nil {
			return err
		}
		read = len(added.Records) + len(added.Undecodable)
		if read == 0 {
			return nil
		}
		for _, bad := range added.Undecodable {
			s.logger().Warn("warning scan: a department row does not decode; skipped", "source", source, "err", bad)
		}
		if err := s.resolveLegacy(rctx, added.Records); err != nil {
			return fmt.Errorf("resolving old keys through the registry: %w", err)
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
				cands = append(cands, CourtWarnings(r, added.Records, s.public)...)
			case RuleComplaints:
				c, err := s.complaintWarnings(rctx, tx, r, added.Records)
				if err != nil {
					return err
				}
				cands = append(cands, c...)
			}
		}
		if ids, err = raise(ctx, tx, cands, s.now()); err != nil {
			return err
		}
		if err := s.notify(rctx, tx, added.Records); err != nil {
			return err
		}
		// A department's new records are new facts of their entities' grades.
		subjects := make([]string, 0, len(added.Records))
		for _, rec := range added.Records {
			subjects = append(subjects, rec.Common().Subject.USCC)
		}
		if err := tx.Grades().MarkStale(ctx, subjects); err != nil {
			return err
		}
		return tx.Warnings().AdvanceWatermark(ctx, source, string(kind), added.Last)
	})
	if err != nil {
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
	byKey, err := s.Registry.USCCsByLegacyKey(ctx, keys)
	if err != nil {
		return err
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
func (s *Scanner) complaintWarnings(ctx context.Context, tx *hubdb.DB, rule Rule, recs []credit.Record) ([]Raise, error) {
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
	prior, err := tx.Warnings().LastRaised(ctx, rule.Code, usccs, s.now().Add(-ComplaintWindow))
	if err != nil {
		return nil, err
	}
	warned := map[string]time.Time{}
	for uscc := range prior {
		// Warned within the window: no second notice for the same run of
		// complaints.
		warned[uscc] = s.now()
	}
	return ComplaintWarnings(rule, recs, received, warned), nil
}

// scanDeadlines raises the warnings of the rectification rules over the
// hub's list entries, in one transaction.
func (s *Scanner) scanDeadlines(ctx context.Context, conn *hubdb.DB, rules []Rule, res *TickResult) error {
	var ids []int64
	err := conn.Transact(ctx, func(tx *hubdb.DB) error {
		today := scalars.DateOf(s.now()).String()
		var cands []Raise
		for _, r := range rules {
			if !r.Active || r.Kind != RuleRectification {
				continue
			}
			due, err := tx.Warnings().RectificationsDue(ctx, today, int(r.Threshold))
			if err != nil {
				return err
			}
			entries := make([]Deadline, len(due))
			for i, e := range due {
				entries[i] = Deadline(e)
			}
			cands = append(cands, RectificationWarnings(r, entries)...)
		}
		var err error
		ids, err = raise(ctx, tx, cands, s.now())
		return err
	})
	if err != nil {
		return err
	}
	res.Raised = append(res.Raised, ids...)
	return nil
}

// raise stores the candidates that were not raised before and announces
// each new one, within tx (WarningStore.Raise).
func raise(ctx context.Context, tx *hubdb.DB, cands []Raise, at time.Time) ([]int64, error) {
	ws := make([]hubdb.NewWarning, len(cands))
	for i, c := range cands {
		ws[i] = hubdb.NewWarning(c)
	}
	return tx.Warnings().Raise(ctx, ws, at)
}

// notifiable reports whether records of kind k from department source may
// be serious dishonesty or dishonest debtors (T23): penalties and the
// court's records.
func notifiable(source string, k credit.Kind) bool {
	return k == credit.KindPenalty || source == datasources.Court
}

// NotifyCauses returns the notification causes among new records (T23): a
// record in force of serious severity (a dishonest debtor, the court's
// own) against an entity or a person. orgs gives the entities'
// organisation types.
func NotifyCauses(recs []credit.Record, orgs map[string]market.Org) []hubdb.NotifyCause {
	var out []hubdb.NotifyCause
	for _, rec := range recs {
		b := rec.Common()
		if b.Status == credit.Revoked || b.Severity == nil || *b.Severity != credit.Serious {
			continue
		}
		cause := hubdb.CauseSeriousDishonesty
		if b.Kind == credit.KindDishonestDebtor {
			cause = hubdb.CauseDishonestDebtor
		}
		subj := b.FiledAgainst()
		c := hubdb.NotifyCause{Cause: cause, CauseID: b.ID, Name: b.SubjectName,
			Message: fmt.Sprintf("%s by %s: %s%s", b.Kind, deref(b.Authority), b.Summary, decision(b.DecisionNo))}
		switch {
		case subj.USCC != "":
			o, ok := orgs[subj.USCC]
			if !ok || o.OrgType == market.OrgOther {
				continue
			}
			c.USCC, c.OrgType, c.SuperiorCode = subj.USCC, o.OrgType, o.SuperiorCode.String
		case subj.IDNumber != "":
			c.IDNo = subj.IDNumber
		default:
			continue
		}
		out = append(out, c)
	}
	return out
}

// notify writes the notifications of new records within tx (T23); a
// rescan writes none twice.
func (s *Scanner) notify(ctx context.Context, tx *hubdb.DB, recs []credit.Record) error {
	var usccs []string
	for _, rec := range recs {
		b := rec.Common()
		if u := b.FiledAgainst().USCC; u != "" && b.Severity != nil && *b.Severity == credit.Serious && !slices.Contains(usccs, u) {
			usccs = append(usccs, u)
		}
	}
	orgs := map[string]market.Org{}
	if len(usccs) > 0 && s.Orgs != nil {
		var err error
		if orgs, err = s.Orgs.OrgsByUSCC(ctx, usccs); err != nil {
			return fmt.Errorf("reading organisation types from the registry: %w", err)
		}
	}
	for _, c := range NotifyCauses(recs, orgs) {
		if c.Name == "" && c.USCC != "" {
			c.Name = c.USCC
		}
		if _, err := tx.Notifications().Notify(ctx, c, s.now()); err != nil {
			return err
		}
	}
	return nil
}
