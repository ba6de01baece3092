package datasources

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/lib/pq"

	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// RecordTable describes one table of credit records in a department's
// database. Its SQL fragments refer to the table as t and to the subject being
// looked up as k, with the text columns k.uscc, k.org_code, k.reg_no and
// k.id_no (NULL when the subject has no such key).
type RecordTable struct {
	Kind credit.Kind
	// Table is the table name.
	Table string
	// EntityMatch matches the table's rows to an entity subject, the
	// department's way: "t.uscc = k.uscc OR t.reg_no = k.reg_no".
	EntityMatch string
	// PersonMatch matches rows of a natural person; "" when the table holds
	// none.
	PersonMatch string
	// Date is the decision date as an SQL date expression.
	Date string
	// ID is the row's id column (bigint).
	ID string
	// Published is the day the department put the record online (T26), as
	// an SQL date expression that is NULL while it is not published; ""
	// when the table keeps no such day. Whether a kind must be published
	// is the information catalogue's to say, not the department's.
	Published string
	// EntityKeys are the columns that name the row's entity, in the order
	// they are tried (the unified code first, then a legacy key): how the
	// hub finds the entity's division for city-wide figures.
	EntityKeys []EntityKey
	// PersonRow is true for the rows about a natural person; "" when the
	// table holds none.
	PersonRow string
	// Decode maps a row, as PostgreSQL's to_jsonb(t) writes it, to a record.
	// The Source fills in ID, Source, Ref and Subject afterwards.
	Decode func(row []byte) (credit.Record, error)
}

// TableSource is a Source over a department's record tables. Every
// department uses it, so the batching and key matching are written once.
type TableSource struct {
	DB     *sqldb.DB
	Dept   credit.Department
	Tables []RecordTable
}

var _ Source = (*TableSource)(nil)

// Department returns who this is.
func (s *TableSource) Department() credit.Department { return s.Dept }

// Kinds lists the kinds of s's tables.
func (s *TableSource) Kinds() []credit.Kind {
	var ks []credit.Kind
	for _, t := range s.Tables {
		ks = append(ks, t.Kind)
	}
	return ks
}

// HoldsPersons reports whether any table holds natural persons.
func (s *TableSource) HoldsPersons() bool {
	for _, t := range s.Tables {
		if t.PersonMatch != "" {
			return true
		}
	}
	return false
}

// Key returns the subject as this department's queries see it: only the
// keys its tables match on. Subjects that differ in keys a department
// ignores then share one load, and a load can start before the registry has
// told the hub an entity's old registration number.
func (s *TableSource) Key(sub Subject) Subject {
	if sub.IsPerson() {
		return Subject{IDNumber: sub.IDNumber}
	}
	out := Subject{USCC: sub.USCC}
	for _, t := range s.Tables {
		if strings.Contains(t.EntityMatch, "k.org_code") {
			out.OrgCode = sub.OrgCode
		}
		if strings.Contains(t.EntityMatch, "k.reg_no") {
			out.RegNo = sub.RegNo
		}
	}
	return out
}

// NeedsRegistry reports whether the department files records under a key
// only the registry knows (the pre-2015 registration number).
func (s *TableSource) NeedsRegistry() bool {
	for _, t := range s.Tables {
		if strings.Contains(t.EntityMatch, "k.reg_no") {
			return true
		}
	}
	return false
}

// Ping checks that the database answers.
func (s *TableSource) Ping(ctx context.Context) error { return s.DB.PingContext(ctx) }

// subjectArrays returns the $1..$4 arguments: one array per key column, NULL
// where a subject lacks that key.
func subjectArrays(subjects []Subject) []any {
	cols := make([][]sql.NullString, 4)
	for _, sub := range subjects {
		for i, v := range []string{sub.USCC, sub.OrgCode, sub.RegNo, sub.IDNumber} {
			cols[i] = append(cols[i], sql.NullString{String: v, Valid: v != ""})
		}
	}
	args := make([]any, 4)
	for i := range cols {
		args[i] = pq.Array(cols[i])
	}
	return args
}

const subjectsFrom = `unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS k(uscc, org_code, reg_no, id_no, i)`

