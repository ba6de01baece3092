package hubdb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/lib/pq"

	"credithub/internal/apperr"
	"credithub/internal/scalars"
)

// Authorization is a row of person_authorization.
type Authorization struct {
	ID           int64      `db:"id" json:"id"`
	Agency       string     `db:"agency" json:"agency"`
	PersonRef    string     `db:"person_ref" json:"-"`
	PersonMasked string     `db:"person_masked" json:"personMasked"`
	Purpose      string     `db:"purpose" json:"purpose"`
	ValidFrom    time.Time  `db:"valid_from" json:"validFrom"`
	ValidTo      time.Time  `db:"valid_to" json:"validTo"`
	DocumentNo   string     `db:"document_no" json:"documentNo"`
	RecordedBy   string     `db:"recorded_by" json:"recordedBy"`
	RecordedOrg  string     `db:"recorded_org" json:"recordedOrg"`
	RecordedAt   time.Time  `db:"recorded_at" json:"recordedAt"`
	RevokedAt    *time.Time `db:"revoked_at" json:"revokedAt"`
	RevokedBy    *string    `db:"revoked_by" json:"revokedBy"`
	// EndedAt is when its end (revoked, or expired) went into the change
	// feed; nil while it has not ended, or not been noted as ended.
	EndedAt *time.Time `db:"ended_at" json:"-"`
}

// Live reports whether the authorisation covers day.
func (a Authorization) Live(day time.Time) bool {
	d := cityDay(day)
	return a.RevokedAt == nil && a.ValidFrom.Format(time.DateOnly) <= d && d <= a.ValidTo.Format(time.DateOnly)
}

// cityDay is the day t falls on in the city (China Standard Time), the
// calendar authorisations are dated in: between 16:00 and 24:00 UTC the
// machine's date is a day behind it, and an authorisation granted from
// the city's today would not yet be live.
func cityDay(t time.Time) string { return scalars.DateOf(t).String() }

const authzColumns = `id, agency, person_ref, person_masked, purpose, valid_from, valid_to, document_no,
	recorded_by, recorded_org, recorded_at, revoked_at, revoked_by, ended_at`

// AuthorizationStore reads and records agencies' authorisations. Live is
// what auth's privacy rules ask, per request; Record and Revoke run inside
// Transact (the mutations' hubdb.Idempotent transaction).
type AuthorizationStore interface {
	// Live reports whether a live authorisation covers agency, person,
	// purpose and day.
	Live(ctx context.Context, agency, personRef, purpose string, day time.Time) (bool, error)
	// LiveAmong answers Live for many persons at once, in one statement:
	// the references among personRefs that a live authorisation covers.
	LiveAmong(ctx context.Context, agency string, personRefs []string, purpose string, day time.Time) (map[string]bool, error)
	// ByID returns the authorisations with these ids, in one statement.
	ByID(ctx context.Context, ids []int64) ([]Authorization, error)
	// Of returns a person's authorisations, newest first.
	Of(ctx context.Context, personRef string) ([]Authorization, error)
	// Held returns the authorisations an agency holds, newest first: those
	// with an id below before (0: from the newest), at most limit, in one
	// statement.
	Held(ctx context.Context, agency string, before int64, limit int) ([]Authorization, error)
	// Record inserts an authorisation, with its GRANTED change for the
	// agency's change feed, in one statement.
	Record(ctx context.Context, a Authorization) (Authorization, error)
	// Revoke revokes an authorisation. Revoking one already revoked is an
	// invalid transition; only the organisation that recorded it may. An
	// authorisation that had not ended yet ends, with its REVOKED change
	// for the agency's change feed.
	Revoke(ctx context.Context, id int64, by, org string) (Authorization, error)
	// RevokeOwn revokes an authorisation the person personRef gave, by the
	// person themselves. One that does not exist and one another person
	// gave are the same NOT_FOUND, so that nothing is learnt of others';
	// revoking one already revoked is an invalid transition. It ends as
	// Revoke ends one, with its REVOKED change.
	RevokeOwn(ctx context.Context, id int64, personRef, by string) (Authorization, error)
}

// Authorizations returns the authorisations' store.
func (d *DB) Authorizations() AuthorizationStore { return authorizations{d} }

type authorizations struct{ d *DB }

