package hubdb

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"credithub/internal/credit"
	"credithub/internal/sqldb"
)

// NotifyChannel is the PostgreSQL channel on which a workflow's transaction
// announces the records whose overlays it changed (DB.Notify); every hub
// instance listens and refreshes those records' overlays in its State.
const NotifyChannel = "credithub_state"

// notifyAll is the payload that asks every instance to reload every
// overlay: a batch's announcement (Service.Announce), or a transaction
// that touched more records than a notice can name.
const notifyAll = "*"

// maxNotifyPayload bounds a notice's payload below PostgreSQL's 8000 bytes.
const maxNotifyPayload = 7000

// State is the overlays the hub's workflows put on records (under
// objection, corrected, revoked, repaired), held in memory by every
// instance: they apply to every record a request reads, the departments'
// and the hub's own alike, so that reading them costs no statement per
// request. Only the active overlays are held, compactly (overlayIndex:
// about 64 bytes a record that carries any, a few thousand records in a
// city of 100,000 entities); the records the hub holds itself are not here
// (RecordSource reads them).
//
// A change is applied incrementally: a transaction that puts or ends an
// overlay names its records in its notice (DB.Notify), and each instance
// reads again the active overlays of those records only (Refresh). A whole
// reload happens at start, after a lost connection, on a batch's
// announcement, and every few minutes as a safety net (Listen).
type State struct {
	DB     *sqlx.DB
	Logger *slog.Logger

	mu  sync.Mutex // serialises the loads, so a later read is stored later
	idx atomic.Pointer[overlayIndex]
}

// overlay is what Apply needs of an overlay row: its kind (an index of
// overlayKinds) and, for a correction, the corrected fields.
type overlay struct {
	kind   uint8
	fields *Correction
}

// overlayKinds are the overlays' statuses, in the order they rank: the
// highest one a record carries is its status.
var overlayKinds = []credit.Status{"", credit.Corrected, credit.UnderObjection, credit.Repaired, credit.Revoked}

func overlayOf(o OverlayRow) overlay {
	out := overlay{kind: uint8(max(slices.Index(overlayKinds, o.Kind), 0))}
	if o.Kind == credit.Corrected && o.Fields != (Correction{}) {
		f := o.Fields
		out.fields = &f
	}
	return out
}

// overlayIndex is an immutable copy of the active overlays: the records'
// global IDs sorted and back to back in one string, and each record's
// overlays in the order they were put. A change builds a new index.
type overlayIndex struct {
	ids  string    // the records' IDs, sorted, concatenated
	ends []uint32  // ends[i] is where record i's ID ends in ids
	at   []uint32  // record i's overlays are ovs[at[i]:at[i+1]]
	ovs  []overlay //
}

func (x *overlayIndex) len() int {
	if x == nil {
		return 0
	}
	return len(x.ends)
}

func (x *overlayIndex) id(i int) string {
	from := uint32(0)
	if i > 0 {
		from = x.ends[i-1]
	}
	return x.ids[from:x.ends[i]]
}

func (x *overlayIndex) of(i int) []overlay { return x.ovs[x.at[i]:x.at[i+1]] }

// find returns the overlays of the record id (nil when it carries none).
func (x *overlayIndex) find(id string) []overlay {
	n := x.len()
	i := sort.Search(n, func(i int) bool { return x.id(i) >= id })
	if i < n && x.id(i) == id {
		return x.of(i)
	}
	return nil
}

// indexBuilder builds an index from records given in ID order.
type indexBuilder struct {
	ids strings.Builder
	x   overlayIndex
}

func (b *indexBuilder) add(id string, ovs []overlay) {
	if len(ovs) == 0 {
		return
	}
	b.ids.WriteString(id)
	b.x.ends = append(b.x.ends, uint32(b.ids.Len()))
	b.x.at = append(b.x.at, uint32(len(b.x.ovs)))
	b.x.ovs = append(b.x.ovs, ovs...)
}

func (b *indexBuilder) done() *overlayIndex {
	b.x.ids = b.ids.String()
	b.x.at = append(b.x.at, uint32(len(b.x.ovs)))
	x := b.x
	return &x
}

// with returns a copy of x where the records ids carry the overlays rows
// (their active ones now) instead of theirs: a merge of two sorted lists.
func (x *overlayIndex) with(ids []string, rows []OverlayRow) *overlayIndex {
	fresh := map[string][]overlay{}
	for _, o := range rows {
		fresh[o.RecordID] = append(fresh[o.RecordID], overlayOf(o))
	}
	changed := slices.Clone(ids)
	slices.Sort(changed)
	changed = slices.Compact(changed)
	var b indexBuilder
	i, j, n := 0, 0, x.len()
	for i < n || j < len(changed) {
		switch {
		case j == len(changed) || (i < n && x.id(i) < changed[j]):
			b.add(x.id(i), x.of(i))
			i++
		default:
			if i < n && x.id(i) == changed[j] {
				i++ // replaced
			}
			b.add(changed[j], fresh[changed[j]])
			j++
		}
	}
	return b.done()
}

