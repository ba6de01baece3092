package market

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/ident"
	"credithub/internal/scalars"
)

// Registry answers the hub's questions about the registry of market entities.
type Registry interface {
	// EntitiesByUSCC returns the entities with the given codes; unknown codes
	// are absent from the map.
	EntitiesByUSCC(ctx context.Context, usccs []string) (map[string]*Entity, error)
	// EntitiesByKey returns the entities the keys name, each key of its
	// kind; keys the registry does not hold are absent from the map.
	EntitiesByKey(ctx context.Context, keys []Key) (map[Key]*Entity, error)
	// ListEntities returns up to limit entities matching f with codes after
	// the given one, ordered by code.
	ListEntities(ctx context.Context, f ListFilter, after string, limit int) ([]*Entity, error)
	// CountEntities counts the entities matching f, exactly up to
	// ExactCountUpTo (ExactLongTermCountUpTo for a name term of three
	// characters or more) and estimated past it (exact false).
	CountEntities(ctx context.Context, f ListFilter) (n int, exact bool, err error)
	// MembersByUSCC returns each entity's principal persons.
	MembersByUSCC(ctx context.Context, usccs []string) (map[string][]Member, error)
	// MembersByEntityID returns the principal persons of entities the
	// caller has read, by their row ids (Entity.ID), each id with its
	// code: MembersByUSCC's answer for those codes.
	MembersByEntityID(ctx context.Context, codes map[int64]string) (map[string][]Member, error)
	// MembersByIDNumber returns, per ID number, the roles the person holds.
	MembersByIDNumber(ctx context.Context, idNos []string) (map[string][]Member, error)
}

// Entity is a row of registry_entity.
type Entity struct {
	ID            int64          `db:"id"`
	USCC          string         `db:"uscc"`
	USCCLegacy    bool           `db:"uscc_legacy"`
	RegNo         sql.NullString `db:"reg_no"`
	Name          string         `db:"name"`
	EntityType    string         `db:"entity_type"`
	Status        string         `db:"status"`
	RegCapitalWan sql.NullString `db:"reg_capital_wan"`
	EstablishedOn time.Time      `db:"established_on"`
	Address       string         `db:"address"`
	DivisionCode  string         `db:"division_code"`
	IndustryCode  sql.NullString `db:"industry_code"`
	Industry      sql.NullString `db:"industry"`
	LegalRepName  string         `db:"legal_rep_name"`
}

// Member is a principal person of an entity (registry_member).
type Member struct {
	USCC   string         `db:"uscc"`
	Role   string         `db:"role"`
	Name   string         `db:"name"`
	IDNo   string         `db:"id_no"`
	Mobile sql.NullString `db:"mobile"`
}

// The roles as the registry words them.
const (
	RoleLegalRep   = "法定代表人"
	RolePrincipal  = "主要负责人"
	RoleController = "实际控制人"
)

// ListFilter restricts ListEntities; zero fields do not restrict.
type ListFilter struct {
	Division     string
	EntityTypes  []string
	Status       string
	NameContains string
}

// RegistryStore implements Registry over a sqlx handle (a *DB or a *Tx).
type RegistryStore struct {
	DB sqlx.ExtContext
	// CountCap is how many matches CountEntities counts exactly (0:
	// ExactCountUpTo).
	CountCap int
	// LongTermCountCap is how many matches of a name term of three
	// characters or more CountEntities counts exactly (0:
	// ExactLongTermCountUpTo).
	LongTermCountCap int
}

var _ Registry = (*RegistryStore)(nil)

// entityColumns are Entity's columns in selectEntities' order.
const entityColumns = `e.id, e.uscc, e.uscc_legacy, e.reg_no, e.name, e.entity_type, e.status,
	e.reg_capital_wan::text AS reg_capital_wan, e.established_on, e.address, e.division_code,
	e.industry_code, e.industry, e.legal_rep_name`

