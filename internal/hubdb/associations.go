package hubdb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
)

// Industry associations (T29): the associations a department authorised,
// their authorisations per industry, and their member registries
// (migration 00035). The members' records are hub records
// (ASSOCIATION_DISCIPLINE, ASSOCIATION_RECORD) whose department column is
// the association's code.

// AssociationRow is a row of association: an industry association the hub
// knows since a department first authorised it.
type AssociationRow struct {
	Code      string    `db:"code"`
	Name      string    `db:"name"`
	CreatedAt time.Time `db:"created_at"`
	CreatedBy string    `db:"created_by"`
}

// AssociationAuthorizationRow is a row of association_authorization: a
// department's authorisation of an association for an industry (a GB/T
// 4754 section letter), GRANTED until it is REVOKED.
type AssociationAuthorizationRow struct {
	ID           int64      `db:"id"`
	Association  string     `db:"association"`
	Industry     string     `db:"industry"`
	Department   string     `db:"department"`
	Basis        string     `db:"basis"`
	State        string     `db:"state"`
	GrantedAt    time.Time  `db:"granted_at"`
	GrantedBy    string     `db:"granted_by"`
	RevokedAt    *time.Time `db:"revoked_at"`
	RevokedBy    *string    `db:"revoked_by"`
	RevokeReason *string    `db:"revoke_reason"`
	// AssociationName is the association's, read with the row.
	AssociationName string `db:"association_name"`
}

const associationAuthorizationColumns = `id, association, industry, department, basis, state, granted_at, granted_by,
	revoked_at, revoked_by, revoke_reason,
	(SELECT n.name FROM association n WHERE n.code = association_authorization.association) AS association_name`

// MembershipRow is a row of association_member: an entity's membership of
// an association, from JoinedOn (MEMBER) until LeftOn (LEFT). Its DATE
// columns read as midnight UTC of the day. Industry is the entity's as the
// registry gave it when it was registered.
type MembershipRow struct {
	ID           int64      `db:"id"`
	Association  string     `db:"association"`
	USCC         string     `db:"uscc"`
	EntityName   string     `db:"entity_name"`
	Industry     string     `db:"industry"`
	JoinedOn     time.Time  `db:"joined_on"`
	LeftOn       *time.Time `db:"left_on"`
	State        string     `db:"state"`
	RegisteredAt time.Time  `db:"registered_at"`
	RegisteredBy string     `db:"registered_by"`
	LeftAt       *time.Time `db:"left_at"`
	LeftBy       *string    `db:"left_by"`
	LeftReason   *string    `db:"left_reason"`
	// AssociationName is the association's, read with the row.
	AssociationName string `db:"association_name"`
}

const membershipColumns = `id, association, uscc, entity_name, industry, joined_on, left_on, state, registered_at, registered_by,
	left_at, left_by, left_reason,
	(SELECT n.name FROM association n WHERE n.code = association_member.association) AS association_name`

// AssociationFilter selects authorisations or memberships; zero fields
// select all. After keeps the ids below it (newest first); Limit bounds
// the rows (at most 1,000).
type AssociationFilter struct {
	Association string
	Department  string
	USCC        string
	Industry    string
	State       string
	After       int64
	Limit       int
}

// Unique indexes whose violation is a refusal the workflow words itself.
const (
	IndexLiveAuthorization = "association_authorization_live"
	IndexLiveMembership    = "association_member_live"
)