func (s authorizations) Live(ctx context.Context, agency, personRef, purpose string, day time.Time) (bool, error) {
	var ok bool
	err := s.d.get(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM person_authorization
		WHERE agency = $1 AND person_ref = $2 AND purpose = $3 AND revoked_at IS NULL
		AND valid_from <= $4::date AND $4::date <= valid_to)`, agency, personRef, purpose, cityDay(day))
	return ok, err
}

func (s authorizations) LiveAmong(ctx context.Context, agency string, personRefs []string, purpose string, day time.Time) (map[string]bool, error) {
	var refs []string
	err := s.d.sel(ctx, &refs, `SELECT DISTINCT person_ref FROM person_authorization
		WHERE agency = $1 AND person_ref = ANY($2) AND purpose = $3 AND revoked_at IS NULL
		AND valid_from <= $4::date AND $4::date <= valid_to`, agency, pq.Array(personRefs), purpose, cityDay(day))
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(refs))
	for _, r := range refs {
		out[r] = true
	}
	return out, nil
}

func (s authorizations) ByID(ctx context.Context, ids []int64) ([]Authorization, error) {
	return rowsByID[Authorization](ctx, s.d, authzColumns, "person_authorization", ids)
}

func (s authorizations) Of(ctx context.Context, personRef string) ([]Authorization, error) {
	var out []Authorization
	err := s.d.sel(ctx, &out, `SELECT `+authzColumns+` FROM person_authorization WHERE person_ref = $1 ORDER BY id DESC`, personRef)
	return out, err
}

func (s authorizations) Record(ctx context.Context, a Authorization) (Authorization, error) {
	var out Authorization
	err := s.d.get(ctx, &out, `WITH a AS (INSERT INTO person_authorization (agency, person_ref, person_masked, purpose,
			valid_from, valid_to, document_no, recorded_by, recorded_org)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+authzColumns+`),
		c AS (INSERT INTO feed_change (kind, action, agency, object_id) SELECT 'AUTHORIZATION', 'GRANTED', agency, id FROM a)
		SELECT `+authzColumns+` FROM a`,
		a.Agency, a.PersonRef, a.PersonMasked, a.Purpose, a.ValidFrom, a.ValidTo, a.DocumentNo, a.RecordedBy, a.RecordedOrg)
	return out, err
}

func (s authorizations) Revoke(ctx context.Context, id int64, by, org string) (Authorization, error) {
	var a Authorization
	err := s.d.get(ctx, &a, `SELECT `+authzColumns+` FROM person_authorization WHERE id = $1 FOR UPDATE`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.New(apperr.NotFound, "no authorisation %d", id).With("field", "id")
	}
	if err != nil {
		return a, err
	}
	if a.RecordedOrg != org {
		return a, apperr.New(apperr.Forbidden, "only %s, which recorded this authorisation, may revoke it", a.RecordedOrg)
	}
	if a.RevokedAt != nil {
		return a, apperr.New(apperr.InvalidTransition, "authorisation %d is already revoked; it cannot be revoked again", id).
			With("state", "REVOKED").With("action", "revoke")
	}
	err = s.d.get(ctx, &a, `WITH a AS (UPDATE person_authorization SET revoked_at = now(), revoked_by = $2, ended_at = coalesce(ended_at, now())
			WHERE id = $1 RETURNING `+authzColumns+`),
		c AS (INSERT INTO feed_change (kind, action, agency, object_id) SELECT 'AUTHORIZATION', 'REVOKED', agency, id FROM a WHERE $3)
		SELECT `+authzColumns+` FROM a`, id, by, a.EndedAt == nil)
	return a, err
}

func (s authorizations) Held(ctx context.Context, agency string, before int64, limit int) ([]Authorization, error) {
	out := []Authorization{}
	err := s.d.sel(ctx, &out, `SELECT `+authzColumns+` FROM person_authorization
		WHERE agency = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3`, agency, before, limit)
	return out, err
}

func (s authorizations) RevokeOwn(ctx context.Context, id int64, personRef, by string) (Authorization, error) {
	var a Authorization
	err := s.d.get(ctx, &a, `SELECT `+authzColumns+` FROM person_authorization WHERE id = $1 AND person_ref = $2 FOR UPDATE`, id, personRef)
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.New(apperr.NotFound, "you gave no authorisation with this id").With("field", "id")
	}
	if err != nil {
		return a, err
	}
	if a.RevokedAt != nil {
		return a, apperr.New(apperr.InvalidTransition, "this authorisation is already revoked; it cannot be revoked again").
			With("state", "REVOKED").With("action", "revoke")
	}
	err = s.d.get(ctx, &a, `WITH a AS (UPDATE person_authorization SET revoked_at = now(), revoked_by = $2, ended_at = coalesce(ended_at, now())
			WHERE id = $1 RETURNING `+authzColumns+`),
		c AS (INSERT INTO feed_change (kind, action, agency, object_id) SELECT 'AUTHORIZATION', 'REVOKED', agency, id FROM a WHERE $3)
		SELECT `+authzColumns+` FROM a`, id, by, a.EndedAt == nil)
	return a, err
}