// Reload reads every active overlay again and swaps them in.
func (s *State) Reload(ctx context.Context) error {
	if err := s.reload(ctx); err != nil {
		return err
	}
	// The old index and the rows read are garbage now, as large as the
	// city's overlays; the runtime would hand their pages back to the
	// system only slowly, and an idle instance's memory would follow the
	// size of the data rather than what it keeps (dev/bench/scale.md).
	// Outside the lock: the collection this forces holds up no refresh.
	debug.FreeOSMemory()
	return nil
}

func (s *State) reload(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The rows come by record, in the index's order: the index is built
	// as they come, with no copy of every row (at a million entities, a
	// copy of the 28,000 active rows cost an idle instance 17 MB of RSS).
	var b indexBuilder
	var id string
	var ovs []overlay
	err := New(s.DB).Overlays().EachActive(ctx, func(o OverlayRow) error {
		if o.RecordID != id {
			b.add(id, ovs)
			id, ovs = o.RecordID, nil
		}
		ovs = append(ovs, overlayOf(o))
		return nil
	})
	if err != nil {
		return fmt.Errorf("loading the overlays: %w", err)
	}
	b.add(id, ovs)
	s.idx.Store(b.done())
	return nil
}

// Refresh reads again the active overlays of the records ids (global IDs),
// in one statement, and replaces theirs.
func (s *State) Refresh(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ovs, err := New(s.DB).Overlays().ActiveOn(ctx, ids)
	if err != nil {
		return fmt.Errorf("loading the overlays of %d records: %w", len(ids), err)
	}
	s.idx.Store(s.idx.Load().with(ids, ovs))
	return nil
}

// Listen applies every instance's changes as their notices arrive, until
// ctx ends: the records a notice names are refreshed; everything is
// reloaded once listening starts (nothing committed after that can be
// missed), after a lost connection (notices may have been missed), on a
// notice that asks for it, and every five minutes regardless.
func (s *State) Listen(ctx context.Context, dsn string) {
	logErr := func(what string, err error) {
		if err != nil && s.Logger != nil && ctx.Err() == nil {
			s.Logger.Error(what, "err", err)
		}
	}
	l := &sqldb.Listener{DSN: dsn, Channel: NotifyChannel, Every: 5 * time.Minute, Logger: s.Logger,
		Ready: func(ctx context.Context) {
			rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			logErr("reloading the overlays", s.Reload(rctx))
		},
		Handle: func(ctx context.Context, payloads []string, missed bool) {
			rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			ids, all := changedRecords(payloads)
			if missed || all {
				logErr("reloading the overlays", s.Reload(rctx))
				return
			}
			logErr("refreshing the overlays", s.Refresh(rctx, ids))
		}}
	l.Run(ctx)
}

// changedRecords reads the notices' payloads: the records they name, or
// all when one asks for a whole reload (or cannot be read).
func changedRecords(payloads []string) (ids []string, all bool) {
	seen := map[string]bool{}
	for _, p := range payloads {
		if p == "" {
			continue
		}
		var named []string
		if p == notifyAll || json.Unmarshal([]byte(p), &named) != nil {
			return nil, true
		}
		for _, id := range named {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids, false
}

// notice is the payload of a transaction's notice: the records whose
// overlays it changed, or notifyAll when they do not fit.
func notice(ids []string) string {
	b, err := json.Marshal(ids)
	if err != nil || len(b) > maxNotifyPayload {
		return notifyAll
	}
	return string(b)
}

// Apply sets a record's status (and corrected fields) from its active
// overlays: revoked over repaired over under objection over corrected.
func (s *State) Apply(r credit.Record) {
	b := r.Common()
	if ovs := s.idx.Load().find(b.ID); len(ovs) > 0 {
		apply(b, ovs)
	}
}

// ApplyOverlays is Apply with the record's active overlays given, in the
// order they were put (for a program that reads them itself).
func ApplyOverlays(r credit.Record, ovs []OverlayRow) {
	var mine []overlay
	for _, o := range ovs {
		if o.RecordID == r.Common().ID {
			mine = append(mine, overlayOf(o))
		}
	}
	apply(r.Common(), mine)
}

func apply(b *credit.Base, ovs []overlay) {
	best := uint8(0)
	for _, o := range ovs {
		if f := o.fields; f != nil {
			if f.Summary != nil {
				b.Summary = *f.Summary
			}
			if f.DecisionNo != nil {
				b.DecisionNo = f.DecisionNo
			}
			if f.DecisionDate != nil {
				b.DecisionDate = *f.DecisionDate
			}
		}
		if o.kind > best {
			best, b.Status = o.kind, overlayKinds[o.kind]
		}
	}
}

// Len is how many records carry an active overlay.
func (s *State) Len() int { return s.idx.Load().len() }