// splitSubjects separates entities from natural persons: they match different
// columns, so each group is its own statement.
func splitSubjects(subjects []Subject) (entities, persons []Subject) {
	for _, s := range subjects {
		if s.IsPerson() {
			persons = append(persons, s)
		} else {
			entities = append(entities, s)
		}
	}
	return entities, persons
}

func (t RecordTable) match(person bool) string {
	if person {
		return t.PersonMatch
	}
	return t.EntityMatch
}

// Records returns each subject's records matching q in record order: one
// statement for all entities (and one for all persons) however many
// subjects and tables there are.
func (s *TableSource) Records(ctx context.Context, subjects []Subject, q Query) (map[string][]credit.Record, error) {
	rows, err := s.Rows(ctx, subjects, q)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]credit.Record, len(rows))
	for key, rs := range rows {
		for _, r := range rs {
			rec, err := r.Record()
			if err != nil {
				return nil, err
			}
			out[key] = append(out[key], rec)
		}
	}
	return out, nil
}

// Row is a record as its department sent it, decoded on demand. A page
// merged from five departments keeps a fraction of what each sent (each
// sends its First+1 newest), and the merge needs only the cursor, so only
// the rows that reach the page are decoded.
type Row struct {
	Cursor Cursor
	kind   credit.Kind
	id     int64
	raw    []byte
	src    *TableSource
	asked  credit.Subject
	own    bool
	// Then runs once on the decoded record (the hub's annotations); set it
	// before the row is shared.
	Then func(credit.Record)

	once sync.Once
	rec  credit.Record
	err  error
}

// DecodedRow wraps a record that needs no decoding (the hub's own, held in
// memory) as a row.
func DecodedRow(rec credit.Record) *Row {
	return &Row{Cursor: CursorOf(rec), rec: rec}
}

// Record decodes the row, once.
func (r *Row) Record() (credit.Record, error) {
	if r.src == nil {
		r.once.Do(func() {
			if r.Then != nil {
				r.Then(r.rec)
			}
		})
		return r.rec, nil
	}
	r.once.Do(func() {
		r.rec, r.err = r.src.decode(r.kind, r.id, r.raw)
		if r.err != nil {
			return
		}
		b := r.rec.Common()
		if r.own {
			// A row read for no subject (the city-wide stream) keeps the
			// subject its department filed it under.
			r.raw = nil
			if r.Then != nil {
				r.Then(r.rec)
			}
			return
		}
		if b.Subject != r.asked {
			// The row is about someone else too (a restriction order against
			// a company names its legal representative): its party name is
			// not the subject's, and its party, not the subject asked
			// about, decides its openness.
			b.SubjectName = ""
			if b.Subject != (credit.Subject{}) {
				b.Party = b.Subject
			}
		}
		b.Subject = r.asked
		r.raw = nil
		if r.Then != nil {
			r.Then(r.rec)
		}
	})
	return r.rec, r.err
}

