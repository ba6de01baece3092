package auth

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/lib/pq"

	"credithub/internal/hubdb"
)

// QueryLog is the query log as the hub writes and audits it: a row before
// any answer that carries personal data, in one chain whose every link
// (hubdb.QueryLogRow.Hash) covers the row and its predecessor, under a head
// the hub signs, partitioned by month, each month that is over sealed with
// a signed statement of its first and last rows. Verify finds an edited,
// removed, reordered or inserted row, a month removed without its seal, a
// forged seal and a head moved back.
//
// Writers are batched (group commit): the rows that concurrent requests of
// one instance ask for while a batch is being written go together in the
// next one, one transaction that takes the chain head's lock once, chains
// them in the order they came and commits; each request waits for its own
// batch's commit. Instances take turns on the head's lock batch by batch,
// not row by row.
type QueryLog struct {
	Store hubdb.QueryLogStore
	Now   func() time.Time
	// Key signs the chain head after every batch and every month's seal
	// (CREDITHUB_QUERY_LOG_KEY). Without it Append writes nothing and every
	// answer with personal data is refused.
	Key ed25519.PrivateKey
	// Public verifies the signatures; Key's public half when nil.
	Public ed25519.PublicKey
	// MaxBatch bounds the rows of one transaction (DefaultMaxBatch when 0).
	MaxBatch int
	// Timeout bounds one batch's transaction (DefaultBatchTimeout when 0).
	Timeout time.Duration

	mu      sync.Mutex
	queue   []*pendingRow
	writing bool
	batches atomic.Int64
	rows    atomic.Int64
	// after is the head's last id as this instance's last batch left it.
	after atomic.Int64
}

// DefaultMaxBatch is the most rows one batch writes: well past what one
// instance's requests ask for in the time a batch takes to commit, and a
// JSON parameter of a few hundred kilobytes at most.
const DefaultMaxBatch = 512

// DefaultBatchTimeout bounds one batch's transaction; a request stops
// waiting sooner if its own context ends (its answer then leaves without
// the personal data).
const DefaultBatchTimeout = 5 * time.Second

// SealAfter is how long after a month's end the month is sealed: past the
// clock skew of any instance. From the seal on, no row is stamped in that
// month (hubdb.QueryLogStore.CloseMonth).
const SealAfter = 10 * time.Minute

type pendingRow struct {
	ctx  context.Context
	row  hubdb.QueryLogRow
	done chan appended
}

type appended struct {
	id  int64
	err error
}

func (l *QueryLog) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *QueryLog) public() ed25519.PublicKey {
	if l.Public != nil {
		return l.Public
	}
	if l.Key != nil {
		return l.Key.Public().(ed25519.PublicKey)
	}
	return nil
}

// Written returns the batches and rows this QueryLog has committed.
func (l *QueryLog) Written() (batches, rows int64) { return l.batches.Load(), l.rows.Load() }

// Append queues e for the next batch and waits for that batch's commit:
// when it returns without error, the row is committed, stamped with the
// batch's time and chained. It gives up when ctx ends (the row may still be
// written: logged and not answered, never the other way round).
func (l *QueryLog) Append(ctx context.Context, e hubdb.QueryLogRow) (int64, error) {
	if l.Key == nil {
		return 0, errors.New("writing the query log: no signing key (CREDITHUB_QUERY_LOG_KEY)")
	}
	p := &pendingRow{ctx: ctx, row: clean(e), done: make(chan appended, 1)}
	l.mu.Lock()
	l.queue = append(l.queue, p)
	if !l.writing {
		l.writing = true
		go l.write()
	}
	l.mu.Unlock()
	select {
	case r := <-p.done:
		return r.id, r.err
	case <-ctx.Done():
		return 0, fmt.Errorf("writing the query log: %w", ctx.Err())
	}
}