// selectEntities runs a statement that selects entityColumns and scans
// its rows by position, in entityColumns' order. The registry's pages are
// among the hub's hottest reads, and sqlx's scanning by reflection was a
// tenth of a page of 100 entities' CPU (#16 point 6).
func selectEntities(ctx context.Context, db sqlx.QueryerContext, query string, args ...any) ([]*Entity, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Entity
	for rows.Next() {
		e := new(Entity)
		if err := rows.Scan(&e.ID, &e.USCC, &e.USCCLegacy, &e.RegNo, &e.Name, &e.EntityType, &e.Status,
			&e.RegCapitalWan, &e.EstablishedOn, &e.Address, &e.DivisionCode,
			&e.IndustryCode, &e.Industry, &e.LegalRepName); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// selectMembers runs memberSelect and scans its rows by position.
func selectMembers(ctx context.Context, db sqlx.QueryerContext, query string, args ...any) ([]Member, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.USCC, &m.Role, &m.Name, &m.IDNo, &m.Mobile); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// EntitiesByUSCC returns the entities with the given codes in one statement.
func (s *RegistryStore) EntitiesByUSCC(ctx context.Context, usccs []string) (map[string]*Entity, error) {
	rows, err := selectEntities(ctx, s.DB,
		`SELECT `+entityColumns+` FROM registry_entity e WHERE e.uscc = ANY($1)`, pq.Array(usccs))
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Entity, len(rows))
	for _, r := range rows {
		out[r.USCC] = r
	}
	return out, nil
}

// Key is a key an entity is known by: its code, its organisation code
// (positions 9–17 of the code) or its pre-2015 registration number.
type Key struct {
	Kind  ident.KeyKind
	Value string
}

// EntitiesByKey returns the entities the keys name in one statement, each
// key compared only with the column of its kind.
func (s *RegistryStore) EntitiesByKey(ctx context.Context, keys []Key) (map[Key]*Entity, error) {
	byKind := map[ident.KeyKind][]string{}
	for _, k := range keys {
		byKind[k.Kind] = append(byKind[k.Kind], k.Value)
	}
	rows, err := selectEntities(ctx, s.DB, `SELECT `+entityColumns+` FROM registry_entity e
		WHERE e.uscc = ANY($1) OR substr(e.uscc, 9, 9) = ANY($2) OR e.reg_no = ANY($3)`,
		pq.Array(byKind[ident.KeyUSCC]), pq.Array(byKind[ident.KeyOrgCode]), pq.Array(byKind[ident.KeyRegistrationNumber]))
	if err != nil {
		return nil, err
	}
	out := make(map[Key]*Entity, len(keys))
	for _, r := range rows {
		out[Key{ident.KeyUSCC, r.USCC}] = r
		out[Key{ident.KeyOrgCode, ident.OrgCodeOf(r.USCC)}] = r
		if r.RegNo.Valid {
			out[Key{ident.KeyRegistrationNumber, r.RegNo.String}] = r
		}
	}
	// Rows found by one key carry the others: keep only what was asked.
	asked := make(map[Key]*Entity, len(keys))
	for _, k := range keys {
		if e, ok := out[k]; ok {
			asked[k] = e
		}
	}
	return asked, nil
}

// where returns the filter's conditions on registry_entity e, its values
// appended to args. The name's bigram condition (the GIN index of migration
// 00007) is added when bigrams is true; a search walking the postings of
// registry_name_bigram (migration 00008) needs only the ILIKE, which
// checks the term itself.
func (f ListFilter) where(args *[]any, bigrams bool) string {
	conds := []string{"true"}
	add := func(cond string, v any) {
		*args = append(*args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(*args))))
	}
	if f.Division != "" {
		add("e.division_code = ?", f.Division)
	}
	if len(f.EntityTypes) > 0 {
		add("e.entity_type = ANY(?)", pq.Array(f.EntityTypes))
	}
	if f.Status != "" {
		add("e.status = ?", f.Status)
	}
	if f.NameContains != "" {
		if bigrams && f.searchesBigrams() {
			add("e.name_bigrams @> name_bigrams(?)", f.NameContains)
		}
		add(`e.name ILIKE ? ESCAPE '\'`, "%"+escapeLike(f.NameContains)+"%")
	}
	return strings.Join(conds, " AND ")
}

// nameOnly reports whether the name is the filter's only condition (a new
// condition of ListFilter belongs here too).
func (f ListFilter) nameOnly() bool {
	return f.Division == "" && len(f.EntityTypes) == 0 && f.Status == ""
}

// searchesBigrams reports whether the name search goes through the
// bigrams: a term of two characters or more. One character is a scan.
func (f ListFilter) searchesBigrams() bool {
	return utf8.RuneCountInString(f.NameContains) >= 2
}

