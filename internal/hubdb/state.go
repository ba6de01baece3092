package hubdb

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// NotifyChannel is the PostgreSQL channel on which a workflow's transaction
// announces that the hub's records or overlays changed (DB.Notify); every
// hub instance listens and reloads its State.
const NotifyChannel = "credithub_state"

// Source code of the hub's own records in their references; the record's
// `source` shows the identifying department.
const Source = "hub"

// InspectionDoubleRandom is the inspectionType of the results the hub
// holds: double-random inspections recorded against a plan (双随机抽查).
const InspectionDoubleRandom = "DOUBLE_RANDOM"

// Office is the city credit office, the keeper of the hub's database.
var Office = credit.Department{Code: Source, Name: "黑河市社会信用体系建设领导小组办公室"}

// State is what the hub itself adds to the departments' records, held in
// memory: its own records (a breach, an interview, a listing of an entity
// and of its responsible persons, an inspection's result) and the overlays on departments' records
// (under objection, corrected, revoked, repaired). It is small next to the
// departments' data and read by every record a request returns, so it is
// loaded once and reloaded when a workflow commits a change (NOTIFY on
// NotifyChannel): reading it costs no statement per request.
type State struct {
	DB     *sqlx.DB
	Logger *slog.Logger

	mu   sync.Mutex // serialises reloads
	snap atomic.Pointer[snapshot]
}

type snapshot struct {
	bySubject map[string][]credit.Record // newest first
	byID      map[int64]credit.Record
	overlays  map[string][]OverlayRow // active, by record global ID
	loadedAt  time.Time
}

// Reload reads the whole state again and swaps it in.
func (s *State) Reload(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	db := New(s.DB)
	rows, err := db.HubRecords().All(ctx)
	if err != nil {
		return fmt.Errorf("loading the hub's records: %w", err)
	}
	ovs, err := db.Overlays().Active(ctx)
	if err != nil {
		return fmt.Errorf("loading the overlays: %w", err)
	}
	snap := &snapshot{bySubject: map[string][]credit.Record{}, byID: map[int64]credit.Record{}, overlays: map[string][]OverlayRow{}, loadedAt: time.Now()}
	for _, r := range rows {
		rec, err := recordOf(r)
		if err != nil {
			return fmt.Errorf("hub record %d: %w", r.ID, err)
		}
		key := r.SubjectUSCC
		if key == "" {
			key = r.SubjectIDNo
		}
		snap.bySubject[key] = append(snap.bySubject[key], rec)
		snap.byID[r.ID] = rec
	}
	for k := range snap.bySubject {
		rs := snap.bySubject[k]
		slices.SortFunc(rs, func(a, b credit.Record) int {
			ca, cb := datasources.CursorOf(a), datasources.CursorOf(b)
			switch {
			case datasources.Less(ca, cb):
				return -1
			case datasources.Less(cb, ca):
				return 1
			}
			return 0
		})
	}
	for _, o := range ovs {
		snap.overlays[o.RecordID] = append(snap.overlays[o.RecordID], o)
	}
	s.snap.Store(snap)
	return nil
}

