package workflow

import (
	"context"

	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
)

// The licensed credit agencies' change feed (T30, package feed reads it):
// the transitions that change what an agency may know of an entity or a
// person write their change in their own transaction, so that a change is
// in the feed exactly when its transition committed.
//
//	a record the hub creates         RECORD ADDED      (a listing's records, an interview, a breach,
//	                                                    an inspection's result, an accepted monitoring finding)
//	an accepted disputed finding     RECORD CHANGED    (the record corrected or revoked, finding.go)
//	a listing's records ended        RECORD CHANGED    (each record removeListing or a ban's end ends)
//	enter, remove (a listing)        LISTING ENTERED, REMOVED
//	a ban's first day, its end       LISTING STARTED, REMOVED, and RECORD CHANGED of its records (bans.go)
//	file, uphold, reject (objection) OBJECTION FILED, UPHELD, REJECTED   (the record under objection, corrected or revoked)
//	refuse, grant, deny, reverse     REPAIR REFUSED, REPAIRED, DENIED, REVERSED
//
// The other transitions (an objection checked or extended, a repair
// applied for, accepted, sampled or re-checked without change, a
// commitment signed or fulfilled, a case's pushes) change nothing an
// agency follows. Authorisations write their own changes
// (hubdb.AuthorizationStore), the departments' new records are followed
// from their tables (package feed).

// change is one change a transition writes: about the entity uscc, or the
// natural person idNo.
type change struct {
	row        hubdb.ChangeRow
	uscc, idNo string
}

// feed appends a transition's changes in its transaction. A service
// without Keys writes none: the local set-up's seeded history is not in
// the feed, which starts with the hub.
func (s *Service) feed(ctx context.Context, tx *hubdb.DB, cs ...change) error {
	if s.Keys == nil || len(cs) == 0 {
		return nil
	}
	rows := make([]hubdb.ChangeRow, len(cs))
	for i, c := range cs {
		rows[i] = c.row.Of(s.Keys, c.uscc, c.idNo)
	}
	return tx.Changes().Append(ctx, rows)
}

// recordChange is a change of the record ref of the subject uscc or idNo.
func recordChange(kind, action string, ref credit.Ref, objectID int64, uscc, idNo string) change {
	return change{row: hubdb.ChangeRow{Kind: kind, Action: action, RecordID: gid.Record(ref), RecordKind: string(ref.Kind), ObjectID: objectID},
		uscc: uscc, idNo: idNo}
}

// recordChangeOf is recordChange for a record by its global ID.
func recordChangeOf(kind, action, recordID string, objectID int64, uscc, idNo string) change {
	ref, err := parseRecordID("recordId", recordID)
	if err != nil {
		// Every stored record ID was parsed before it was stored.
		ref = credit.Ref{}
	}
	c := recordChange(kind, action, ref, objectID, uscc, idNo)
	c.row.RecordID = recordID
	return c
}

// addRecord writes a record the hub creates, and its RECORD ADDED change.
func (s *Service) addRecord(ctx context.Context, tx *hubdb.DB, r hubdb.HubRecordRow) (int64, error) {
	id, err := tx.HubRecords().Add(ctx, r)
	if err != nil {
		return 0, err
	}
	ref := credit.Ref{Source: hubdb.Source, Kind: r.Kind, LocalID: id}
	return id, s.feed(ctx, tx, recordChange(hubdb.ChangeRecord, hubdb.ActionAdded, ref, 0, r.SubjectUSCC, r.SubjectIDNo))
}

// listingChange is a listing's change.
func listingChange(action string, e *ListEntry) change {
	return change{row: hubdb.ChangeRow{Kind: hubdb.ChangeListing, Action: action, ListType: string(e.ListType), ObjectID: e.DBID},
		uscc: e.USCC}
}

// objectionChange is an objection's change: of its record, whose status it
// changed.
func objectionChange(action string, o *hubdb.ObjectionRow) change {
	return recordChangeOf(hubdb.ChangeObjection, action, o.RecordID, o.ID, o.SubjectUSCC, o.SubjectIDNo)
}

// repairChange is a repair's outcome: of its record.
func repairChange(action string, r *hubdb.RepairRow) change {
	return recordChangeOf(hubdb.ChangeRepair, action, r.RecordID, r.ID, r.USCC, "")
}

// listingRecordsChanged is a listing's change and the changes of its
// records whose status it changed (recs: id, kind and subject).
func listingRecordsChanged(action string, e *ListEntry, recs []hubdb.HubRecordRow) []change {
	cs := []change{listingChange(action, e)}
	for _, r := range recs {
		cs = append(cs, recordChange(hubdb.ChangeRecord, hubdb.ActionChanged, credit.Ref{Source: hubdb.Source, Kind: r.Kind, LocalID: r.ID}, 0,
			r.SubjectUSCC, r.SubjectIDNo))
	}
	return cs
}
