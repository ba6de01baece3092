package resolvers

// The agencies' change feed (schema/feed.graphqls, internal/feed): what a
// page asks the feed for, which of the changes read the caller may see,
// and the loads its objects need, started for the whole page at once.

import (
	"context"
	"strconv"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/feed"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/loaders"
)

// feedRequest is what the caller may follow: an entity's record kinds as
// it may see them (its view of an entity's records: it is not an entity),
// the lists whose listings it may see, and persons' changes with
// person:read and a declared purpose.
func (r *Resolver) feedRequest(ctx context.Context, since *string, first *int) feed.Request {
	p := auth.FromContext(ctx)
	req := feed.Request{Agency: p.Org(), First: feed.DefaultPage}
	if first != nil {
		req.First = *first
	}
	if since != nil {
		req.Since = *since
	}
	if purpose, ok := auth.PurposeFrom(ctx); ok {
		req.Purpose, req.Persons = string(purpose), p.HasScope(auth.ScopePersonRead)
	}
	view := auth.ViewOf(ctx, auth.Subject{})
	for _, e := range r.Catalogue.Entries() {
		if view.Publicities.Has(r.Catalogue.Publicity(e.Kind, false)) {
			req.EntityRecordKinds = append(req.EntityRecordKinds, string(e.Kind))
		}
	}
	for _, t := range credit.ListTypes {
		if t != credit.ListKeyAttention || keyAttentionRefusal(ctx, "") == nil {
			req.ListTypes = append(req.ListTypes, string(t))
		}
	}
	return req
}

// feedChanges turns the changes read into what the caller sees: each
// person's ID number opened from the sealed ID, the changes it may not see
// left out (by the rules of every other path: a record by its kind's
// openness for its subject, a key-attention listing by its scopes, a
// person's change by the person's authorisation), and the loads of what
// it selected started for the whole page.
func (r *Resolver) feedChanges(ctx context.Context, page *feed.Page) ([]*feed.Change, error) {
	p := auth.FromContext(ctx)
	idNos := make([]string, len(page.Changes))
	var persons []string
	for i, c := range page.Changes {
		if c.PersonID == "" {
			continue
		}
		if _, payload, err := gid.Decode(c.PersonID); err == nil {
			if idNo, err := r.Sealer.OpenPerson(payload); err == nil {
				idNos[i] = idNo
				persons = append(persons, idNo)
			}
		}
		if idNos[i] == "" && r.Logger != nil {
			r.Logger.ErrorContext(ctx, "change feed: a change's person does not open with this hub's key; left out", "change", c.ID)
		}
	}
	if purpose, ok := auth.PurposeFrom(ctx); ok && len(persons) > 0 {
		// Every person's authorisation in one statement, not one each.
		if err := auth.RequestFrom(ctx).Prefetch(ctx, persons, purpose); err != nil {
			return nil, err
		}
	}
	// A kind public only once concluded (a complaint, T10) has records of
	// two levels: for a caller that does not see shared ones, each such
	// record is read (one batch per department) and decides by the
	// records' own rule.
	byRecord := map[int]credit.Ref{}
	var refs []credit.Ref
	for i, c := range page.Changes {
		if e := r.Catalogue.Entry(credit.Kind(c.RecordKind)); e != nil && e.PublicOnceConcluded &&
			!auth.ViewOf(ctx, auth.Subject{USCC: c.USCC, IDNumber: idNos[i]}).Publicities.Has(credit.Shared) {
			if ref, ok := recordRef(c.RecordID); ok {
				byRecord[i] = ref
				refs = append(refs, ref)
			}
		}
	}
	loaders.For(ctx).StartRecords(ctx, refs)
	out := make([]*feed.Change, 0, len(page.Changes))
	for i, c := range page.Changes {
		subj := auth.Subject{USCC: c.USCC, IDNumber: idNos[i]}
		switch {
		case c.Kind == hubdb.ChangeAuthorization:
			if c.Agency != p.Org() {
				continue
			}
		case c.PersonID != "" && idNos[i] == "":
			continue
		case c.RecordKind != "":
			if ref, ok := byRecord[i]; ok {
				// Refused: not the caller's to know of. Any other failure
				// (a department down) fails the page rather than pass the
				// change over: the agency asks again from the same cursor.
				if _, err := recordAt(ctx, ref); apperr.CodeOf(err) == apperr.Forbidden {
					continue
				} else if err != nil {
					return nil, err
				}
				break
			}
			pub := r.Catalogue.Publicity(credit.Kind(c.RecordKind), subj.IDNumber != "")
			if !auth.ViewOf(ctx, subj).Publicities.Has(pub) {
				continue
			}
		case c.Kind == hubdb.ChangeListing:
			if c.ListType == string(credit.ListKeyAttention) && keyAttentionRefusal(ctx, c.USCC) != nil {
				continue
			}
		}
		ch := &feed.Change{ID: strconv.FormatInt(c.ID, 10), Cursor: page.Cursors[i], At: c.At,
			Kind: feed.Kind(c.Kind), Action: feed.Action(c.Action), Row: c}
		if c.USCC != "" {
			ch.Uscc = &c.USCC
		}
		if idNos[i] != "" {
			ch.Person = &feed.Person{ID: c.PersonID, IDNumber: idNos[i]}
		}
		if c.RecordID != "" {
			ch.RecordID = &c.RecordID
		}
		out = append(out, ch)
	}
	return out, r.startFeedLoads(ctx, out)
}