// AssociationStore keeps the associations, their authorisations and
// their member registries.
type AssociationStore interface {
	// Register writes the association a department authorises for the
	// first time and returns it; when it is known already, it returns it
	// as stored (its name included).
	Register(ctx context.Context, a AssociationRow) (AssociationRow, error)
	// ByCodes returns the associations with these codes, in one statement.
	ByCodes(ctx context.Context, codes []string) (map[string]AssociationRow, error)
	// List returns the associations ordered by code, after the code after,
	// at most limit.
	List(ctx context.Context, after string, limit int) ([]AssociationRow, error)

	// Authorize writes a GRANTED authorisation; ErrAlreadyOpen when the
	// department's authorisation of the association for the industry is
	// live already.
	Authorize(ctx context.Context, r AssociationAuthorizationRow) (AssociationAuthorizationRow, error)
	// Authorization reads authorisation id without a lock; ErrNotFound
	// when none.
	Authorization(ctx context.Context, id int64) (AssociationAuthorizationRow, error)
	// LockAuthorization reads authorisation id and locks it for a
	// decision (CONFLICT when another holds it).
	LockAuthorization(ctx context.Context, id int64) (AssociationAuthorizationRow, error)
	// RevokeAuthorization writes the revocation and returns the row.
	RevokeAuthorization(ctx context.Context, id int64, at time.Time, by, reason string) (AssociationAuthorizationRow, error)
	// LiveAuthorizations returns the association's live authorisations
	// for industry, locked against a revocation until the transaction
	// ends (FOR SHARE): what a member's registration or record rests on.
	LiveAuthorizations(ctx context.Context, association, industry string) ([]AssociationAuthorizationRow, error)
	// Authorizations returns a page of authorisations matching f, newest
	// first, in one statement (Association, Department, Industry, State).
	Authorizations(ctx context.Context, f AssociationFilter) ([]AssociationAuthorizationRow, error)

	// AddMember writes a MEMBER membership; ErrAlreadyOpen when the
	// entity is a member of the association already.
	AddMember(ctx context.Context, m MembershipRow) (MembershipRow, error)
	// Membership reads membership id without a lock; ErrNotFound when none.
	Membership(ctx context.Context, id int64) (MembershipRow, error)
	// LockMembership reads membership id and locks it for a decision.
	LockMembership(ctx context.Context, id int64) (MembershipRow, error)
	// LiveMembership reads the entity's live membership of the
	// association and locks it (FOR SHARE: a record rests on it while a
	// concurrent end waits); ErrNotFound when it is no member.
	LiveMembership(ctx context.Context, association, uscc string) (MembershipRow, error)
	// EndMembership writes that the member left on leftOn.
	EndMembership(ctx context.Context, id int64, leftOn string, at time.Time, by, reason string) (MembershipRow, error)
	// Memberships returns a page of memberships matching f, newest first,
	// in one statement (Association, USCC, Industry, State).
	Memberships(ctx context.Context, f AssociationFilter) ([]MembershipRow, error)
	// MembershipsOf returns the memberships of these entities, newest
	// first, in one statement.
	MembershipsOf(ctx context.Context, usccs []string) ([]MembershipRow, error)

	// ReadableMembers returns the entities the association reads as its
	// members on day: its members then, in an industry one of its live
	// authorisations covers; one statement (auth.MemberStore).
	ReadableMembers(ctx context.Context, association string, day time.Time) (map[string]bool, error)
}

// Associations returns the associations' store.
func (d *DB) Associations() AssociationStore { return associations{d} }

type associations struct{ d *DB }

func (s associations) Register(ctx context.Context, a AssociationRow) (AssociationRow, error) {
	if _, err := s.d.exec(ctx, `INSERT INTO association (code, name, created_at, created_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (code) DO NOTHING`, a.Code, a.Name, a.CreatedAt, a.CreatedBy); err != nil {
		return a, err
	}
	var out AssociationRow
	err := s.d.getRow(ctx, &out, `SELECT code, name, created_at, created_by FROM association WHERE code = $1`, a.Code)
	return out, err
}

func (s associations) ByCodes(ctx context.Context, codes []string) (map[string]AssociationRow, error) {
	var rows []AssociationRow
	if err := s.d.sel(ctx, &rows, `SELECT code, name, created_at, created_by FROM association WHERE code = ANY($1)`, pq.Array(codes)); err != nil {
		return nil, err
	}
	out := make(map[string]AssociationRow, len(rows))
	for _, r := range rows {
		out[r.Code] = r
	}
	return out, nil
}

func (s associations) List(ctx context.Context, after string, limit int) ([]AssociationRow, error) {
	rows := []AssociationRow{}
	err := s.d.sel(ctx, &rows, `SELECT code, name, created_at, created_by FROM association WHERE code > $1 ORDER BY code LIMIT $2`,
		after, pageLimit(limit))
	return rows, err
}

func (s associations) Authorize(ctx context.Context, r AssociationAuthorizationRow) (AssociationAuthorizationRow, error) {
	var out AssociationAuthorizationRow
	err := s.d.insertOpen(ctx, &out, IndexLiveAuthorization, `INSERT INTO association_authorization
			(association, industry, department, basis, state, granted_at, granted_by)
		VALUES ($1, $2, $3, $4, 'GRANTED', $5, $6) RETURNING `+associationAuthorizationColumns,
		r.Association, r.Industry, r.Department, r.Basis, r.GrantedAt, r.GrantedBy)
	return out, err
}

func (s associations) Authorization(ctx context.Context, id int64) (AssociationAuthorizationRow, error) {
	return rowByID[AssociationAuthorizationRow](ctx, s.d, associationAuthorizationColumns, "association_authorization", id)
}

func (s associations) LockAuthorization(ctx context.Context, id int64) (AssociationAuthorizationRow, error) {
	return lockByID[AssociationAuthorizationRow](ctx, s.d, associationAuthorizationColumns, "association_authorization", id)
}

func (s associations) RevokeAuthorization(ctx context.Context, id int64, at time.Time, by, reason string) (AssociationAuthorizationRow, error) {
	var out AssociationAuthorizationRow
	err := s.d.get(ctx, &out, `UPDATE association_authorization SET state = 'REVOKED', revoked_at = $2, revoked_by = $3, revoke_reason = $4
		WHERE id = $1 RETURNING `+associationAuthorizationColumns, id, at, by, reason)
	return out, err
}