// write writes batches while rows are queued, then ends: the goroutine
// lives as long as the instance has rows waiting, never longer.
func (l *QueryLog) write() {
	for {
		l.mu.Lock()
		if len(l.queue) == 0 {
			l.queue, l.writing = nil, false
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		l.writeBatch(nil)
	}
}

// take removes the next batch from the queue: what queued up to the
// moment the batch holds the chain head's lock, at most MaxBatch rows,
// without the requests that stopped waiting.
func (l *QueryLog) take() []*pendingRow {
	max := l.MaxBatch
	if max <= 0 {
		max = DefaultMaxBatch
	}
	l.mu.Lock()
	n := min(len(l.queue), max)
	batch := l.queue[:n:n]
	l.queue = l.queue[n:]
	l.mu.Unlock()
	live := make([]*pendingRow, 0, len(batch))
	for _, p := range batch {
		if p.ctx.Err() == nil {
			live = append(live, p)
		}
	}
	return live
}

// writeBatch writes one batch, the given rows or (nil) the queue's next
// once the head is locked, and tells each of its requests. A batch the
// database refuses for its data (a row it cannot store) is written again
// row by row, so that one bad row costs only its own answer.
func (l *QueryLog) writeBatch(given []*pendingRow) {
	var batch []*pendingRow
	take := func() []hubdb.QueryLogRow {
		batch = given
		if batch == nil {
			batch = l.take()
		}
		rows := make([]hubdb.QueryLogRow, len(batch))
		for i, p := range batch {
			rows[i] = p.row
		}
		return rows
	}
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = DefaultBatchTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	rows, head, err := l.Store.Append(ctx, hubdb.QueryLogBatch{
		Take: take, Now: l.now, After: l.after.Load(),
		Sign: func(h hubdb.QueryLogHead) []byte { return ed25519.Sign(l.Key, h.Statement()) },
	})
	cancel()
	if err == nil && len(rows) > 0 {
		l.after.Store(head.LastID)
	}
	if batch == nil && err != nil { // the head was never locked: fail the next batch, not the queue
		batch = l.take()
	}
	if err != nil && len(batch) > 1 && refusedData(err) {
		for _, p := range batch {
			l.writeBatch([]*pendingRow{p})
		}
		return
	}
	if err == nil && len(rows) > 0 {
		l.batches.Add(1)
		l.rows.Add(int64(len(rows)))
	}
	for i, p := range batch {
		if err != nil {
			p.done <- appended{0, err}
		} else {
			p.done <- appended{rows[i].ID, nil}
		}
	}
}

// refusedData reports whether the database refused a statement for the
// data in it (data exceptions, constraint violations, sizes past its
// limits), not for being unreachable or slow.
func refusedData(err error) bool {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return false
	}
	switch pqErr.Code.Class() {
	case "22", "23", "54":
		return true
	}
	return false
}

// clean makes every text of the row storable as PostgreSQL text (valid
// UTF-8, no NUL), so that what is hashed is what is stored.
func clean(e hubdb.QueryLogRow) hubdb.QueryLogRow {
	for _, s := range []*string{&e.RequestID, &e.Subject, &e.Org, &e.Kind, &e.TokenID, &e.Purpose, &e.Operation, &e.QueryHash} {
		*s = cleanText(*s)
	}
	for _, a := range []*pq.StringArray{&e.Persons, &e.PersonsMasked, &e.Entities, &e.Fields} {
		if *a == nil {
			continue
		}
		c := make(pq.StringArray, len(*a))
		for i, s := range *a {
			c[i] = cleanText(s)
		}
		*a = c
	}
	return e
}

func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// Broken says where the log breaks: a row (ID), a month's seal (Month) or
// the chain head, and why.
type Broken struct {
	// ID is the first row that does not verify (for the head: the row it
	// names).
	ID int64
	// Month is the seal at fault (YYYY-MM), when a seal is.
	Month  string
	Reason string
}

func (b *Broken) Error() string {
	if b.Month != "" {
		return fmt.Sprintf("query log broken at the seal of %s: %s", b.Month, b.Reason)
	}
	return fmt.Sprintf("query log broken at row %d: %s", b.ID, b.Reason)
}