// bigramPick returns the SQL of the bigram whose postings a name search
// walks, the term's value appended to args: for a term of two characters
// its one bigram; for a longer one the rarest of its bigrams by the
// planner's statistics of registry_name_bigram (pg_stats: the frequencies
// of its most common bigrams, a thousand of them; a bigram not among them
// is rarer than all that are), the term's first among equals. Every match
// of the term holds every bigram of it, so walking any one bigram's
// postings in code order, the ILIKE checking each name, returns the
// matches in code order; the rarest wastes the fewest reads. Statistics
// only choose: without them (never analyzed) the answer is the same,
// read from the first bigram's postings.
func (f ListFilter) bigramPick(args *[]any) string {
	*args = append(*args, f.NameContains)
	term := fmt.Sprintf("$%d", len(*args))
	if utf8.RuneCountInString(f.NameContains) == 2 {
		return fmt.Sprintf("(name_bigrams(%s))[1]", term)
	}
	return fmt.Sprintf(`(SELECT t.b FROM unnest(name_bigrams(%s)) WITH ORDINALITY t(b, i)
		LEFT JOIN `+bigramFrequencies+` m ON m.v = t.b
		ORDER BY coalesce(m.f, 0), t.i LIMIT 1)`, term)
}

// bigramFrequencies are the planner's statistics of registry_name_bigram's
// most common bigrams: each bigram (v) and the share of all postings that
// are its (f).
const bigramFrequencies = `(SELECT m.v, m.f FROM pg_stats s,
				unnest(s.most_common_vals::text::text[], s.most_common_freqs) m(v, f)
			WHERE s.schemaname = current_schema() AND s.tablename = 'registry_name_bigram' AND s.attname = 'bigram')`

// escapeLike makes a user's search string match literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ListEntities returns a page of entities in code order, in one statement.
// A name search of two characters or more walks the postings of one of the
// term's bigrams (registry_name_bigram, migration 00008) in code order
// from the cursor, joined to the entities it names and filtered: a page
// reads its own rows and those passed over, whether the term is rare or
// common, wherever its matches lie in code order.
func (s *RegistryStore) ListEntities(ctx context.Context, f ListFilter, after string, limit int) ([]*Entity, error) {
	var args []any
	where := f.where(&args, false)
	args = append(args, after, limit)
	afterP, limitP := fmt.Sprintf("$%d", len(args)-1), fmt.Sprintf("$%d", len(args))
	query := fmt.Sprintf(`SELECT %s FROM registry_entity e WHERE %s AND e.uscc > %s ORDER BY e.uscc LIMIT %s`,
		entityColumns, where, afterP, limitP)
	if f.searchesBigrams() {
		// The entity of each posting is a subquery of its own (OFFSET 0
		// keeps it one), estimated at one row however selective the
		// filter: the planner then sees what is true of every bigram,
		// that a page is a short walk of its postings in key order,
		// rather than sorting them all because it guesses the term's
		// matches are few.
		query = fmt.Sprintf(`SELECT x.* FROM registry_name_bigram p
			CROSS JOIN LATERAL (SELECT %s FROM registry_entity e WHERE e.uscc = p.uscc AND %s OFFSET 0) x
			WHERE p.bigram = %s AND p.uscc > %s ORDER BY p.uscc LIMIT %s`,
			entityColumns, where, f.bigramPick(&args), afterP, limitP)
	}
	return selectEntities(ctx, s.DB, query, args...)
}

// ExactCountUpTo is how many matching entities CountEntities counts one by
// one; past it, the count is PostgreSQL's planner estimate, as GitHub's
// search gives an estimate past a threshold: counting every row of a
// million-row match costs ~80 ms on this machine, the capped count and the
// estimate a few.
const ExactCountUpTo = 10_000

// ExactLongTermCountUpTo is ExactCountUpTo for a name term of three
// characters or more. Its bigrams do not tell its matches from names
// holding the same bigrams apart (黑河市 from 黑河 … 河市), so each match
// is checked on its name, a read of the registry's row: 10,001 of them
// cost 100–400 ms at 1M entities, 1,001 (as counted below) 8–27 ms and
// 501 6–12 ms under this machine's load (dev/bench/namesearch.md). A term of two characters is its one bigram,
// counted in the postings alone up to ExactCountUpTo.
const ExactLongTermCountUpTo = 500

