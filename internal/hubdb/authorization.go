package hubdb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"credithub/auth"
	"credithub/internal/apperr"
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
}

// Live reports whether the authorisation covers day.
func (a Authorization) Live(day time.Time) bool {
	d := day.Format(time.DateOnly)
	return a.RevokedAt == nil && a.ValidFrom.Format(time.DateOnly) <= d && d <= a.ValidTo.Format(time.DateOnly)
}

const authzColumns = `id, agency, person_ref, person_masked, purpose, valid_from, valid_to, document_no,
	recorded_by, recorded_org, recorded_at, revoked_at, revoked_by`

// Authorizations reads and records agencies' authorisations; it is the
// store auth.Decide asks.
type Authorizations struct {
	DB *sqlx.DB
}

var _ auth.AuthorizationStore = (*Authorizations)(nil)

// Live reports whether a live authorisation covers agency, person, purpose
// and day.
func (s *Authorizations) Live(ctx context.Context, agency, personRef string, purpose auth.Purpose, day time.Time) (bool, error) {
	var ok bool
	err := s.DB.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM person_authorization
		WHERE agency = $1 AND person_ref = $2 AND purpose = $3 AND revoked_at IS NULL
		AND valid_from <= $4::date AND $4::date <= valid_to)`, agency, personRef, string(purpose), day.Format(time.DateOnly))
	return ok, err
}

// Of returns a person's authorisations, newest first.
func (s *Authorizations) Of(ctx context.Context, personRef string) ([]Authorization, error) {
	var out []Authorization
	err := s.DB.SelectContext(ctx, &out, `SELECT `+authzColumns+` FROM person_authorization WHERE person_ref = $1 ORDER BY id DESC`, personRef)
	return out, err
}

// Record inserts an authorisation within tx.
func (s *Authorizations) Record(ctx context.Context, tx *sqlx.Tx, a Authorization) (Authorization, error) {
	var out Authorization
	err := tx.GetContext(ctx, &out, `INSERT INTO person_authorization (agency, person_ref, person_masked, purpose,
		valid_from, valid_to, document_no, recorded_by, recorded_org)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+authzColumns,
		a.Agency, a.PersonRef, a.PersonMasked, a.Purpose, a.ValidFrom, a.ValidTo, a.DocumentNo, a.RecordedBy, a.RecordedOrg)
	return out, err
}

// Revoke revokes an authorisation within tx. Revoking one already revoked
// is an invalid transition; only the organisation that recorded it may.
func (s *Authorizations) Revoke(ctx context.Context, tx *sqlx.Tx, id int64, by, org string) (Authorization, error) {
	var a Authorization
	err := tx.GetContext(ctx, &a, `SELECT `+authzColumns+` FROM person_authorization WHERE id = $1 FOR UPDATE`, id)
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
	err = tx.GetContext(ctx, &a, `UPDATE person_authorization SET revoked_at = now(), revoked_by = $2 WHERE id = $1 RETURNING `+authzColumns, id, by)
	return a, err
}