// Verified is what Verify proved.
type Verified struct {
	// Rows is the number of rows walked and proven, from FirstID to
	// LastID (LastID 0: none).
	Rows            int64
	FirstID, LastID int64
	// Sealed are the months whose seals verify, oldest first.
	Sealed []string
	// Archived are the sealed months whose rows are not in the database
	// (their partitions detached): the chain is proven across them by
	// their seals.
	Archived []hubdb.QueryLogSeal
}

// Verify proves the log: every month's seal is the hub's and follows the
// one before; every row present links to its predecessor and matches its
// hash, ids run without a gap but across archived months (whose seals link
// the rows before them to the rows after), and the chain ends at the head
// the hub signed. With since not zero it walks the rows from since's month
// on, starting from the seal of the month before (the months before must be
// sealed). It returns a *Broken naming the first fault.
func (l *QueryLog) Verify(ctx context.Context, since time.Time) (Verified, error) {
	var v Verified
	pub := l.public()
	if pub == nil {
		return v, errors.New("verifying the query log needs the hub's public key")
	}
	seals, err := l.Store.Seals(ctx)
	if err != nil {
		return v, err
	}
	if b := checkSeals(seals, pub); b != nil {
		return v, b
	}
	for _, s := range seals {
		v.Sealed = append(v.Sealed, s.MonthName())
	}
	months, err := l.Store.Months(ctx)
	if err != nil {
		return v, err
	}
	attached := map[time.Time]bool{}
	for _, m := range months {
		attached[m] = true
	}
	expect, prev := int64(1), hubdb.ZeroHash
	if !since.IsZero() {
		since = hubdb.QueryLogMonth(since)
		before := since.AddDate(0, -1, 0)
		switch i := sealIndex(seals, before); {
		case i >= 0:
			expect, prev = seals[i].LastID+1, seals[i].LastHash
		case len(seals) == 0 && (len(months) == 0 || !months[0].Before(since)):
			// nothing is logged before since
		default:
			return v, fmt.Errorf("cannot verify from %s: the month before it (%s) is not sealed; verify the whole log", since.Format("2006-01"), before.Format("2006-01"))
		}
	}
	v.FirstID = expect
	si := 0
	// cover accepts rows expect … upto-1 as absent when archived months'
	// seals cover exactly them, and moves expect past them.
	cover := func(upto int64, why string) *Broken {
		for expect < upto {
			for si < len(seals) && seals[si].LastID < expect {
				si++
			}
			span, are, them := rowSpan(expect, upto-1)
			if si == len(seals) || seals[si].FirstID > expect {
				return &Broken{ID: expect, Reason: fmt.Sprintf("%s %s missing, and no month's seal accounts for %s (rows deleted, or a month's partition removed without being sealed)%s", span, are, them, why)}
			}
			s := seals[si]
			switch {
			case attached[s.Month]:
				return &Broken{ID: expect, Reason: fmt.Sprintf("%s of the sealed month %s %s missing, but its partition is attached: rows were deleted, not archived", span, s.MonthName(), are)}
			case s.FirstID != expect || s.LastID >= upto:
				return &Broken{ID: expect, Reason: fmt.Sprintf("%s %s missing, part of the archived month %s (its seal covers rows %d–%d)", span, are, s.MonthName(), s.FirstID, s.LastID)}
			}
			v.Archived = append(v.Archived, s)
			expect, prev = s.LastID+1, s.LastHash
			si++
		}
		return nil
	}
	err = l.Store.Walk(ctx, since, func(r hubdb.QueryLogRow) error {
		if r.ID > expect {
			if b := cover(r.ID, ""); b != nil {
				return b
			}
		}
		if r.ID < expect {
			return &Broken{ID: r.ID, Reason: fmt.Sprintf("a second row %d comes after row %d: two rows claim one place in the chain (a fork, or a row inserted)", r.ID, expect-1)}
		}
		if r.Hash() != r.RowHash {
			if from := movedFrom(r); from != 0 {
				return &Broken{ID: r.ID, Reason: fmt.Sprintf("it holds the row written as row %d (rows reordered, or ids changed)", from)}
			}
			return &Broken{ID: r.ID, Reason: "its content does not match its hash (edited after it was written)"}
		}
		if r.PrevHash != prev {
			return &Broken{ID: r.ID, Reason: fmt.Sprintf("it does not link to row %d (the row before it was replaced, or rows were reordered or inserted)", r.ID-1)}
		}
		for si < len(seals) && seals[si].LastID < r.ID {
			si++
		}
		if si < len(seals) && seals[si].FirstID <= r.ID {
			s := seals[si]
			if !hubdb.QueryLogMonth(r.LoggedAt).Equal(s.Month) {
				return &Broken{ID: r.ID, Reason: fmt.Sprintf("it was logged in %s, but the seal of %s covers it", hubdb.QueryLogMonth(r.LoggedAt).Format("2006-01"), s.MonthName())}
			}
			if r.ID == s.LastID && r.RowHash != s.LastHash {
				return &Broken{ID: r.ID, Reason: fmt.Sprintf("it is the last row of %s, and its hash is not the one the month's seal signed (the month was rewritten)", s.MonthName())}
			}
		}
		prev, expect = r.RowHash, r.ID+1
		v.Rows++
		return nil
	})
	if err != nil {
		return v, err
	}
	head, err := l.Store.Head(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return v, &Broken{ID: expect - 1, Reason: "the chain head is missing"}
	}
	if err != nil {
		return v, err
	}
	switch {
	case head.Signature == nil && (head.LastID != 0 || expect != 1):
		return v, &Broken{ID: head.LastID, Reason: "the chain head is not signed (no row has been written since migration 00038, or its signature was removed)"}
	case head.Signature != nil && !ed25519.Verify(pub, head.Statement(), head.Signature):
		return v, &Broken{ID: head.LastID, Reason: "the chain head's signature is not the hub's: the head was moved or forged"}
	}
	if head.LastID >= expect {
		if b := cover(head.LastID+1, fmt.Sprintf("; the signed head names row %d", head.LastID)); b != nil {
			return v, b
		}
	}
	switch {
	case head.LastID < expect-1:
		span, are, _ := rowSpan(head.LastID+1, expect-1)
		return v, &Broken{ID: head.LastID + 1, Reason: fmt.Sprintf("%s %s past the signed head (row %d): rows were added behind the hub's back", span, are, head.LastID)}
	case head.LastHash != prev:
		return v, &Broken{ID: head.LastID, Reason: "the signed head's hash is not this row's: the row was replaced"}
	}
	v.LastID = expect - 1
	if v.LastID < v.FirstID {
		v.FirstID = 0
	}
	return v, nil
}