// How CountEntities counts a term of three characters or more (name
// alone): by walking the postings of its rarest bigram, each name checked,
// as a page walks them, or through the GIN index. The walk stops at the
// cap's match but reads every posting on the way, the names without the
// term too (鑫源商贸: six postings of 源商 a match); it costs about
// (cap+1)/ρ rows, ρ the share of the postings that are matches. The GIN
// index builds a bitmap of every name holding all of the term's bigrams
// before it counts one, about ρ·R of them (R the bigram's postings): 100
// ms and more when they are common (黑河市, 合作社, 五大连池), a few ms when
// few names hold them all (鑫源商贸). The count walks when ρ²·R exceeds
// walkCountFactor times the cap, R from the statistics (the bigram's share
// of all postings, zero for a bigram rarer than the thousand most common)
// and ρ from the matches among the first walkCountSample postings (the
// walk is the cheaper when (cap+1)/ρ rows of it cost less than ρ·R names
// of the bitmap). walkCountFactor is how much more a row of the walk costs
// than a name of the bitmap, about 5 in the timings at 1M entities, taken
// low (dev/bench/namesearch.md). Either way the count is exact; the
// choice only decides how long it takes.
const (
	walkCountFactor = 4
	walkCountSample = 64
)

// CountEntities counts the entities matching f: exactly up to the cap
// (exact true; CountCap, or LongTermCountCap for a name term of three
// characters or more), else the planner's estimate of the matches (never
// below the cap).
func (s *RegistryStore) CountEntities(ctx context.Context, f ListFilter) (n int, exact bool, err error) {
	limit := s.CountCap
	if limit <= 0 {
		limit = ExactCountUpTo
	}
	runes := utf8.RuneCountInString(f.NameContains)
	if runes >= 3 {
		limit = s.LongTermCountCap
		if limit <= 0 {
			limit = ExactLongTermCountUpTo
		}
	}
	var args []any
	// The names holding the term's bigrams, from the GIN index of 00007,
	// which intersects them before any row is read, each checked by ILIKE.
	query := fmt.Sprintf(`SELECT count(*) FROM (SELECT 1 FROM registry_entity e WHERE %s LIMIT %d) capped`,
		f.where(&args, true), limit+1)
	switch {
	case runes == 2 && f.nameOnly():
		// A term of two characters is its one bigram: its postings are
		// its matches, counted in the primary key alone.
		args = nil
		query = fmt.Sprintf(`SELECT count(*) FROM (SELECT FROM registry_name_bigram p
			WHERE p.bigram = %s LIMIT %d) capped`, f.bigramPick(&args), limit+1)
	case runes >= 3 && f.nameOnly():
		// The walk or the GIN index, in one statement: the sample and the
		// statistics choose which half of the UNION runs, the other stops
		// at its one-time filter. Without statistics, the GIN index.
		args = nil
		where := f.where(&args, false)
		gin := f.where(&args, true)
		args = append(args, f.NameContains, walkCountFactor*(limit+1))
		term, factor := fmt.Sprintf("$%d", len(args)-1), fmt.Sprintf("$%d", len(args))
		query = fmt.Sprintf(`WITH rarest AS MATERIALIZED (
				SELECT t.b, coalesce(m.f, 0) * (SELECT greatest(c.reltuples, 0) FROM pg_class c
					WHERE c.oid = 'registry_name_bigram'::regclass) AS postings
				FROM unnest(name_bigrams(%[1]s)) WITH ORDINALITY t(b, i)
				LEFT JOIN `+bigramFrequencies+` m ON m.v = t.b
				ORDER BY coalesce(m.f, 0), t.i LIMIT 1),
			sample AS MATERIALIZED (
				SELECT count(*) AS n, count(x.hit) AS hits
				FROM (SELECT p.uscc FROM registry_name_bigram p WHERE p.bigram = (SELECT b FROM rarest)
					ORDER BY p.uscc LIMIT %[6]d) p
				LEFT JOIN LATERAL (SELECT true AS hit FROM registry_entity e WHERE e.uscc = p.uscc AND %[2]s OFFSET 0) x ON true),
			walk AS MATERIALIZED (
				SELECT s.hits::float8 * s.hits * r.postings > %[3]s::float8 * s.n * s.n AND s.n > 0 AS yes
				FROM sample s, rarest r)
			SELECT count(*) FROM (
				(SELECT FROM registry_name_bigram p
					CROSS JOIN LATERAL (SELECT FROM registry_entity e WHERE e.uscc = p.uscc AND %[2]s OFFSET 0) x
					WHERE p.bigram = (SELECT b FROM rarest) AND (SELECT yes FROM walk) LIMIT %[5]d)
				UNION ALL
				(SELECT FROM registry_entity e WHERE %[4]s AND NOT (SELECT yes FROM walk) LIMIT %[5]d)) capped`,
			term, where, factor, gin, limit+1, walkCountSample)
	}
	err = sqlx.GetContext(ctx, s.DB, &n, query, args...)
	if err != nil || n <= limit {
		return n, true, err
	}
	// The estimate from the statistics of registry_entity.name_bigrams
	// (ANALYZE keeps its bigrams' frequencies): planning only.
	args = nil
	where := f.where(&args, true)
	var plan string
	if err := sqlx.GetContext(ctx, s.DB, &plan, `EXPLAIN (FORMAT JSON) SELECT 1 FROM registry_entity e WHERE `+where, args...); err != nil {
		return 0, false, err
	}
	var p []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := json.Unmarshal([]byte(plan), &p); err != nil || len(p) == 0 {
		return 0, false, fmt.Errorf("reading the planner's estimate: %v", err)
	}
	return max(int(p[0].Plan.Rows), limit+1), false, nil
}

