package datasources

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"credithub/internal/credit"
)

// KeyKind is which of an entity's keys a column holds.
type KeyKind int

// The keys a department may file an entity's rows under.
const (
	KeyUSCC KeyKind = iota
	// KeyOrgCode is the 9-character organisation code: positions 9–17 of
	// the unified code.
	KeyOrgCode
	// KeyRegNo is the pre-2015 registration number, known only to the
	// registry.
	KeyRegNo
)

// EntityKey is a column of a record table that names the entity, and which
// key it holds.
type EntityKey struct {
	Expr string
	Kind KeyKind
}

// EntityDivisions maps entities' keys to their divisions, as the registry
// says: parallel slices of unified codes, old registration numbers ("" when
// none) and division codes. The organisation codes are positions 9–17 of the
// unified codes.
type EntityDivisions struct {
	USCCs     []string
	RegNos    []string
	Divisions []string
}

// Len is how many entities the map holds.
func (m EntityDivisions) Len() int { return len(m.USCCs) }

// StatsQuery asks a department for its records grouped for dashboards
// (cityStats): how many decided per month, kind, entity key and disclosure
// class, in one statement.
type StatsQuery struct {
	// From and To bound the decision date (YYYY-MM-DD, inclusive).
	From, To string
	// EntityKinds are the kinds counted among rows about entities, and
	// PersonKinds among rows about natural persons: what the caller may
	// read (openness, as an entity's or a person's records apply it). A
	// kind in neither is not counted.
	EntityKinds, PersonKinds []credit.Kind
	// Disclosing are the kinds with a publication duty (T26): their rows
	// get a disclosure class.
	Disclosing []credit.Kind
	// DueDays and DueDates are each decision day of [From, To] and its
	// publication deadline, on the official calendar (the hub's to know).
	DueDays, DueDates []string
	// Today decides whether an unpublished decision is overdue or pending.
	Today string
}

// Disclosure classes of a StatsCount (T26), as catalogue.Disclosure decides
// them: published by the deadline, published after it, unpublished and past
// it, unpublished and not yet due.
const (
	DisclosedOnTime = "ON_TIME"
	DisclosedLate   = "LATE"
	DisclosureDue   = "OVERDUE"
	DisclosurePend  = "PENDING"
)

// StatsCount is how many records of a kind were decided in a month about
// the entity filed under Key (its unified code, or on old rows the legacy
// key; "" for natural persons), in a disclosure class ("" for kinds without
// a publication duty or tables that keep no publication day). The hub
// places each key in its entity's division: the registry is in another
// database, and the rows grouped by key are as many as the period's records
// at most, where the registry's map would be every entity.
type StatsCount struct {
	Month      string // YYYY-MM
	Kind       credit.Kind
	Key        string
	Disclosure string
	Count      int
}

// StatsCounter is a department that answers cityStats in one statement.
type StatsCounter interface {
	Stats(ctx context.Context, q StatsQuery) ([]StatsCount, error)
}

var _ StatsCounter = (*TableSource)(nil)