// checkSeals proves the seals: each is signed with the hub's key, and
// follows the month before's seal, from the log's first row on.
func checkSeals(seals []hubdb.QueryLogSeal, pub ed25519.PublicKey) *Broken {
	prevSeal, prevLast, prevHash := hubdb.ZeroHash, int64(0), hubdb.ZeroHash
	for i, s := range seals {
		name := s.MonthName()
		switch {
		case !ed25519.Verify(pub, s.Statement(), s.Signature):
			return &Broken{Month: name, Reason: "its signature is not the hub's: the seal was forged or edited"}
		case i > 0 && !s.Month.Equal(seals[i-1].Month.AddDate(0, 1, 0)):
			return &Broken{Month: name, Reason: fmt.Sprintf("it follows the seal of %s: the seals of the months between are missing", seals[i-1].MonthName())}
		case s.PrevSeal != prevSeal && i == 0:
			return &Broken{Month: name, Reason: "it is the first seal, yet it follows another month's seal: the seals before it were removed"}
		case s.PrevSeal != prevSeal:
			return &Broken{Month: name, Reason: fmt.Sprintf("it does not follow the seal of %s: that seal was replaced", seals[i-1].MonthName())}
		case s.FirstID != prevLast+1 || s.PrevHash != prevHash || s.Rows != s.LastID-s.FirstID+1:
			return &Broken{Month: name, Reason: "its rows do not start where the month before ends"}
		}
		prevSeal, prevLast, prevHash = s.Hash(), s.LastID, s.LastHash
	}
	return nil
}