const memberSelect = `SELECT e.uscc, m.role, m.name, m.id_no, m.mobile
	FROM registry_member m JOIN registry_entity e ON e.id = m.entity_id`

// MembersByUSCC returns the principal persons of the given entities.
func (s *RegistryStore) MembersByUSCC(ctx context.Context, usccs []string) (map[string][]Member, error) {
	rows, err := selectMembers(ctx, s.DB, memberSelect+` WHERE e.uscc = ANY($1) ORDER BY e.uscc, m.id`, pq.Array(usccs))
	if err != nil {
		return nil, err
	}
	return byCode(rows, len(usccs)), nil
}

// byCode files members, in their order, under their entities' codes.
func byCode(rows []Member, entities int) map[string][]Member {
	out := make(map[string][]Member, entities)
	for _, r := range rows {
		out[r.USCC] = append(out[r.USCC], r)
	}
	return out
}

// MembersByEntityID returns the principal persons of entities already read
// from the registry, by their row ids, filed under the codes codes gives
// them: MembersByUSCC's answer, without the join back to registry_entity
// to find the entities by code again (see registry_test.go's
// TestMembersByEntityIDAnswersAsByCode; the figures in
// dev/bench/README.md). The members of an entity come in the same order
// (m.id).
func (s *RegistryStore) MembersByEntityID(ctx context.Context, codes map[int64]string) (map[string][]Member, error) {
	ids := make([]int64, 0, len(codes))
	byID := make(map[string]string, len(codes))
	for id, u := range codes {
		ids = append(ids, id)
		byID[strconv.FormatInt(id, 10)] = u
	}
	// The rows come with their entity's id where selectMembers reads the
	// code, and get their code here: ANY over the ids is the cheaper
	// statement (pgbench, 100 entities: 0.45–0.52 ms, against 0.62–0.76
	// for a join to the codes unnested beside them).
	rows, err := selectMembers(ctx, s.DB, `SELECT m.entity_id::text, m.role, m.name, m.id_no, m.mobile
		FROM registry_member m WHERE m.entity_id = ANY($1::bigint[]) ORDER BY m.entity_id, m.id`, pq.Array(ids))
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].USCC = byID[rows[i].USCC]
	}
	return byCode(rows, len(codes)), nil
}

// MembersByIDNumber returns the roles held by the given persons.
func (s *RegistryStore) MembersByIDNumber(ctx context.Context, idNos []string) (map[string][]Member, error) {
	rows, err := selectMembers(ctx, s.DB, memberSelect+` WHERE m.id_no = ANY($1) ORDER BY m.id_no, e.uscc, m.id`, pq.Array(idNos))
	if err != nil {
		return nil, err
	}
	out := make(map[string][]Member, len(idNos))
	for _, r := range rows {
		out[r.IDNo] = append(out[r.IDNo], r)
	}
	return out, nil
}

