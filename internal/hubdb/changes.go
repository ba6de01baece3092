package hubdb

import (
	"context"
	"database/sql/driver"
	"errors"
	"strconv"
	"time"

	"github.com/lib/pq"

	"credithub/internal/sqldb"
)

// The change feed of licensed credit agencies (T30): feed_change, one row
// per change, read in (xid, id) order below the oldest transaction still
// writing (migration 00022 says why that leaves no gap). Hub transitions
// append their rows in their own transaction (Append; the authorisations'
// store writes its own); the feed's follower appends the departments' new
// records (internal/feed).

// The kinds of change.
const (
	ChangeRecord        = "RECORD"
	ChangeListing       = "LISTING"
	ChangeObjection     = "OBJECTION"
	ChangeRepair        = "REPAIR"
	ChangeAuthorization = "AUTHORIZATION"
)

// The actions of changes: what happened to the record, listing, objection,
// repair or authorisation.
const (
	// A record: added (a department's new row, a record the hub created)
	// or changed (its status, by the hub).
	ActionAdded   = "ADDED"
	ActionChanged = "CHANGED"
	// A listing: entered, started (a market ban's first day), removed.
	ActionEntered = "ENTERED"
	ActionStarted = "STARTED"
	ActionRemoved = "REMOVED"
	// An objection: filed (the record is under objection), upheld (the
	// record corrected or revoked), rejected.
	ActionFiled    = "FILED"
	ActionUpheld   = "UPHELD"
	ActionRejected = "REJECTED"
	// A repair's outcomes.
	ActionRefused  = "REFUSED"
	ActionRepaired = "REPAIRED"
	ActionDenied   = "DENIED"
	ActionReversed = "REVERSED"
	// An authorisation: granted, then ended — revoked or expired.
	ActionGranted = "GRANTED"
	ActionRevoked = "REVOKED"
	ActionExpired = "EXPIRED"
)

// FeedFollowLock is the advisory lock held by the instance that follows
// the departments' tables for the feed (ChangeStore.FollowAlone).
const FeedFollowLock int64 = 0x637265646974_30 // "credit", T30

// PersonKeys is what a change keeps of a person instead of the ID number:
// the keyed hash the authorisations store (Ref) and the sealed person ID
// (Person). gid.Sealer provides both.
type PersonKeys interface {
	Ref(idNo string) string
	Person(idNo string) string
}

// ChangeRow is a row of feed_change.
type ChangeRow struct {
	ID int64 `db:"id"`
	// XID is the writing transaction's id (xid8).
	XID    uint64    `db:"xid"`
	At     time.Time `db:"at"`
	Kind   string    `db:"kind"`
	Action string    `db:"action"`
	// Whom: an entity, or a person (PersonRef and PersonID); an
	// authorisation's change names its agency and neither.
	USCC      string `db:"uscc"`
	PersonRef string `db:"person_ref"`
	PersonID  string `db:"person_id"`
	Agency    string `db:"agency"`
	// RecordID is the global ID of the record it is about (RecordKind its
	// kind); ListType a listing's list; ObjectID the row id of the
	// listing, objection, repair or authorisation.
	RecordID   string `db:"record_id"`
	RecordKind string `db:"record_kind"`
	ListType   string `db:"list_type"`
	ObjectID   int64  `db:"object_id"`
}

// Of returns c about the entity uscc or, when idNo is set, the person
// with that ID number, kept as keys make it.
func (c ChangeRow) Of(keys PersonKeys, uscc, idNo string) ChangeRow {
	if idNo != "" {
		c.USCC, c.PersonRef, c.PersonID = "", keys.Ref(idNo), keys.Person(idNo)
		return c
	}
	c.USCC = uscc
	return c
}

// Position is a place in the feed: the (xid, id) of a change; the zero
// Position is before the first.
type Position struct {
	XID uint64
	ID  int64
}

// Position returns where c is in the feed.
func (c ChangeRow) Position() Position { return Position{XID: c.XID, ID: c.ID} }

// ChangeQuery selects a page of the feed as one agency may follow it.
type ChangeQuery struct {
	// After is the last change delivered.
	After  Position
	Agency string
	// Purpose is the purpose the agency reads persons' data for; "" leaves
	// every person's change out. A person's change is in the page when the
	// agency holds an authorisation from that person for this purpose that
	// is live on Day and was recorded before the change was written.
	Purpose string
	Day     time.Time
	// EntityRecordKinds are the record kinds the agency may see of an
	// entity; ListTypes the lists whose listings it may see.
	EntityRecordKinds []string
	ListTypes         []string
	Limit             int
}