func sealIndex(seals []hubdb.QueryLogSeal, month time.Time) int {
	for i, s := range seals {
		if s.Month.Equal(month) {
			return i
		}
	}
	return -1
}

// rowSpan names rows from … to, with the verb and pronoun that agree.
func rowSpan(from, to int64) (span, are, them string) {
	if from == to {
		return fmt.Sprintf("row %d", from), "is", "it"
	}
	return fmt.Sprintf("rows %d–%d", from, to), "are", "them"
}

// movedWindow is how far from its place Verify looks for the id a row was
// written under.
const movedWindow = 5000

// movedFrom returns the id r was written under when that is not its id
// (a row moved: its hash matches another id), 0 when none near it does.
func movedFrom(r hubdb.QueryLogRow) int64 {
	for d := int64(1); d <= movedWindow; d++ {
		for _, id := range []int64{r.ID - d, r.ID + d} {
			if id > 0 && r.HashAs(id) == r.RowHash {
				return id
			}
		}
	}
	return 0
}

// SealMonths is the turn of the runner "query log months": it creates the
// partitions of this month and the next two, and seals every month that
// ended SealAfter ago or more and has no seal, oldest first. A month is
// sealed only when its rows verify and lead on to the rest of the chain;
// several instances may run it at once (a month's seal is made once).
func (l *QueryLog) SealMonths(ctx context.Context) ([]hubdb.QueryLogSeal, error) {
	if l.Key == nil {
		return nil, errors.New("sealing the query log's months: no signing key")
	}
	now := l.now()
	if err := l.Store.CreateMonths(ctx, now, now.AddDate(0, 2, 0)); err != nil {
		return nil, fmt.Errorf("creating the query log's partitions: %w", err)
	}
	seals, err := l.Store.Seals(ctx)
	if err != nil {
		return nil, err
	}
	var prev *hubdb.QueryLogSeal
	var next time.Time
	if len(seals) > 0 {
		prev = &seals[len(seals)-1]
		next = prev.Month.AddDate(0, 1, 0)
	} else {
		months, err := l.Store.Months(ctx)
		if err != nil || len(months) == 0 {
			return nil, err
		}
		next = months[0]
	}
	var made []hubdb.QueryLogSeal
	for {
		_, end := hubdb.QueryLogMonthSpan(next)
		if now.Before(end.Add(SealAfter)) {
			return made, nil
		}
		if err := l.Store.CloseMonth(ctx, end); err != nil {
			return made, err
		}
		s, err := l.sealMonth(ctx, next, prev)
		if err != nil {
			return made, err
		}
		added, err := l.Store.AddSeal(ctx, s)
		if err != nil {
			return made, err
		}
		if !added { // another instance sealed it first: go on from its seal
			seals, err := l.Store.Seals(ctx)
			if err != nil {
				return made, err
			}
			i := sealIndex(seals, next)
			if i < 0 {
				return made, fmt.Errorf("the seal of %s is neither new nor stored", s.MonthName())
			}
			s = seals[i]
		} else {
			made = append(made, s)
		}
		prev, next = &s, next.AddDate(0, 1, 0)
	}
}