// recordOf is the credit record of a hub record's row.
func recordOf(r HubRecordRow) (credit.Record, error) {
	dept, ok := datasources.DepartmentByCode(r.Department)
	if !ok {
		dept = &Office
	}
	ref := credit.Ref{Source: Source, Kind: r.Kind, LocalID: r.ID}
	authority := dept.Name
	b := credit.Base{
		ID: gid.Record(ref), Kind: ref.Kind, Source: dept, DecisionNo: r.DecisionNo,
		DecisionDate: scalars.DateOf(r.DecisionDate), Summary: r.Summary, Status: r.Status,
		Authority: &authority, Ref: ref, Subject: credit.Subject{USCC: r.SubjectUSCC, IDNumber: r.SubjectIDNo},
		SubjectName: r.SubjectName, Severity: r.Severity,
	}
	d := r.Detail
	switch ref.Kind {
	case credit.KindCommitmentBreach:
		return &credit.CommitmentBreach{Base: b, CommitmentID: d.CommitmentID, Item: d.Item, FalseCommitment: d.FalseCommitment}, nil
	case credit.KindInterview:
		return &credit.Interview{Base: b, InterviewType: d.InterviewType, ListEntryID: d.ListEntryID}, nil
	case credit.KindListing:
		return &credit.Listing{Base: b, ListType: d.ListType, ListEntryID: d.ListEntryID, Role: d.Role, BanStart: d.BanStart, BanEnd: d.BanEnd}, nil
	case credit.KindKeyAttention:
		return &credit.KeyAttention{Base: b, Domain: d.Domain, ListEntryID: d.ListEntryID}, nil
	case credit.KindMonitoringFinding:
		return &credit.MonitoringFinding{Base: b, Agency: d.Agency, FindingID: d.FindingID}, nil
	case credit.KindSelfDeclaration:
		// Self-declared: its source is the entity itself and no authority
		// decided it; the department is only the one asked to verify it.
		self := credit.SelfDeclared
		b.Source, b.Authority = &self, nil
		return &credit.SelfDeclaration{Base: b, DeclarationID: d.DeclarationID, DeclarationKind: d.DeclarationKind,
			Title: d.Title, CommitmentID: d.CommitmentID, VerifyingDept: r.Department, Verification: d.Verification}, nil
	case credit.KindAssociationDiscipline, credit.KindAssociationRecord:
		// Kept by an industry association of its member (T29): its source
		// is the associations, its authority the association that decided
		// it (the row's department is the association's code).
		src, name := credit.Associations, d.AssociationName
		b.Source, b.Authority = &src, &name
		if ref.Kind == credit.KindAssociationDiscipline {
			return &credit.AssociationDiscipline{Base: b, Association: r.Department, AssociationName: d.AssociationName,
				MembershipID: d.MembershipID, Measure: d.Measure, Title: d.Title}, nil
		}
		return &credit.AssociationRecord{Base: b, Association: r.Department, AssociationName: d.AssociationName,
			MembershipID: d.MembershipID, Category: d.Category, Title: d.Title}, nil
	case credit.KindInspection:
		// Published by the hub the day it was recorded: the T26 duty is
		// counted from the inspection to then.
		b.PublishedOn = d.PublishedOn
		findings := make([]*credit.InspectionFinding, len(d.Findings))
		for i, f := range d.Findings {
			findings[i] = &credit.InspectionFinding{Code: f.Code, Description: f.Description, RectifyBy: f.RectifyBy}
		}
		return &credit.Inspection{Base: b, InspectionType: InspectionDoubleRandom, InspectedAt: b.DecisionDate.Time(),
			Result: d.Result, Passed: d.Passed, Findings: findings}, nil
	}
	return nil, fmt.Errorf("unknown kind %q", r.Kind)
}

// Listen reloads the state whenever a workflow announces a change, until
// ctx ends, and every five minutes regardless. Notices arriving while a
// reload runs are folded into the next one; after a lost connection the
// state is reloaded, since notices may have been missed.
func (s *State) Listen(ctx context.Context, dsn string) {
	l := &sqldb.Listener{DSN: dsn, Channel: NotifyChannel, Every: 5 * time.Minute, Logger: s.Logger,
		Handle: func(ctx context.Context, _ []string, _ bool) {
			rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := s.Reload(rctx); err != nil && s.Logger != nil && ctx.Err() == nil {
				s.Logger.Error("reloading the hub state", "err", err)
			}
		}}
	l.Run(ctx)
}

func (s *State) current() *snapshot {
	if p := s.snap.Load(); p != nil {
		return p
	}
	return &snapshot{}
}

// Apply sets a record's status (and corrected fields) from its active
// overlays: revoked over repaired over under objection over corrected.
func (s *State) Apply(r credit.Record) {
	b := r.Common()
	ovs := s.current().overlays[b.ID]
	if len(ovs) == 0 {
		return
	}
	rank := map[credit.Status]int{credit.Corrected: 1, credit.UnderObjection: 2, credit.Repaired: 3, credit.Revoked: 4}
	best := 0
	for _, o := range ovs {
		if o.Kind == credit.Corrected {
			if o.Fields.Summary != nil {
				b.Summary = *o.Fields.Summary
			}
			if o.Fields.DecisionNo != nil {
				b.DecisionNo = o.Fields.DecisionNo
			}
			if o.Fields.DecisionDate != nil {
				b.DecisionDate = *o.Fields.DecisionDate
			}
		}
		if rank[o.Kind] > best {
			best, b.Status = rank[o.Kind], o.Kind
		}
	}
}

// RecordSource serves the hub's own records to the fan-out like any
// department, from memory.
type RecordSource struct {
	State *State
}

var _ datasources.Source = (*RecordSource)(nil)

// Department is the credit office.
func (s *RecordSource) Department() credit.Department { return Office }

// Kinds are the kinds of the hub's own records.
func (s *RecordSource) Kinds() []credit.Kind {
	return []credit.Kind{credit.KindCommitmentBreach, credit.KindInterview, credit.KindListing, credit.KindKeyAttention,
		credit.KindMonitoringFinding, credit.KindInspection, credit.KindSelfDeclaration,
		credit.KindAssociationDiscipline, credit.KindAssociationRecord}
}

// Key keeps the subject's code or ID number.
func (s *RecordSource) Key(sub datasources.Subject) datasources.Subject {
	if sub.IsPerson() {
		return datasources.Subject{IDNumber: sub.IDNumber}
	}
	return datasources.Subject{USCC: sub.USCC}
}

// NeedsRegistry is false: the hub files by code and ID number.
func (s *RecordSource) NeedsRegistry() bool { return false }