// Stats counts the department's records grouped by month, kind, entity key
// and disclosure class, in one statement. Openness is a kind filter, as for
// an entity's records: the tables of kinds the caller may not read are not
// asked, and a table holding both entities and persons counts only the rows
// of the subjects whose kind the caller may read.
func (s *TableSource) Stats(ctx context.Context, q StatsQuery) ([]StatsCount, error) {
	args := []any{pq.Array(q.DueDays), pq.Array(q.DueDates)}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	has := func(ks []credit.Kind, k credit.Kind) bool {
		for _, x := range ks {
			if x == k {
				return true
			}
		}
		return false
	}
	var today string
	var parts []string
	for _, t := range s.Tables {
		forEntity, forPerson := has(q.EntityKinds, t.Kind), t.PersonRow != "" && has(q.PersonKinds, t.Kind)
		if !forEntity && !forPerson {
			continue
		}
		conds := dateBounds(t.Date, q.From, q.To, arg)
		switch {
		case t.PersonRow != "" && !forPerson:
			conds = append(conds, "NOT ("+t.PersonRow+")")
		case t.PersonRow != "" && !forEntity:
			conds = append(conds, "("+t.PersonRow+")")
		}
		key := "NULL::text"
		if len(t.EntityKeys) > 0 {
			var ks []string
			for _, k := range t.EntityKeys {
				ks = append(ks, k.Expr)
			}
			key = "coalesce(" + strings.Join(ks, ", ") + ")"
			if t.PersonRow != "" {
				key = "CASE WHEN " + t.PersonRow + " THEN NULL ELSE " + key + " END"
			}
		}
		disc, join := "NULL::text", ""
		if t.Published != "" && has(q.Disclosing, t.Kind) {
			if today == "" {
				today = arg(q.Today) + "::date"
			}
			join = " LEFT JOIN due ON due.day = " + t.Date
			disc = fmt.Sprintf(`CASE WHEN %[1]s IS NOT NULL AND %[1]s <= due.due THEN 'ON_TIME' WHEN %[1]s IS NOT NULL THEN 'LATE'
				WHEN %[2]s > due.due THEN 'OVERDUE' ELSE 'PENDING' END`, t.Published, today)
		}
		parts = append(parts, fmt.Sprintf(`SELECT %s::text AS kind, %s AS d, %s AS k, %s AS disc FROM %s t%s%s`,
			pq.QuoteLiteral(string(t.Kind)), t.Date, key, disc, t.Table, join, whereAll(conds)))
	}
	if len(parts) == 0 {
		return nil, nil
	}
	query := `WITH due(day, due) AS (SELECT * FROM unnest($1::date[], $2::date[]))
		SELECT to_char(u.d, 'YYYY-MM'), u.kind, coalesce(u.k, ''), coalesce(u.disc, ''), count(*) FROM (` +
		strings.Join(parts, " UNION ALL ") + `) u GROUP BY 1, 2, 3, 4`
	rows, err := s.DB.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StatsCount
	for rows.Next() {
		var (
			c    StatsCount
			kind string
		)
		if err := rows.Scan(&c.Month, &kind, &c.Key, &c.Disclosure, &c.Count); err != nil {
			return nil, err
		}
		c.Kind = credit.Kind(kind)
		out = append(out, c)
	}
	return out, rows.Err()
}

// CityQuery selects records across a department, for no subject: the
// city-wide stream (Query.records).
type CityQuery struct {
	// EntityKinds and PersonKinds as in StatsQuery: openness as a kind
	// filter on the rows about entities and about persons.
	EntityKinds, PersonKinds []credit.Kind
	// From and To bound the decision date (YYYY-MM-DD, inclusive); "" is open.
	From, To string
	// FilterDivisions keeps only the rows of the entities Divisions holds
	// (found through the keys they were filed under); no entity, no row.
	FilterDivisions bool
	Divisions       EntityDivisions
	// Own, when the caller is an entity, is that entity with every key a
	// department may file it under (the unified code, the organisation
	// code, the old registration number), and OwnKinds are the kinds it may
	// read of its own records beyond EntityKinds (its shared ones): its
	// rows of those kinds are selected too, matched the way its own
	// records are (each table's EntityMatch), so the entity sees its own
	// records in the stream as on its profile.
	Own      Subject
	OwnKinds []credit.Kind
	// Sources, when not empty, are the sources whose records are asked
	// for. A department's rows are all shown under it, so the caller asks
	// a department or not; only a source whose records are shown under
	// several (the hub's own, under the department that decided each)
	// applies it row by row.
	Sources []string
	// After is the last record of the previous page (a position in the
	// merged order of every department); zero means from the start.
	After Cursor
	// Limit is the most rows returned (> 0).
	Limit int
}