// sealMonth walks a month that is over and makes its seal, after prev's.
func (l *QueryLog) sealMonth(ctx context.Context, month time.Time, prev *hubdb.QueryLogSeal) (hubdb.QueryLogSeal, error) {
	s := hubdb.QueryLogSeal{Month: month, FirstID: 1, PrevHash: hubdb.ZeroHash, PrevSeal: hubdb.ZeroHash}
	if prev != nil {
		s.FirstID, s.PrevHash, s.PrevSeal = prev.LastID+1, prev.LastHash, prev.Hash()
	}
	notSealed := func(id int64, reason string) error {
		return fmt.Errorf("not sealing %s: %w", s.MonthName(), &Broken{ID: id, Reason: reason})
	}
	expect, last := s.FirstID, s.PrevHash
	err := l.Store.WalkMonth(ctx, month, func(r hubdb.QueryLogRow) error {
		switch {
		case r.ID != expect:
			return notSealed(r.ID, fmt.Sprintf("the month's rows should go on with row %d", expect))
		case r.PrevHash != last || r.Hash() != r.RowHash:
			return notSealed(r.ID, "the row does not verify")
		}
		expect, last = expect+1, r.RowHash
		return nil
	})
	if err != nil {
		return s, err
	}
	s.LastID, s.LastHash, s.Rows = expect-1, last, expect-s.FirstID
	after, err := l.Store.FirstAfter(ctx, s.LastID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		head, err := l.Store.Head(ctx)
		if err != nil {
			return s, err
		}
		if head.LastID != s.LastID || head.LastHash != s.LastHash || (head.Signature != nil && !ed25519.Verify(l.public(), head.Statement(), head.Signature)) {
			return s, notSealed(head.LastID, "the chain head is not the month's last row")
		}
	case err != nil:
		return s, err
	case after.ID != s.LastID+1 || after.PrevHash != s.LastHash || !hubdb.QueryLogMonth(after.LoggedAt).After(month):
		return s, notSealed(after.ID, fmt.Sprintf("the row after the month does not follow its last row (%d)", s.LastID))
	}
	s.SealedAt = l.now().UTC().Truncate(time.Microsecond)
	s.Signature = ed25519.Sign(l.Key, s.Statement())
	return s, nil
}

// Archive detaches a sealed month's partition, after checking its rows
// against the seal, and returns the detached table's name: dump it
// (pg_dump -t) and drop it; Verify proves the rest of the log across it
// from its seal.
func (l *QueryLog) Archive(ctx context.Context, month time.Time) (string, error) {
	month = hubdb.QueryLogMonth(month)
	name := month.Format("2006-01")
	seals, err := l.Store.Seals(ctx)
	if err != nil {
		return "", err
	}
	i := sealIndex(seals, month)
	if i < 0 {
		return "", fmt.Errorf("%s has no seal: only a sealed month can be archived (a month is sealed %s after it ends)", name, SealAfter)
	}
	if b := checkSeals(seals[:i+1], l.public()); b != nil {
		return "", b
	}
	months, err := l.Store.Months(ctx)
	if err != nil {
		return "", err
	}
	if sealIndexOf(months, month) < 0 {
		return "", fmt.Errorf("%s's partition is not attached (archived already?)", name)
	}
	s := seals[i]
	expect, last := s.FirstID, s.PrevHash
	err = l.Store.WalkMonth(ctx, month, func(r hubdb.QueryLogRow) error {
		if r.ID != expect || r.PrevHash != last || r.Hash() != r.RowHash {
			return &Broken{ID: r.ID, Reason: fmt.Sprintf("the row does not verify against the seal of %s", name)}
		}
		expect, last = expect+1, r.RowHash
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("not archiving %s: %w", name, err)
	}
	if expect-1 != s.LastID || last != s.LastHash {
		return "", fmt.Errorf("not archiving %s: %w", name, &Broken{ID: expect, Reason: fmt.Sprintf("the month's rows end at row %d, its seal at row %d", expect-1, s.LastID)})
	}
	return l.Store.Detach(ctx, month)
}

func sealIndexOf(months []time.Time, m time.Time) int {
	for i, x := range months {
		if x.Equal(m) {
			return i
		}
	}
	return -1
}