// HoldsPersons is true: joint-punishment listings reach persons (T22).
func (s *RecordSource) HoldsPersons() bool { return true }

// Ping always answers: the state is in memory.
func (s *RecordSource) Ping(context.Context) error { return nil }

func (s *RecordSource) matching(sub datasources.Subject, q datasources.Query) []credit.Record {
	var out []credit.Record
	from, to := q.DateRange()
	for _, r := range s.State.current().bySubject[sub.Key()] {
		b := r.Common()
		if !q.Kinds.Has(b.Kind) || (!from.IsZero() && b.DecisionDate.Before(from)) || (!to.IsZero() && b.DecisionDate.After(to)) {
			continue
		}
		if q.After != (datasources.Cursor{}) && !datasources.Less(q.After, datasources.CursorOf(r)) {
			continue
		}
		out = append(out, clone(r))
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out
}

// Rows returns each subject's records matching q, as rows.
func (s *RecordSource) Rows(_ context.Context, subjects []datasources.Subject, q datasources.Query) (map[string][]*datasources.Row, error) {
	out := map[string][]*datasources.Row{}
	for _, sub := range subjects {
		for _, r := range s.matching(sub, q) {
			out[sub.Key()] = append(out[sub.Key()], datasources.DecodedRow(r))
		}
	}
	return out, nil
}

// Records returns each subject's records matching q.
func (s *RecordSource) Records(_ context.Context, subjects []datasources.Subject, q datasources.Query) (map[string][]credit.Record, error) {
	out := map[string][]credit.Record{}
	for _, sub := range subjects {
		out[sub.Key()] = s.matching(sub, q)
	}
	return out, nil
}

// Counts returns how many records each subject has here.
func (s *RecordSource) Counts(_ context.Context, subjects []datasources.Subject) (map[string]int, error) {
	out := map[string]int{}
	snap := s.State.current()
	for _, sub := range subjects {
		out[sub.Key()] = len(snap.bySubject[sub.Key()])
	}
	return out, nil
}

// ByRef returns the hub's records at refs.
func (s *RecordSource) ByRef(_ context.Context, refs []credit.Ref) (map[credit.Ref]credit.Record, error) {
	out := map[credit.Ref]credit.Record{}
	snap := s.State.current()
	for _, ref := range refs {
		if ref.Source != Source {
			continue
		}
		if r, ok := snap.byID[ref.LocalID]; ok && r.Common().Kind == ref.Kind {
			out[ref] = clone(r)
		}
	}
	return out, nil
}

// Disclosures answers nothing: of the hub's own records only inspection
// results carry a publication duty of T26, and the hub publishes each the
// day it is recorded (its disclosure shows whether that was within 7
// working days of the inspection); the departments' timeliness counts
// their own databases.
func (s *RecordSource) Disclosures(context.Context, datasources.KindSet, string, string) ([]datasources.DisclosureCount, error) {
	return nil, nil
}

// Unpublished answers nothing: the hub holds no record it has not
// published.
func (s *RecordSource) Unpublished(context.Context, datasources.UnpublishedQuery) ([]credit.Record, error) {
	return nil, nil
}

// clone copies a record so that a request's annotations do not touch the
// shared state.
func clone(r credit.Record) credit.Record {
	switch v := r.(type) {
	case *credit.CommitmentBreach:
		return copyOf(v)
	case *credit.Interview:
		return copyOf(v)
	case *credit.Listing:
		return copyOf(v)
	case *credit.KeyAttention:
		return copyOf(v)
	case *credit.MonitoringFinding:
		return copyOf(v)
	case *credit.Inspection:
		return copyOf(v)
	case *credit.SelfDeclaration:
		return copyOf(v)
	case *credit.AssociationDiscipline:
		return copyOf(v)
	case *credit.AssociationRecord:
		return copyOf(v)
	}
	return r
}

// copyOf returns a shallow copy of *v.
func copyOf[T any](v *T) *T {
	c := *v
	return &c
}

// Each calls f with each of the hub's own records as stored (without
// overlays), for city-wide counts; f must not keep or change them.
func (s *State) Each(f func(credit.Record)) {
	for _, r := range s.current().byID {
		f(r)
	}
}

// Matching returns copies of the hub's own records that keep says to keep,
// in record order: the hub's part of the city-wide stream.
func (s *State) Matching(keep func(credit.Record) bool) []credit.Record {
	var out []credit.Record
	for _, r := range s.current().byID {
		if keep(r) {
			out = append(out, clone(r))
		}
	}
	slices.SortFunc(out, func(a, b credit.Record) int {
		ca, cb := datasources.CursorOf(a), datasources.CursorOf(b)
		switch {
		case datasources.Less(ca, cb):
			return -1
		case datasources.Less(cb, ca):
			return 1
		}
		return 0
	})
	return out
}