// The registry's entity type codes of each kind.
var entityTypes = map[credit.EntityKind][]string{
	credit.EntityKindEnterprise:         {"1110", "1151", "1200", "4000"},
	credit.EntityKindIndividualBusiness: {"9600"},
	credit.EntityKindFarmersCooperative: {"9310"},
	credit.EntityKindOtherOrganisation:  {"9900"},
}

// EntityTypesOf returns the registry's type codes of a kind.
func EntityTypesOf(k credit.EntityKind) []string { return entityTypes[k] }

// Kind returns the entity's kind, from its registry type code; a code the
// registry has not documented is another organisation.
func (e *Entity) Kind() credit.EntityKind {
	for k, codes := range entityTypes {
		if slices.Contains(codes, e.EntityType) {
			return k
		}
	}
	return credit.EntityKindOtherOrganisation
}

// The registry's word for each status.
var statuses = map[credit.EntityStatus]string{
	credit.EntityStatusActive:    "存续",
	credit.EntityStatusRevoked:   "吊销",
	credit.EntityStatusCancelled: "注销",
	credit.EntityStatusMovedOut:  "迁出",
}

// StatusWord returns the registry's word for a status.
func StatusWord(s credit.EntityStatus) string { return statuses[s] }

// RegistrationStatus returns the entity's status, nil for a word the
// registry has not documented.
func (e *Entity) RegistrationStatus() *credit.EntityStatus {
	for s, w := range statuses {
		if w == e.Status {
			return &s
		}
	}
	return nil
}

// RegisteredCapital returns the registered capital in yuan (the registry
// keeps 万元), nil when the registry has none or it does not read as a
// number.
func (e *Entity) RegisteredCapital() *scalars.Decimal {
	if !e.RegCapitalWan.Valid {
		return nil
	}
	y, err := scalars.WanToYuan(e.RegCapitalWan.String)
	if err != nil {
		return nil
	}
	return &y
}

// IndustryLabel returns the industry as registered, its GB/T 4754 code
// first when the registry has one; nil when it has none.
func (e *Entity) IndustryLabel() *string {
	if !e.Industry.Valid {
		return nil
	}
	ind := e.Industry.String
	if e.IndustryCode.Valid {
		ind = e.IndustryCode.String + " " + ind
	}
	return &ind
}

// Roles maps the registry's role words to the graph's roles.
var Roles = map[string]credit.Role{
	RoleLegalRep:   credit.RoleLegalRepresentative,
	RolePrincipal:  credit.RolePrincipal,
	RoleController: credit.RoleActualController,
}

// Divisions returns every entity's keys with its division, in one
// statement: the map the departments' city-wide counts (cityStats) need to
// place a record in its entity's division.
func (s *RegistryStore) Divisions(ctx context.Context) (datasources.EntityDivisions, error) {
	var out datasources.EntityDivisions
	rows, err := s.DB.QueryxContext(ctx, `SELECT uscc, coalesce(reg_no, ''), division_code FROM registry_entity ORDER BY id`)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var u, r, d string
		if err := rows.Scan(&u, &r, &d); err != nil {
			return out, err
		}
		out.USCCs, out.RegNos, out.Divisions = append(out.USCCs, u), append(out.RegNos, r), append(out.Divisions, d)
	}
	return out, rows.Err()
}

// The organisation types of registry_entity.org_type (T23).
const (
	OrgOrgan                = "ORGAN"
	OrgPublicInstitution    = "PUBLIC_INSTITUTION"
	OrgStateOwnedEnterprise = "STATE_OWNED_ENTERPRISE"
	OrgOther                = "OTHER"
)

// Org is what kind of organisation an entity is and its superior body
// (T23).
type Org struct {
	USCC         string         `db:"uscc"`
	OrgType      string         `db:"org_type"`
	SuperiorCode sql.NullString `db:"superior_code"`
}

// OrgsByUSCC returns, in one statement, the organisation type and superior
// body of each entity the registry knows among usccs.
func (s *RegistryStore) OrgsByUSCC(ctx context.Context, usccs []string) (map[string]Org, error) {
	var rows []Org
	if err := sqlx.SelectContext(ctx, s.DB, &rows,
		`SELECT uscc, org_type, superior_code FROM registry_entity WHERE uscc = ANY($1)`, pq.Array(usccs)); err != nil {
		return nil, err
	}
	out := make(map[string]Org, len(rows))
	for _, r := range rows {
		out[r.USCC] = r
	}
	return out, nil
}