// ChangeStore appends to and reads the change feed.
type ChangeStore interface {
	// Append writes changes in one statement, in the caller's transaction.
	Append(ctx context.Context, cs []ChangeRow) error
	// Page returns the changes after q.After that q's agency may follow,
	// in feed order, at most q.Limit, in one statement (again when a
	// transaction ended at the wrong moment: see changes.Page): only those
	// below the oldest transaction still writing (feedHorizon), so that no
	// later commit can land behind them.
	Page(ctx context.Context, q ChangeQuery) ([]ChangeRow, error)
	// FollowAlone runs follow while this instance alone follows the
	// departments for the feed: it holds FeedFollowLock, a session lock,
	// on one connection, and every statement of follow (its transactions
	// too) runs on that connection. It returns false, without running
	// follow, when another instance holds the lock.
	FollowAlone(ctx context.Context, follow func(conn *DB) error) (bool, error)
	// Watermarks returns where the follower stands in a department's
	// tables, by record kind.
	Watermarks(ctx context.Context, source string) (map[string]int64, error)
	// StartWatermark sets a kind's first watermark at lastID; false when
	// it had one already.
	StartWatermark(ctx context.Context, source, kind string, lastID int64) (bool, error)
	// AdvanceWatermark moves a kind's watermark from from to to, in the
	// caller's transaction; false (and nothing moved) when it no longer
	// stood at from.
	AdvanceWatermark(ctx context.Context, source, kind string, from, to int64) (bool, error)
	// EndExpired notes, with an EXPIRED change each, at most limit
	// authorisations that were not revoked and whose last valid day is
	// before day, and returns how many; each is noted once, however many
	// instances run it at once.
	EndExpired(ctx context.Context, day time.Time, limit int) (int, error)
}

// Changes returns the change feed's store.
func (d *DB) Changes() ChangeStore { return changes{d} }

type changes struct{ d *DB }

var _ ChangeStore = changes{}

func (s changes) Append(ctx context.Context, cs []ChangeRow) error {
	if len(cs) == 0 {
		return nil
	}
	n := len(cs)
	kind, action, uscc, ref, pid, agency := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	rec, recKind, list := make([]string, n), make([]string, n), make([]string, n)
	obj := make([]int64, n)
	for i, c := range cs {
		if c.Kind == "" || c.Action == "" {
			return errors.New("hubdb: a change needs a kind and an action")
		}
		kind[i], action[i], uscc[i], ref[i], pid[i], agency[i] = c.Kind, c.Action, c.USCC, c.PersonRef, c.PersonID, c.Agency
		rec[i], recKind[i], list[i], obj[i] = c.RecordID, c.RecordKind, c.ListType, c.ObjectID
	}
	_, err := s.d.exec(ctx, `INSERT INTO feed_change (kind, action, uscc, person_ref, person_id, agency, record_id, record_kind, list_type, object_id)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[])`,
		pq.Array(kind), pq.Array(action), pq.Array(uscc), pq.Array(ref), pq.Array(pid), pq.Array(agency),
		pq.Array(rec), pq.Array(recKind), pq.Array(list), pq.Array(obj))
	return err
}

const changeColumns = `c.id, c.xid, c.at, c.kind, c.action, c.uscc, c.person_ref, c.person_id, c.agency,
	c.record_id, c.record_kind, c.list_type, c.object_id`

func (s changes) Page(ctx context.Context, q ChangeQuery) ([]ChangeRow, error) {
	// A page held back by a transaction that ended between the snapshot
	// and the look at pg_stat_activity is read again with a new snapshot,
	// in which that transaction is no longer running: otherwise a
	// transaction of another database ending at that moment (a department's
	// on the same server) would make the feed look caught up below rows
	// already committed. A doubt twice in a row is rarer still; the third
	// page is returned as it is, held back, never skipping.
	for attempt := 1; ; attempt++ {
		rows, doubt, err := s.page(ctx, q)
		if err != nil || !doubt || attempt == 3 {
			return rows, err
		}
	}
}

func (s changes) page(ctx context.Context, q ChangeQuery) ([]ChangeRow, bool, error) {
	var got []struct {
		Doubt bool `db:"doubt"`
		ChangeRow
	}
	err := s.d.sel(ctx, &got, `WITH h AS MATERIALIZED (`+feedHorizon+`)
		SELECT h.doubt, coalesce(c.id, 0) AS id, coalesce(c.xid, '0'::xid8) AS xid, coalesce(c.at, 'epoch') AS at,
			coalesce(c.kind, '') AS kind, coalesce(c.action, '') AS action, coalesce(c.uscc, '') AS uscc,
			coalesce(c.person_ref, '') AS person_ref, coalesce(c.person_id, '') AS person_id,
			coalesce(c.agency, '') AS agency, coalesce(c.record_id, '') AS record_id,
			coalesce(c.record_kind, '') AS record_kind, coalesce(c.list_type, '') AS list_type,
			coalesce(c.object_id, 0) AS object_id
		FROM h LEFT JOIN LATERAL (SELECT `+changeColumns+` FROM feed_change c
			WHERE (c.xid, c.id) > ($1::xid8, $2)
			  AND c.xid < h.horizon
			  AND CASE
				WHEN c.kind = 'AUTHORIZATION' THEN c.agency = $3
				WHEN c.person_ref = '' THEN (c.record_kind = '' OR c.record_kind = ANY($4))
					AND (c.list_type = '' OR c.list_type = ANY($5))
				ELSE $6 <> '' AND EXISTS (SELECT 1 FROM person_authorization a
					WHERE a.agency = $3 AND a.person_ref = c.person_ref AND a.purpose = $6 AND a.revoked_at IS NULL
					  AND a.valid_from <= $7::date AND $7::date <= a.valid_to AND a.recorded_at <= c.at)
			  END
			ORDER BY c.xid, c.id
			LIMIT $8) c ON true
		ORDER BY c.xid, c.id`,
		strconv.FormatUint(q.After.XID, 10), q.After.ID, q.Agency, pq.Array(q.EntityRecordKinds), pq.Array(q.ListTypes),
		q.Purpose, cityDay(q.Day), pageLimit(q.Limit))
	if err != nil {
		return nil, false, err
	}
	out, doubt := []ChangeRow{}, false
	for _, g := range got {
		doubt = g.Doubt
		if g.ID != 0 { // the row of h alone when no change is below the horizon
			out = append(out, g.ChangeRow)
		}
	}
	return out, doubt, nil
}

