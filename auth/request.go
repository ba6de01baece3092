package auth

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"credithub/internal/ident"
)

// AuthorizationStore answers whether a person has authorised an agency in
// writing to read their data for a purpose on a day (hubdb's
// AuthorizationStore does, over person_authorization).
type AuthorizationStore interface {
	Live(ctx context.Context, agency, personRef, purpose string, day time.Time) (bool, error)
}

// Request is one request's privacy state: the agency authorisations it
// looked up and the personal data it returned, which the query log records
// before the answer leaves.
type Request struct {
	authz AuthorizationStore
	ref   func(idNo string) string
	now   func() time.Time

	// members answers an association caller's members (WithMembers);
	// nil reads nobody as a member.
	members MemberStore

	mu       sync.Mutex
	authzHit map[string]bool
	// memberOf are the association caller's readable members, read once
	// (memberRead) in the request, under memberMu.
	memberMu   sync.Mutex
	memberOf   map[string]bool
	memberRead bool
	persons    map[string]string // keyed reference → masked ID number
	entities   map[string]bool
	fields     map[string]bool
	withhold   []ast.Path
}

// NewRequest returns the privacy state of a new request. ref turns an ID
// number into the keyed reference the log and the authorisations store
// instead of the number itself.
func NewRequest(authz AuthorizationStore, ref func(string) string, now func() time.Time) *Request {
	if now == nil {
		now = time.Now
	}
	return &Request{authz: authz, ref: ref, now: now, authzHit: map[string]bool{},
		persons: map[string]string{}, entities: map[string]bool{}, fields: map[string]bool{}}
}

type requestKey struct{}

// WithRequest returns ctx carrying r.
func WithRequest(ctx context.Context, r *Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestFrom returns the request's privacy state. Outside a request it
// returns a state that authorises nobody, so that a missing set-up fails
// closed.
func RequestFrom(ctx context.Context) *Request {
	if r, ok := ctx.Value(requestKey{}).(*Request); ok {
		return r
	}
	return NewRequest(nil, func(string) string { return "" }, nil)
}

// authorized looks the agency's authorisation up once per person and
// purpose per request.
func (r *Request) authorized(ctx context.Context, idNo string, purpose Purpose) (bool, error) {
	if r.authz == nil {
		return false, nil
	}
	key := idNo + "|" + string(purpose)
	r.mu.Lock()
	ok, seen := r.authzHit[key]
	r.mu.Unlock()
	if seen {
		return ok, nil
	}
	ok, err := r.authz.Live(ctx, FromContext(ctx).Org(), r.ref(idNo), string(purpose), r.now())
	if err != nil {
		return false, err
	}
	r.mu.Lock()
	r.authzHit[key] = ok
	r.mu.Unlock()
	return ok, nil
}

// MemberStore answers which entities an industry association reads as its
// members on a day: those that are its members then, in an industry a
// department's live authorisation of it covers (hubdb's AssociationStore
// does, in one statement).
type MemberStore interface {
	ReadableMembers(ctx context.Context, association string, day time.Time) (map[string]bool, error)
}

// WithMembers returns r answering an association caller's members from m.
func (r *Request) WithMembers(m MemberStore) *Request {
	r.members = m
	return r
}

// member reports whether the entity uscc is a member the association
// caller reads as such (MemberStore): its members are read once per
// request, in one statement, however many entities the answer carries.
func (r *Request) member(ctx context.Context, uscc string) (bool, error) {
	p := FromContext(ctx)
	if uscc == "" || p.Kind() != KindAssociation || r.members == nil {
		return false, nil
	}
	r.memberMu.Lock()
	defer r.memberMu.Unlock()
	if !r.memberRead {
		m, err := r.members.ReadableMembers(ctx, p.Org(), r.now())
		if err != nil {
			return false, err
		}
		r.memberOf, r.memberRead = m, true
	}
	return r.memberOf[uscc], nil
}

// BatchAuthorizationStore answers Live for many persons in one statement:
// the references among personRefs that a live authorisation covers
// (hubdb's AuthorizationStore does).
type BatchAuthorizationStore interface {
	LiveAmong(ctx context.Context, agency string, personRefs []string, purpose string, day time.Time) (map[string]bool, error)
}

// Prefetch looks up, in one statement, the agency caller's authorisations
// from the persons idNos for purpose, so that the decisions about them
// later in the request (Decide) cost none each: a page that carries many
// persons' data asks once. It does nothing for a caller that is not an
// agency, or a store that cannot answer in bulk.
func (r *Request) Prefetch(ctx context.Context, idNos []string, purpose Purpose) error {
	batch, ok := r.authz.(BatchAuthorizationStore)
	if !ok || FromContext(ctx).Kind() != KindAgency {
		return nil
	}
	var todo, refs []string
	r.mu.Lock()
	for _, id := range idNos {
		if _, seen := r.authzHit[id+"|"+string(purpose)]; !seen && !slices.Contains(todo, id) {
			todo = append(todo, id)
			refs = append(refs, r.ref(id))
		}
	}
	r.mu.Unlock()
	if len(todo) == 0 {
		return nil
	}
	live, err := batch.LiveAmong(ctx, FromContext(ctx).Org(), refs, string(purpose), r.now())
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, id := range todo {
		r.authzHit[id+"|"+string(purpose)] = live[refs[i]]
	}
	return nil
}

// Disclose records that personal data of subj went into the answer, as the
// field named field, at path (the nearest part of the answer that can be
// withheld, should the log fail).
func (r *Request) Disclose(subj Subject, field string, path ast.Path) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if subj.IDNumber != "" {
		r.persons[r.ref(subj.IDNumber)] = ident.MaskResidentID(subj.IDNumber)
	}
	if subj.USCC != "" {
		r.entities[subj.USCC] = true
	}
	r.fields[field] = true
	r.withhold = append(r.withhold, path)
}

// Disclosed is what a request's answer carries of personal data.
type Disclosed struct {
	PersonRefs    []string
	PersonsMasked []string
	Entities      []string
	Fields        []string
	Withhold      []ast.Path
}

// Disclosed returns what was disclosed; empty when no personal data is in
// the answer.
func (r *Request) Disclosed() Disclosed {
	r.mu.Lock()
	defer r.mu.Unlock()
	var d Disclosed
	refs := make([]string, 0, len(r.persons))
	for ref := range r.persons {
		refs = append(refs, ref)
	}
	sort.Strings(refs)
	for _, ref := range refs {
		d.PersonRefs = append(d.PersonRefs, ref)
		d.PersonsMasked = append(d.PersonsMasked, r.persons[ref])
	}
	for e := range r.entities {
		d.Entities = append(d.Entities, e)
	}
	sort.Strings(d.Entities)
	for f := range r.fields {
		d.Fields = append(d.Fields, f)
	}
	sort.Strings(d.Fields)
	d.Withhold = append(d.Withhold, r.withhold...)
	return d
}

// Empty reports whether nothing personal was disclosed.
func (d Disclosed) Empty() bool { return len(d.Fields) == 0 }