// startFeedLoads starts, for the whole page, the loads of the objects the
// caller selected of its changes: one batch per kind of object (and per
// department for records), not one per change. The authorisations are
// read here, in one statement.
func (r *Resolver) startFeedLoads(ctx context.Context, cs []*feed.Change) error {
	want := map[string]bool{}
	for _, f := range selectedHere(ctx, "ChangePage") {
		if f.Name == "nodes" {
			for _, g := range selected(ctx, f, "Change") {
				want[g.Name] = true
			}
		}
	}
	l := loaders.For(ctx)
	var (
		usccs                       []string
		refs                        []credit.Ref
		entries, objections, repair []int64
		authz                       []int64
	)
	for _, c := range cs {
		row := c.Row
		if row.USCC != "" {
			usccs = append(usccs, row.USCC)
		}
		if c.RecordID != nil {
			if ref, ok := recordRef(*c.RecordID); ok {
				refs = append(refs, ref)
			}
		}
		switch row.Kind {
		case hubdb.ChangeListing:
			entries = append(entries, row.ObjectID)
		case hubdb.ChangeObjection:
			objections = append(objections, row.ObjectID)
		case hubdb.ChangeRepair:
			repair = append(repair, row.ObjectID)
		case hubdb.ChangeAuthorization:
			authz = append(authz, row.ObjectID)
		}
	}
	if want["entity"] && len(usccs) > 0 {
		l.Entity.LoadAll(ctx, usccs)
	}
	if want["record"] && len(refs) > 0 {
		l.StartRecords(ctx, refs)
	}
	if want["listEntry"] && len(entries) > 0 {
		l.ListEntryByID.LoadAll(ctx, entries)
	}
	if want["objection"] && len(objections) > 0 {
		l.ObjectionByID.LoadAll(ctx, objections)
	}
	if want["repair"] && len(repair) > 0 {
		l.RepairByID.LoadAll(ctx, repair)
	}
	if want["authorization"] && len(authz) > 0 {
		rows, err := hubdb.New(r.HubDB).Authorizations().ByID(ctx, authz)
		if err != nil {
			return err
		}
		byID := make(map[int64]*hubdb.Authorization, len(rows))
		for i := range rows {
			byID[rows[i].ID] = &rows[i]
		}
		for _, c := range cs {
			if c.Row.Kind == hubdb.ChangeAuthorization {
				c.Authorization = byID[c.Row.ObjectID]
			}
		}
	}
	return nil
}

// recordRef is the reference a record's global ID stands for.
func recordRef(id string) (credit.Ref, bool) {
	typ, payload, err := gid.Decode(id)
	if err != nil || typ != gid.TypeRecord {
		return credit.Ref{}, false
	}
	ref, err := gid.ParseRecord(payload)
	return ref, err == nil
}