// feedHorizon is where the feed stops (horizon): the oldest transaction
// still writing when the statement's snapshot was taken (the snapshot's
// xmax when none is) — every change below it is final and visible, and no
// change can come below it later. Transaction ids are the server's, not
// the database's: a transaction of another database on the same server,
// which cannot write this feed, does not hold it back when
// pg_stat_activity shows it running there; nor does autovacuum's (its
// ANALYZE takes a transaction id, on this database too, and writes no
// change: a fresh database is analysed seconds after it is filled, and a
// read then found the feed held back below changes committed before it).
// The hub's role needs
// pg_read_all_stats to see other roles' sessions; what it cannot see holds
// the feed back, never lets it skip. A transaction that ended since the
// snapshot is not found there and holds the feed back: doubt says so, and
// Page reads again with a new snapshot.
const feedHorizon = `SELECT coalesce(oldest, pg_snapshot_xmax(snap)) AS horizon,
		coalesce(pg_xact_status(oldest) <> 'in progress', false) AS doubt
	FROM (SELECT snap, (SELECT min(x) FROM pg_snapshot_xip(snap) AS x
			WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a
				WHERE a.backend_xid = xid(x)
				  AND (a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database())
					OR a.backend_type = 'autovacuum worker'))) AS oldest
		FROM (SELECT pg_current_snapshot() AS snap) s) t`

func (s changes) FollowAlone(ctx context.Context, follow func(conn *DB) error) (bool, error) {
	return s.d.alone(ctx, FeedFollowLock, follow)
}

func (s changes) Watermarks(ctx context.Context, source string) (map[string]int64, error) {
	var rows []struct {
		Kind   string `db:"kind"`
		LastID int64  `db:"last_id"`
	}
	if err := s.d.sel(ctx, &rows, `SELECT kind, last_id FROM feed_watermark WHERE source = $1`, source); err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Kind] = r.LastID
	}
	return out, nil
}

func (s changes) StartWatermark(ctx context.Context, source, kind string, lastID int64) (bool, error) {
	n, err := s.d.exec(ctx, `INSERT INTO feed_watermark (source, kind, last_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		source, kind, lastID)
	return n > 0, err
}

func (s changes) AdvanceWatermark(ctx context.Context, source, kind string, from, to int64) (bool, error) {
	n, err := s.d.exec(ctx, `UPDATE feed_watermark SET last_id = $4 WHERE source = $1 AND kind = $2 AND last_id = $3`,
		source, kind, from, to)
	return n == 1, err
}

func (s changes) EndExpired(ctx context.Context, day time.Time, limit int) (int, error) {
	var n int
	err := s.d.get(ctx, &n, `WITH ended AS (
			UPDATE person_authorization SET ended_at = now()
			WHERE id IN (SELECT id FROM person_authorization
				WHERE ended_at IS NULL AND revoked_at IS NULL AND valid_to < $1::date
				ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
			RETURNING id, agency),
		written AS (
			INSERT INTO feed_change (kind, action, agency, object_id)
			SELECT 'AUTHORIZATION', 'EXPIRED', agency, id FROM ended ORDER BY id
			RETURNING 1)
		SELECT count(*) FROM written`, cityDay(day), limit)
	return n, err
}

// alone runs fn while this instance holds the session advisory lock key,
// on the one connection that holds it (every statement of fn, its
// transactions too, runs there); false, without running fn, when another
// session holds it.
func (d *DB) alone(ctx context.Context, key int64, fn func(conn *DB) error) (bool, error) {
	if d.InTx() || d.conn != nil {
		return false, errors.New("hubdb: an advisory session inside a transaction or on a held connection")
	}
	conn, err := d.pool.Connx(ctx)
	if err != nil {
		return false, sqldb.MapError(err)
	}
	defer conn.Close()
	var locked bool
	if err := conn.GetContext(ctx, &locked, `SELECT pg_try_advisory_lock($1)`, key); err != nil {
		return false, sqldb.MapError(err)
	}
	if !locked {
		return false, nil
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
			// The lock must not stay with a pooled connection: close it,
			// and the server releases the lock with the session.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	return true, fn(&DB{pool: d.pool, conn: conn, x: heldConn{conn, d.pool.DriverName()}})
}
