package market

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// USCCsByLegacyKey returns, for each of keys that is an old registration
// number or organisation code of a registered entity, that entity's code,
// in one statement. Departments still file some rows under these keys.
func (s *RegistryStore) USCCsByLegacyKey(ctx context.Context, keys []string) (map[string]string, error) {
	var rows []struct {
		USCC    string         `db:"uscc"`
		RegNo   sql.NullString `db:"reg_no"`
		OrgCode string         `db:"org_code"`
	}
	if err := sqlx.SelectContext(ctx, s.DB, &rows, `SELECT uscc, reg_no, substr(uscc, 9, 9) AS org_code FROM registry_entity
		WHERE reg_no = ANY($1) OR substr(uscc, 9, 9) = ANY($1)`, pq.Array(keys)); err != nil {
		return nil, err
	}
	byKey := map[string]string{}
	for _, r := range rows {
		if r.RegNo.Valid {
			byKey[r.RegNo.String] = r.USCC
		}
		byKey[r.OrgCode] = r.USCC
	}
	return byKey, nil
}