func (s associations) LiveAuthorizations(ctx context.Context, association, industry string) ([]AssociationAuthorizationRow, error) {
	var rows []AssociationAuthorizationRow
	err := s.d.sel(ctx, &rows, `SELECT `+associationAuthorizationColumns+` FROM association_authorization
		WHERE association = $1 AND industry = $2 AND state = 'GRANTED' ORDER BY id FOR SHARE`, association, industry)
	return rows, err
}

// associationPage builds a filtered page's statement over table: the columns of f
// that are set, id below f.After, newest first.
func associationPage(columns, table string, f AssociationFilter) (string, []any) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	for _, c := range []struct{ column, value string }{
		{"association", f.Association}, {"department", f.Department}, {"uscc", f.USCC}, {"industry", f.Industry}, {"state", f.State},
	} {
		if c.value != "" {
			where = append(where, c.column+" = "+arg(c.value))
		}
	}
	if f.After > 0 {
		where = append(where, "id < "+arg(f.After))
	}
	q := `SELECT ` + columns + ` FROM ` + table
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	return q + " ORDER BY id DESC LIMIT " + arg(pageLimit(f.Limit)), args
}

func (s associations) Authorizations(ctx context.Context, f AssociationFilter) ([]AssociationAuthorizationRow, error) {
	if f.USCC != "" {
		return nil, fmt.Errorf("hubdb: authorisations are not filtered by entity")
	}
	q, args := associationPage(associationAuthorizationColumns, "association_authorization", f)
	rows := []AssociationAuthorizationRow{}
	err := s.d.sel(ctx, &rows, q, args...)
	return rows, err
}

func (s associations) AddMember(ctx context.Context, m MembershipRow) (MembershipRow, error) {
	var out MembershipRow
	err := s.d.insertOpen(ctx, &out, IndexLiveMembership, `INSERT INTO association_member
			(association, uscc, entity_name, industry, joined_on, state, registered_at, registered_by)
		VALUES ($1, $2, $3, $4, $5::date, 'MEMBER', $6, $7) RETURNING `+membershipColumns,
		m.Association, m.USCC, m.EntityName, m.Industry, day(m.JoinedOn), m.RegisteredAt, m.RegisteredBy)
	return out, err
}

func (s associations) Membership(ctx context.Context, id int64) (MembershipRow, error) {
	return rowByID[MembershipRow](ctx, s.d, membershipColumns, "association_member", id)
}

func (s associations) LockMembership(ctx context.Context, id int64) (MembershipRow, error) {
	return lockByID[MembershipRow](ctx, s.d, membershipColumns, "association_member", id)
}

func (s associations) LiveMembership(ctx context.Context, association, uscc string) (MembershipRow, error) {
	var out MembershipRow
	err := s.d.getRow(ctx, &out, `SELECT `+membershipColumns+` FROM association_member
		WHERE association = $1 AND uscc = $2 AND state = 'MEMBER' FOR SHARE`, association, uscc)
	return out, err
}

func (s associations) EndMembership(ctx context.Context, id int64, leftOn string, at time.Time, by, reason string) (MembershipRow, error) {
	var out MembershipRow
	err := s.d.get(ctx, &out, `UPDATE association_member SET state = 'LEFT', left_on = $2::date, left_at = $3, left_by = $4, left_reason = $5
		WHERE id = $1 RETURNING `+membershipColumns, id, leftOn, at, by, reason)
	return out, err
}

func (s associations) Memberships(ctx context.Context, f AssociationFilter) ([]MembershipRow, error) {
	if f.Department != "" {
		return nil, fmt.Errorf("hubdb: memberships are not filtered by department")
	}
	q, args := associationPage(membershipColumns, "association_member", f)
	rows := []MembershipRow{}
	err := s.d.sel(ctx, &rows, q, args...)
	return rows, err
}

func (s associations) MembershipsOf(ctx context.Context, usccs []string) ([]MembershipRow, error) {
	rows := []MembershipRow{}
	err := s.d.sel(ctx, &rows, `SELECT `+membershipColumns+` FROM association_member WHERE uscc = ANY($1) ORDER BY id DESC`, pq.Array(usccs))
	return rows, err
}

func (s associations) ReadableMembers(ctx context.Context, association string, on time.Time) (map[string]bool, error) {
	var usccs []string
	if err := s.d.sel(ctx, &usccs, `SELECT DISTINCT m.uscc FROM association_member m
		WHERE m.association = $1 AND m.state = 'MEMBER' AND m.joined_on <= $2::date
		  AND EXISTS (SELECT 1 FROM association_authorization a
			WHERE a.association = m.association AND a.industry = m.industry AND a.state = 'GRANTED')`, association, day(on)); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(usccs))
	for _, u := range usccs {
		out[u] = true
	}
	return out, nil
}