// CityRows returns the department's records that q selects, in record
// order, in one statement, decoded on demand; each keeps the subject its
// row names (a legacy key only: empty, with LegacyKey set).
func (s *TableSource) CityRows(ctx context.Context, q CityQuery) ([]*Row, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	has := func(ks []credit.Kind, k credit.Kind) bool {
		for _, x := range ks {
			if x == k {
				return true
			}
		}
		return false
	}
	filtered := q.FilterDivisions
	if filtered && q.Divisions.Len() == 0 {
		return nil, nil
	}
	var with string
	if filtered {
		with = `WITH mu(k, d) AS (SELECT * FROM unnest(` + arg(pq.Array(q.Divisions.USCCs)) + `::text[], ` + arg(pq.Array(q.Divisions.Divisions)) + `::text[])),
			mo(k, d) AS (SELECT substr(k, 9, 9), d FROM mu WHERE length(k) = 18),
			mr(k, d) AS (SELECT * FROM unnest(` + arg(pq.Array(q.Divisions.RegNos)) + `::text[], $2::text[]) AS r(k, d) WHERE r.k <> '') `
	}
	limit := arg(q.Limit)
	// own is the calling entity's keys as the k row an EntityMatch reads
	// (NULL where it has no such key), bound once for every table.
	var own string
	ownRow := func() string {
		if own == "" {
			null := func(v string) any { return sql.NullString{String: v, Valid: v != ""} }
			own = fmt.Sprintf(`(SELECT %s::text AS uscc, %s::text AS org_code, %s::text AS reg_no, NULL::text AS id_no)`,
				arg(null(q.Own.USCC)), arg(null(q.Own.OrgCode)), arg(null(q.Own.RegNo)))
		}
		return own
	}
	var parts []string
	for _, t := range s.Tables {
		forEntity, forPerson := has(q.EntityKinds, t.Kind), t.PersonRow != "" && has(q.PersonKinds, t.Kind)
		forOwn := !forEntity && q.Own.USCC != "" && t.EntityMatch != "" && has(q.OwnKinds, t.Kind)
		if filtered {
			forPerson = false // a person has no division
		}
		if !forEntity && !forPerson && !forOwn {
			continue
		}
		conds := dateBounds(t.Date, q.From, q.To, arg)
		switch {
		case t.PersonRow != "" && !forPerson:
			conds = append(conds, "NOT ("+t.PersonRow+")")
		case t.PersonRow != "" && !forEntity && !forOwn:
			conds = append(conds, "("+t.PersonRow+")")
		}
		if forOwn {
			mine := "EXISTS (SELECT 1 FROM " + ownRow() + " k WHERE (" + t.EntityMatch + "))"
			if forPerson {
				mine = "((" + t.PersonRow + ") OR " + mine + ")"
			}
			conds = append(conds, mine)
		}
		if q.After != (Cursor{}) {
			conds = append(conds, s.afterCursor(t, q.After, arg))
		}
		var joins string
		if filtered {
			var any []string
			for i, k := range t.EntityKeys {
				alias := "m" + strconv.Itoa(i)
				src := map[KeyKind]string{KeyUSCC: "mu", KeyOrgCode: "mo", KeyRegNo: "mr"}[k.Kind]
				joins += fmt.Sprintf(" LEFT JOIN %s %s ON %s.k = %s", src, alias, alias, k.Expr)
				any = append(any, alias+".k IS NOT NULL")
			}
			if len(any) == 0 {
				continue
			}
			conds = append(conds, "("+strings.Join(any, " OR ")+")")
		}
		// The row goes to JSON after the table's LIMIT, not before: the
		// city-wide stream sorts a whole table when no index gives its
		// order, and PostgreSQL computes a select list's to_jsonb for every
		// row it sorts (a page of 100 penalties cost 27,000 of them).
		parts = append(parts, fmt.Sprintf(
			`(SELECT s.kind, s.id, s.d, to_jsonb(s.t) AS row FROM (SELECT %s::text AS kind, %s::bigint AS id, %s AS d, t FROM %s t%s%s ORDER BY 3 DESC, 2 DESC LIMIT %s) s)`,
			pq.QuoteLiteral(string(t.Kind)), t.ID, t.Date, t.Table, joins, whereAll(conds), limit))
	}
	if len(parts) == 0 {
		return nil, nil
	}
	query := with + `SELECT kind, id, to_char(d, 'YYYY-MM-DD'), row FROM (` + strings.Join(parts, " UNION ALL ") +
		`) u ORDER BY d DESC, kind COLLATE "C", id DESC LIMIT ` + limit
	rows, err := s.DB.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Row
	for rows.Next() {
		var (
			kind, date string
			id         int64
			raw        []byte
		)
		if err := rows.Scan(&kind, &id, &date, &raw); err != nil {
			return nil, err
		}
		out = append(out, &Row{
			Cursor: Cursor{Date: date, Source: s.Dept.Code, Kind: credit.Kind(kind), LocalID: id},
			kind:   credit.Kind(kind), id: id, raw: raw, src: s, own: true,
		})
	}
	return out, rows.Err()
}

// CityReader is a department that serves the city-wide stream.
type CityReader interface {
	CityRows(ctx context.Context, q CityQuery) ([]*Row, error)
}

var _ CityReader = (*TableSource)(nil)