// Rows is Records without decoding: each subject's rows in record order.
func (s *TableSource) Rows(ctx context.Context, subjects []Subject, q Query) (map[string][]*Row, error) {
	out := make(map[string][]*Row, len(subjects))
	entities, persons := splitSubjects(subjects)
	for _, group := range [][]Subject{entities, persons} {
		if len(group) == 0 {
			continue
		}
		if err := s.rows(ctx, group, q, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *TableSource) rows(ctx context.Context, subjects []Subject, q Query, out map[string][]*Row) error {
	person := subjects[0].IsPerson()
	args := subjectArrays(subjects)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var limit string
	if q.Limit > 0 {
		limit = " LIMIT " + arg(q.Limit)
	}
	var parts []string
	for _, t := range s.Tables {
		if !q.Kinds.Has(t.Kind) || t.match(person) == "" {
			continue
		}
		conds := []string{"(" + t.match(person) + ")"}
		if q.From != "" {
			conds = append(conds, t.Date+" >= "+arg(q.From)+"::date")
		}
		if q.To != "" {
			conds = append(conds, t.Date+" <= "+arg(q.To)+"::date")
		}
		if q.After != (Cursor{}) {
			conds = append(conds, s.afterCursor(t, q.After, arg))
		}
		parts = append(parts, fmt.Sprintf(
			`(SELECT %s::text AS kind, %s::bigint AS id, %s AS d, to_jsonb(t) AS row FROM %s t WHERE %s ORDER BY 3 DESC, 2 DESC%s)`,
			pq.QuoteLiteral(string(t.Kind)), t.ID, t.Date, t.Table, strings.Join(conds, " AND "), limit))
	}
	if len(parts) == 0 {
		return nil
	}
	query := `SELECT k.i, r.kind, r.id, to_char(r.d, 'YYYY-MM-DD'), r.row FROM ` + subjectsFrom + ` CROSS JOIN LATERAL (SELECT * FROM (` +
		strings.Join(parts, " UNION ALL ") + `) u ORDER BY d DESC, kind, id DESC` + limit + `) r ORDER BY k.i, r.d DESC, r.kind, r.id DESC`
	rows, err := s.DB.QueryxContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			i    int
			kind string
			id   int64
			date string
			raw  []byte
		)
		if err := rows.Scan(&i, &kind, &id, &date, &raw); err != nil {
			return err
		}
		if i < 1 || i > len(subjects) {
			return fmt.Errorf("%s: subject index %d out of range", s.Dept.Code, i)
		}
		sub := subjects[i-1]
		out[sub.Key()] = append(out[sub.Key()], &Row{
			Cursor: Cursor{Date: date, Source: s.Dept.Code, Kind: credit.Kind(kind), LocalID: id},
			kind:   credit.Kind(kind), id: id, raw: raw, src: s,
			asked: credit.Subject{USCC: sub.USCC, IDNumber: sub.IDNumber},
		})
	}
	return rows.Err()
}

// afterCursor is the condition "this table's row comes after c" in the record
// order (date desc, source, kind, id desc). The source and kind of every row
// of a table are fixed, so the comparison reduces to the date and the id.
func (s *TableSource) afterCursor(t RecordTable, c Cursor, arg func(any) string) string {
	date := arg(c.Date) + "::date"
	here := Cursor{Source: s.Dept.Code, Kind: t.Kind}
	at := Cursor{Source: c.Source, Kind: c.Kind}
	switch {
	case here == at:
		return fmt.Sprintf("(%s < %s OR (%s = %s AND %s < %s))", t.Date, date, t.Date, date, t.ID, arg(c.LocalID))
	case Less(Cursor{Date: c.Date, Source: here.Source, Kind: here.Kind}, Cursor{Date: c.Date, Source: at.Source, Kind: at.Kind, LocalID: -1}):
		// Same-day rows of this table come before the cursor's table.
		return t.Date + " < " + date
	default:
		return t.Date + " <= " + date
	}
}

func (s *TableSource) decode(kind credit.Kind, id int64, row []byte) (credit.Record, error) {
	for _, t := range s.Tables {
		if t.Kind != kind {
			continue
		}
		rec, err := t.Decode(row)
		if err != nil {
			return nil, &DecodeError{Source: s.Dept.Code, Kind: kind, ID: id, Err: err}
		}
		b := rec.Common()
		b.Kind = kind
		b.Ref = credit.Ref{Source: s.Dept.Code, Kind: kind, LocalID: id}
		b.ID = gid.Record(b.Ref)
		dept := s.Dept
		b.Source = &dept
		return rec, nil
	}
	return nil, &DecodeError{Source: s.Dept.Code, Kind: kind, ID: id, Err: fmt.Errorf("no table for kind")}
}

