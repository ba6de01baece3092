package resolvers

// Visibility: what a caller may see of records and workflow objects, where
// the openness middleware alone cannot tell (it knows a field's type, not
// the record or list behind it).

import (
	"context"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/ident"
	"credithub/internal/loaders"
	"credithub/internal/scalars"
	"credithub/internal/supervision"
)

// keyAttentionRefusal says why the caller may not see the key-attention
// entries of the entity uscc ("" for any entity); nil when it may. They are
// shared among departments (T15): the entity:read scope, or the entity
// itself. The openness middleware guards a shared list entry's fields with
// record:read, so that is asked too: an entry whose fields would all be
// refused is not listed.
func keyAttentionRefusal(ctx context.Context, uscc string) error {
	subj := auth.Subject{USCC: uscc}
	if err := auth.Decide(ctx, auth.Shared, auth.ScopeEntityRead, subj); err != nil {
		return err
	}
	return auth.Decide(ctx, auth.Shared, auth.ScopeRecordRead, subj)
}

// listingsView is what the caller may see of key-attention entries.
func listingsView(ctx context.Context) loaders.ListingsView {
	if keyAttentionRefusal(ctx, "") == nil {
		return loaders.ListingsView{}
	}
	v := loaders.ListingsView{HideKeyAttention: true}
	if p := auth.FromContext(ctx); p.Kind() == auth.KindEntity {
		v.SeenBy = p.Org()
	}
	return v
}

// seesPersonsObjection reports whether the caller may see an objection
// against a natural person's record: what reading the person's data needs.
func seesPersonsObjection(ctx context.Context, idNo string) error {
	return auth.Decide(ctx, auth.Personal, "", auth.Subject{IDNumber: idNo})
}

// recordAsSeen resolves a workflow object's record the way node(id) does:
// FORBIDDEN naming the scope when the caller may not see its kind, null when
// it is out of the caller's view (a public caller and a repaired record).
func recordAsSeen(ctx context.Context, recordID string) (credit.Record, error) {
	typ, payload, err := gid.Decode(recordID)
	if err != nil || typ != gid.TypeRecord {
		return nil, nil
	}
	ref, err := gid.ParseRecord(payload)
	if err != nil {
		return nil, nil
	}
	return recordAt(ctx, ref)
}

// recordAt is the one way to a record by its reference (node(id), a
// workflow object's record): the request's loader, the subject of a record
// filed under a legacy key resolved for the entity itself as its own
// records list resolves it (legacySubject), then the records' one rule
// (auth.SeeRecord).
func recordAt(ctx context.Context, ref credit.Ref) (credit.Record, error) {
	rec, err := loaders.For(ctx).Record(ctx, ref)
	if err != nil || rec == nil {
		return nil, err
	}
	if err := legacySubject(ctx, rec.Common()); err != nil {
		return nil, err
	}
	return auth.SeeRecord(ctx, rec)
}

// annotate applies what the hub knows on top of a department's record read
// outside the request's record loaders, as those do: the catalogue, then
// the hub's overlays.
func (r *Resolver) annotate(ctx context.Context, rec credit.Record, today scalars.Date) {
	loaders.For(ctx).Catalogue().Annotate(rec, today)
	if r.Workflows != nil && r.Workflows.State != nil {
		r.Workflows.State.Apply(rec)
	}
}

// lookupRecord is the workflows' RecordLookup: any record, annotated and
// with the hub's overlays. It asks the record's department afresh rather
// than through the request's record loader, which would keep the record as
// it was before the write: the mutation's answer (its record field, read
// through the loader afterwards) must show the record as the write left it.
func (r *Resolver) lookupRecord(ctx context.Context, ref credit.Ref) (credit.Record, error) {
	l := loaders.For(ctx)
	for _, dep := range l.Departments() {
		code := dep.Source.Department().Code
		if code != ref.Source {
			continue
		}
		qctx := ctx
		if dep.Timeout > 0 {
			var cancel context.CancelFunc
			qctx, cancel = context.WithTimeout(ctx, dep.Timeout)
			defer cancel()
		}
		found, err := dep.Source.ByRef(qctx, []credit.Ref{ref})
		if err != nil {
			return nil, apperr.Unavailable(code, err)
		}
		rec := found[ref]
		if rec == nil {
			return nil, nil
		}
		r.annotate(ctx, rec, l.Today())
		if err := legacySubject(ctx, rec.Common()); err != nil {
			return nil, err
		}
		return rec, nil
	}
	return nil, nil
}

