package hubdb

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
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
// request. Only the active overlays are held (one entry per record that
// carries any: a few thousand in a city of 100,000 entities); the records
// the hub holds itself are not here (RecordSource reads them).
//
// A change is applied incrementally: a transaction that puts or ends an
// overlay names its records in its notice (DB.Notify), and each instance
// reads again the active overlays of those records only (Refresh). A whole
// reload happens at start, after a lost connection, on a batch's
// announcement, and every few minutes as a safety net (Listen).
type State struct {
	DB     *sqlx.DB
	Logger *slog.Logger

	mu sync.Mutex // serialises the loads, so a later read is stored later
	// byRecord holds a record global ID's active overlays
	// ([]overlay, in the order they were put; never modified once stored).
	byRecord sync.Map
}

// overlay is what Apply needs of an overlay row.
type overlay struct {
	kind   credit.Status
	fields Correction
}

// Reload reads every active overlay again and swaps them in.
func (s *State) Reload(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ovs, err := New(s.DB).Overlays().Active(ctx)
	if err != nil {
		return fmt.Errorf("loading the overlays: %w", err)
	}
	fresh := map[string][]overlay{}
	for _, o := range ovs {
		fresh[o.RecordID] = append(fresh[o.RecordID], overlay{kind: o.Kind, fields: o.Fields})
	}
	s.byRecord.Range(func(k, _ any) bool {
		if _, ok := fresh[k.(string)]; !ok {
			s.byRecord.Delete(k)
		}
		return true
	})
	for id, list := range fresh {
		s.byRecord.Store(id, list)
	}
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
	fresh := make(map[string][]overlay, len(ids))
	for _, o := range ovs {
		fresh[o.RecordID] = append(fresh[o.RecordID], overlay{kind: o.Kind, fields: o.Fields})
	}
	for _, id := range ids {
		if list, ok := fresh[id]; ok {
			s.byRecord.Store(id, list)
		} else {
			s.byRecord.Delete(id)
		}
	}
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
	v, ok := s.byRecord.Load(r.Common().ID)
	if !ok {
		return
	}
	apply(r.Common(), v.([]overlay))
}

// ApplyOverlays is Apply with the record's active overlays given, in the
// order they were put (for a program that reads them itself).
func ApplyOverlays(r credit.Record, ovs []OverlayRow) {
	var mine []overlay
	for _, o := range ovs {
		if o.RecordID == r.Common().ID {
			mine = append(mine, overlay{kind: o.Kind, fields: o.Fields})
		}
	}
	apply(r.Common(), mine)
}

func apply(b *credit.Base, ovs []overlay) {
	best := 0
	for _, o := range ovs {
		if o.kind == credit.Corrected {
			if o.fields.Summary != nil {
				b.Summary = *o.fields.Summary
			}
			if o.fields.DecisionNo != nil {
				b.DecisionNo = o.fields.DecisionNo
			}
			if o.fields.DecisionDate != nil {
				b.DecisionDate = *o.fields.DecisionDate
			}
		}
		if rank := overlayRank[o.kind]; rank > best {
			best, b.Status = rank, o.kind
		}
	}
}

// overlayRank orders the overlays' statuses: the highest one wins.
var overlayRank = map[credit.Status]int{credit.Corrected: 1, credit.UnderObjection: 2, credit.Repaired: 3, credit.Revoked: 4}

// Len is how many records carry an active overlay.
func (s *State) Len() int {
	n := 0
	s.byRecord.Range(func(any, any) bool { n++; return true })
	return n
}