// Counts returns how many records each subject has here, in one statement.
func (s *TableSource) Counts(ctx context.Context, subjects []Subject) (map[string]int, error) {
	out := make(map[string]int, len(subjects))
	entities, persons := splitSubjects(subjects)
	for _, group := range [][]Subject{entities, persons} {
		if len(group) == 0 {
			continue
		}
		person := group[0].IsPerson()
		var sums []string
		for _, t := range s.Tables {
			if m := t.match(person); m != "" {
				sums = append(sums, fmt.Sprintf("(SELECT count(*) FROM %s t WHERE %s)", t.Table, m))
			}
		}
		if len(sums) == 0 {
			for _, sub := range group {
				out[sub.Key()] = 0
			}
			continue
		}
		query := `SELECT k.i, ` + strings.Join(sums, " + ") + ` FROM ` + subjectsFrom
		rows, err := s.DB.QueryxContext(ctx, query, subjectArrays(group)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var i, n int
			if err := rows.Scan(&i, &n); err != nil {
				rows.Close()
				return nil, err
			}
			out[group[i-1].Key()] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ByRef returns the records at refs, in one statement. The subject of a record
// fetched this way is filled in by the department's decoder from the row.
func (s *TableSource) ByRef(ctx context.Context, refs []credit.Ref) (map[credit.Ref]credit.Record, error) {
	byKind := map[credit.Kind][]int64{}
	for _, r := range refs {
		if r.Source == s.Dept.Code {
			byKind[r.Kind] = append(byKind[r.Kind], r.LocalID)
		}
	}
	var parts []string
	var args []any
	for _, t := range s.Tables {
		ids := byKind[t.Kind]
		if len(ids) == 0 {
			continue
		}
		args = append(args, pq.Array(ids))
		parts = append(parts, fmt.Sprintf(`SELECT %s::text, %s::bigint, to_jsonb(t) FROM %s t WHERE %s = ANY($%d)`,
			pq.QuoteLiteral(string(t.Kind)), t.ID, t.Table, t.ID, len(args)))
	}
	out := make(map[credit.Ref]credit.Record, len(refs))
	if len(parts) == 0 {
		return out, nil
	}
	rows, err := s.DB.QueryxContext(ctx, strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			kind string
			id   int64
			row  []byte
		)
		if err := rows.Scan(&kind, &id, &row); err != nil {
			return nil, err
		}
		rec, err := s.decode(credit.Kind(kind), id, row)
		if err != nil {
			return nil, err
		}
		out[rec.Common().Ref] = rec
	}
	return out, rows.Err()
}

// DecodeRow unmarshals a to_jsonb row into a department's row struct.
func DecodeRow[T any](row []byte) (*T, error) {
	var v T
	if err := json.Unmarshal(row, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// dateBounds returns the conditions "date within [from, to]" on expr, each
// bound as a parameter added through arg; an empty bound is open.
func dateBounds(expr, from, to string, arg func(any) string) []string {
	var conds []string
	if from != "" {
		conds = append(conds, expr+" >= "+arg(from)+"::date")
	}
	if to != "" {
		conds = append(conds, expr+" <= "+arg(to)+"::date")
	}
	return conds
}

func whereAll(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// Disclosures counts the records of kinds decided in [from, to] by decision
// day and publication day, over every table that keeps a publication day, in
// one statement.
func (s *TableSource) Disclosures(ctx context.Context, kinds KindSet, from, to string) ([]DisclosureCount, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var parts []string
	for _, t := range s.Tables {
		if t.Published == "" || !kinds.Has(t.Kind) {
			continue
		}
		parts = append(parts, fmt.Sprintf(`SELECT %s AS d, %s AS p FROM %s t%s`,
			t.Date, t.Published, t.Table, whereAll(dateBounds(t.Date, from, to, arg))))
	}
	if len(parts) == 0 {
		return nil, nil
	}
	query := `SELECT to_char(d, 'YYYY-MM-DD'), to_char(p, 'YYYY-MM-DD'), count(*) FROM (` +
		strings.Join(parts, " UNION ALL ") + `) u GROUP BY d, p ORDER BY d, p`
	rows, err := s.DB.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DisclosureCount
	for rows.Next() {
		var (
			decided   string
			published sql.NullString
			n         int
		)
		if err := rows.Scan(&decided, &published, &n); err != nil {
			return nil, err
		}
		c := DisclosureCount{Count: n}
		if c.Decided, err = scalars.ParseDate(decided); err != nil {
			return nil, err
		}
		if published.Valid {
			p, err := scalars.ParseDate(published.String)
			if err != nil {
				return nil, err
			}
			c.Published = &p
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Unpublished returns the records q selects that were never published,
// decoded, in one statement. Like ByRef, a record's subject is the one its
// row names.
func (s *TableSource) Unpublished(ctx context.Context, q UnpublishedQuery) ([]credit.Record, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var parts []string
	for _, t := range s.Tables {
		if t.Published == "" || !q.Kinds.Has(t.Kind) {
			continue
		}
		conds := append([]string{t.Published + " IS NULL"}, dateBounds(t.Date, q.From, q.To, arg)...)
		parts = append(parts, fmt.Sprintf(`SELECT %s::text AS kind, %s::bigint AS id, %s AS d, to_jsonb(t) AS row FROM %s t%s`,
			pq.QuoteLiteral(string(t.Kind)), t.ID, t.Date, t.Table, whereAll(conds)))
	}
	if len(parts) == 0 {
		return nil, nil
	}
	query := `SELECT kind, id, row FROM (` + strings.Join(parts, " UNION ALL ") + `) u`
	if q.After != (Cursor{}) {
		query += fmt.Sprintf(` WHERE (u.d, u.kind, u.id) > (%s::date, %s::text, %s::bigint)`,
			arg(q.After.Date), arg(string(q.After.Kind)), arg(q.After.LocalID))
	}
	query += ` ORDER BY u.d, u.kind, u.id`
	if q.Limit > 0 {
		query += ` LIMIT ` + arg(q.Limit)
	}
	rows, err := s.DB.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []credit.Record
	for rows.Next() {
		var (
			kind string
			id   int64
			row  []byte
		)
		if err := rows.Scan(&kind, &id, &row); err != nil {
			return nil, err
		}
		rec, err := s.decode(credit.Kind(kind), id, row)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

var _ Feed = (*TableSource)(nil)

// tableOf returns the table of kind.
func (s *TableSource) tableOf(kind credit.Kind) (RecordTable, bool) {
	for _, t := range s.Tables {
		if t.Kind == kind {
			return t, true
		}
	}
	return RecordTable{}, false
}

// Since returns the records of kind added after row afterID, in id order,
// at most limit, decoded; rows that do not decode are reported, not fatal.
func (s *TableSource) Since(ctx context.Context, kind credit.Kind, afterID int64, limit int) (Added, error) {
	out := Added{Last: afterID}
	t, ok := s.tableOf(kind)
	if !ok {
		return out, fmt.Errorf("%s keeps no %s records", s.Dept.Code, kind)
	}
	if limit <= 0 {
		return out, fmt.Errorf("Since needs a positive limit, got %d", limit)
	}
	query := fmt.Sprintf(`SELECT %s::bigint, to_jsonb(t) FROM %s t WHERE %s > $1 ORDER BY %s LIMIT $2`, t.ID, t.Table, t.ID, t.ID)
	rows, err := s.DB.QueryxContext(ctx, query, afterID, limit)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id  int64
			row []byte
		)
		if err := rows.Scan(&id, &row); err != nil {
			return out, err
		}
		out.Last = id
		rec, err := s.decode(kind, id, row)
		if err != nil {
			out.Undecodable = append(out.Undecodable, err)
			continue
		}
		out.Records = append(out.Records, rec)
	}
	return out, rows.Err()
}

// MaxIDs returns the highest row id of each of kinds, in one statement.
func (s *TableSource) MaxIDs(ctx context.Context, kinds []credit.Kind) (map[credit.Kind]int64, error) {
	var parts []string
	for _, k := range kinds {
		t, ok := s.tableOf(k)
		if !ok {
			return nil, fmt.Errorf("%s keeps no %s records", s.Dept.Code, k)
		}
		parts = append(parts, fmt.Sprintf(`SELECT %s::text, coalesce(max(%s), 0)::bigint FROM %s t`, pq.QuoteLiteral(string(k)), t.ID, t.Table))
	}
	out := make(map[credit.Kind]int64, len(kinds))
	if len(parts) == 0 {
		return out, nil
	}
	rows, err := s.DB.QueryxContext(ctx, strings.Join(parts, " UNION ALL "))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			kind string
			max  int64
		)
		if err := rows.Scan(&kind, &max); err != nil {
			return nil, err
		}
		out[credit.Kind(kind)] = max
	}
	return out, rows.Err()
}