// legacySubject fills in the subject of a record its department filed under
// a legacy key only (an organisation code, a registration number): a record
// fetched by ID, unlike one fetched for an entity, arrives without its
// unified code. The key is checked against the calling entity's own code —
// the organisation code is its positions 9–17, the registration number is
// in the registry — which is what filing or applying for the record needs;
// for other callers the subject stays unknown.
func legacySubject(ctx context.Context, b *credit.Base) error {
	p := auth.FromContext(ctx)
	if p.Kind() != auth.KindEntity {
		return nil
	}
	return legacySubjectOf(ctx, b, p.Org())
}

// legacySubjectOf fills in the subject of a record filed under a legacy
// key only when the key is uscc's (its organisation code, or its
// registration number in the registry): the entity a caller says the
// record is about, checked.
func legacySubjectOf(ctx context.Context, b *credit.Base, uscc string) error {
	if b.Subject != (credit.Subject{}) || b.LegacyKey == nil {
		return nil
	}
	key := *b.LegacyKey
	if len(uscc) == 18 && key == ident.OrgCodeOf(uscc) {
		b.Subject.USCC = uscc
		return nil
	}
	e, err := loaders.For(ctx).Entity.Load(ctx, uscc)()
	if err != nil {
		return err
	}
	if e != nil && e.RegNo.Valid && e.RegNo.String == key {
		b.Subject.USCC = uscc
	}
	return nil
}

// overdueAndVisible annotates a department's record as the loaders do and
// reports whether it is overdue on the exact calendar and the caller may
// see it (auth.SeesRecord, the records' own rule), with the subject of a
// record filed under an old key only resolved for the entity itself as
// node(id) resolves it (legacySubject).
func (r *Resolver) overdueAndVisible(ctx context.Context, rec credit.Record, today scalars.Date) bool {
	r.annotate(ctx, rec, today)
	b := rec.Common()
	if b.Disclosure == nil || !b.Disclosure.Overdue || b.Disclosure.PublishedDate != nil {
		return false
	}
	if err := legacySubject(ctx, b); err != nil {
		return false
	}
	return auth.SeesRecord(ctx, rec)
}

// authorizationKeeper refuses to record or revoke persons' authorisations
// for anyone but a department or the credit office, which keep the signed
// documents: an agency holding authorization:write would otherwise grant
// itself a person's data, and an entity has no say in them.
func authorizationKeeper(ctx context.Context) error {
	switch auth.FromContext(ctx).Kind() {
	case auth.KindDepartment, auth.KindAdmin:
		return nil
	}
	return apperr.New(apperr.Forbidden, "persons' authorisations of agencies are recorded and revoked by a department or the credit office holding the signed document, never by an agency or entity")
}

// seesTrigger reports whether the caller of a credit check may see a record
// that triggers one of its measures, by the rule of the record itself (as
// node(id) shows it): the check reads every record of the entity uscc, its
// caller sees only the triggers it may see; the measure still applies. A
// trigger stored without its publicity counts as shared, never public.
func seesTrigger(ctx context.Context, uscc string, t supervision.Trigger) bool {
	return seesTriggerOf(ctx, auth.Subject{USCC: uscc}, t)
}

// seesTriggerOf is seesTrigger for the checked subject subj, an entity or
// a natural person (personCheck).
func seesTriggerOf(ctx context.Context, subj auth.Subject, t supervision.Trigger) bool {
	p := t.Publicity
	if p == "" {
		p = credit.Shared
	}
	return auth.ViewOf(ctx, subj).Publicities.Has(p)
}

// inspectionPublicity is the information catalogue's openness of an
// entity's inspection results: a plan's recorded inspection is as open as
// the record it became.
func (r *Resolver) inspectionPublicity() credit.Publicity {
	if e := r.Catalogue.Entry(credit.KindInspection); e != nil {
		return e.EntityPublicity
	}
	return credit.Shared
}
