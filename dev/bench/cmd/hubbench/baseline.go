package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lib/pq"

	"credithub/datasources"
	"credithub/datasources/court"
	"credithub/datasources/environment"
	"credithub/datasources/fire"
	"credithub/datasources/housing"
	"credithub/datasources/market"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/ident"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
	"credithub/internal/workday"
)

// The baseline is what a plain Go program written for exactly these two
// questions would do, with the fewest SQL round trips:
//
//	S1: one statement to the market database returning the entity, its
//	    principal persons, its newest 101 market records and its market
//	    record count together (CTEs and json_agg), one statement to each
//	    other department returning the entity's newest 101 records and its
//	    count there, and one to the hub's database for the records the hub
//	    holds itself (held.go); all six concurrently. Only the market files
//	    records under the old registration number, so the others need
//	    nothing the market knows (the organisation code is part of the
//	    unified code) and need not wait for it.
//	S2: one statement to the market database for the page of 100 entities
//	    with each one's newest 5 market records (LEFT JOIN LATERAL), then one
//	    statement per other department for those 100 entities' newest 5
//	    records, concurrently: datasources.TableSource.Records, the hub's own
//	    SQL, asked for 5 rather than the hub's 6; and beside them one to the
//	    hub's database for the records it holds itself (held.go).
//
// Rows are decoded with the departments' own decoders (RecordTable.Decode),
// S1's records are annotated with the hub's information catalogue, and the
// result is marshalled to the JSON the hub answers, so that the comparison
// is like for like (verify checks that the documents are equal).

// deptTables are the record tables of every department.
var deptTables = map[string][]datasources.RecordTable{
	datasources.Market:      market.Tables,
	datasources.Environment: environment.Tables,
	datasources.Fire:        fire.Tables,
	datasources.Housing:     housing.Tables,
	datasources.Court:       court.Tables,
}

// The pages the scenarios ask for. S1 asks each department for s1First+1
// records, the extra one telling whether there is a next page; S2 asks for
// s2First, since its query does not ask for the records' pageInfo.
const (
	s1First = 100
	s2First = 5
)

type baseline struct {
	dbs     map[string]*sqldb.DB
	sources map[string]*datasources.TableSource
	decode  map[string]map[credit.Kind]func([]byte) (credit.Record, error)
	cat     *catalogue.Catalogue
	sealer  *gid.Sealer
	// overlays are the active overlays by record global ID.
	overlays map[string][]hubdb.OverlayRow

	s1MarketSQL string
	s1DeptSQL   map[string]string
	s2MarketSQL string

	conns     int
	closeOnce sync.Once
}

func openBaseline(ctx context.Context, cfg config) (*baseline, error) {
	b := &baseline{
		dbs:       map[string]*sqldb.DB{},
		sources:   map[string]*datasources.TableSource{},
		decode:    map[string]map[credit.Kind]func([]byte) (credit.Record, error){},
		s1DeptSQL: map[string]string{},
	}
	open := func(name, database string, conns int) (*sqldb.DB, error) {
		dsn, err := sqldb.WithDatabase(cfg.DSN, database)
		if err != nil {
			return nil, fmt.Errorf("-dsn: %w", err)
		}
		if dsn, err = sqldb.WithParams(dsn, map[string]string{"connect_timeout": "5"}); err != nil {
			return nil, err
		}
		db, err := sqldb.Open(sqldb.Config{Name: name, DSN: dsn, MaxOpenConns: conns, Timeout: 30 * time.Second})
		if err != nil {
			return nil, err
		}
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("database %s: %w", database, err)
		}
		return db, nil
	}
	// The hub's database: its catalogue, read once, and the records the
	// hub holds itself, read with the departments'.
	hubDB, err := open(hubdb.Source, cfg.HubDatabase, cfg.Conns)
	if err != nil {
		return nil, err
	}
	b.dbs[hubdb.Source] = hubDB
	b.cat, err = catalogue.Load(ctx, hubdb.New(hubDB.DB).Catalogues(), workday.Default())
	if err != nil {
		b.Close()
		return nil, err
	}
	// The overlays the hub's workflows put on records (an objection's
	// correction, a repair), read once as the catalogue is: the hub too
	// keeps them in memory.
	ovs, err := hubdb.New(hubDB.DB).Overlays().Active(ctx)
	if err != nil {
		b.Close()
		return nil, err
	}
	b.overlays = map[string][]hubdb.OverlayRow{}
	for _, o := range ovs {
		b.overlays[o.RecordID] = append(b.overlays[o.RecordID], o)
	}
	b.conns = cfg.Conns
	for _, d := range datasources.Departments {
		db, err := open(d.Code, cfg.Prefix+"dept_"+d.Code, cfg.Conns)
		if err != nil {
			b.Close()
			return nil, err
		}
		b.dbs[d.Code] = db
		b.sources[d.Code] = &datasources.TableSource{DB: db, Dept: d, Tables: deptTables[d.Code]}
		b.decode[d.Code] = map[credit.Kind]func([]byte) (credit.Record, error){}
		for _, t := range deptTables[d.Code] {
			b.decode[d.Code][t.Kind] = t.Decode
		}
		if d.Code != datasources.Market {
			b.s1DeptSQL[d.Code] = s1DeptSQL(deptTables[d.Code])
		}
	}
	b.s1MarketSQL = s1MarketSQL(market.Tables)
	b.s2MarketSQL = s2MarketSQL(market.Tables)
	if b.sealer, err = personSealer(); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// personSealer seals person IDs with the hub's key: the environment's
// CREDITHUB_PERSON_ID_KEY, else the fixed development key (app/config.go).
func personSealer() (*gid.Sealer, error) {
	if v := os.Getenv("CREDITHUB_PERSON_ID_KEY"); v != "" {
		k, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("CREDITHUB_PERSON_ID_KEY: %w", err)
		}
		return gid.NewSealer(k)
	}
	k := sha256.Sum256([]byte("credithub development person id key"))
	return gid.NewSealer(k[:])
}

// Close closes the pools; it may be called more than once.
func (b *baseline) Close() {
	b.closeOnce.Do(func() {
		for _, db := range b.dbs {
			db.Close()
		}
	})
}

// checkRoom fails when PostgreSQL cannot hold the baseline's five pools at
// their full size beside everyone else's sessions.
func (b *baseline) checkRoom(ctx context.Context) error {
	var room int
	err := b.dbs[datasources.Market].QueryRowContext(ctx, `SELECT current_setting('max_connections')::int
		- current_setting('superuser_reserved_connections')::int
		- (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')`).Scan(&room)
	if err != nil {
		return err
	}
	var mine int
	for _, db := range b.dbs {
		mine += db.Stats().OpenConnections
	}
	if need := len(b.dbs) * b.conns; room+mine < need {
		return fmt.Errorf("PostgreSQL has room for %d more sessions and the baseline's pools need up to %d (%d × -baseline-conns %d): "+
			"restart the hub, whose idle connections stay open for 5 minutes after load, or lower -baseline-conns",
			room+mine, need, len(b.dbs), b.conns)
	}
	return nil
}

// releaseIdle closes the pools' idle connections, making room for the hub's.
func (b *baseline) releaseIdle() {
	for _, db := range b.dbs {
		db.SetMaxIdleConns(0)
		db.SetMaxIdleConns(b.conns)
	}
}

// --- SQL ---

// newestSQL selects a subject's newest records from every table of a
// department, in the graph's order, at most limit; the tables' match
// conditions refer to the subject as k.
func newestSQL(tables []datasources.RecordTable, limit string) string {
	var arms []string
	for _, t := range tables {
		arms = append(arms, fmt.Sprintf(
			`(SELECT %s::text AS kind, %s::bigint AS id, %s AS d, to_jsonb(t) AS row FROM %s t WHERE (%s) ORDER BY 3 DESC, 2 DESC LIMIT %s)`,
			pq.QuoteLiteral(string(t.Kind)), t.ID, t.Date, t.Table, t.EntityMatch, limit))
	}
	return `SELECT * FROM (` + strings.Join(arms, " UNION ALL ") + `) u ORDER BY d DESC, kind, id DESC LIMIT ` + limit
}

// countSQL counts a subject's records in every table of a department.
func countSQL(tables []datasources.RecordTable) string {
	var sums []string
	for _, t := range tables {
		sums = append(sums, fmt.Sprintf(`(SELECT count(*) FROM %s t WHERE %s)`, t.Table, t.EntityMatch))
	}
	return strings.Join(sums, " + ")
}

const aggRecords = `coalesce(json_agg(json_build_object('kind', r.kind, 'id', r.id, 'row', r.row) ORDER BY r.d DESC, r.kind, r.id DESC), '[]'::json)`

// s1MarketSQL: $1 the code, $2 the records limit.
func s1MarketSQL(tables []datasources.RecordTable) string {
	return `WITH e AS (
  SELECT e.id, e.uscc, e.uscc_legacy, e.reg_no, e.name, e.entity_type, e.status,
    e.reg_capital_wan::text AS reg_capital_wan, e.established_on, e.address, e.division_code,
    e.industry_code, e.industry, e.legal_rep_name
  FROM registry_entity e WHERE e.uscc = $1),
k AS (SELECT e.uscc, NULL::text AS org_code, e.reg_no, NULL::text AS id_no FROM e)
SELECT e.*,
  (SELECT coalesce(json_agg(json_build_object('role', m.role, 'name', m.name, 'id_no', m.id_no) ORDER BY m.id), '[]'::json)
     FROM registry_member m WHERE m.entity_id = e.id) AS members,
  (SELECT ` + aggRecords + ` FROM k CROSS JOIN LATERAL (` + newestSQL(tables, "$2") + `) r) AS records,
  (SELECT ` + countSQL(tables) + ` FROM k) AS total
FROM e`
}

// s1DeptSQL: $1 the code, $2 the organisation code, $3 the records limit.
func s1DeptSQL(tables []datasources.RecordTable) string {
	return `SELECT ` + countSQL(tables) + ` AS total,
  (SELECT ` + aggRecords + ` FROM (` + newestSQL(tables, "$3") + `) r) AS records
FROM (SELECT $1::text AS uscc, $2::text AS org_code, NULL::text AS reg_no, NULL::text AS id_no) k`
}

// s2MarketSQL: $1 the code the page starts after, $2 the page size, $3 the
// records per entity. One row per record (or per entity without any).
func s2MarketSQL(tables []datasources.RecordTable) string {
	return `WITH page AS (SELECT e.uscc, e.name, e.reg_no FROM registry_entity e WHERE e.uscc > $1 ORDER BY e.uscc LIMIT $2)
SELECT k.uscc, k.name, k.reg_no,
  (SELECT EXISTS (SELECT 1 FROM registry_entity x WHERE x.uscc > (SELECT max(p.uscc) FROM page p))) AS has_next,
  r.kind, r.id, r.row
FROM (SELECT p.uscc::text AS uscc, p.name, p.reg_no::text AS reg_no, NULL::text AS org_code, NULL::text AS id_no FROM page p) k
LEFT JOIN LATERAL (` + newestSQL(tables, "$3") + `) r ON true
ORDER BY k.uscc, r.d DESC, r.kind, r.id DESC`
}

// --- decoding ---

type aggRecord struct {
	Kind credit.Kind     `json:"kind"`
	ID   int64           `json:"id"`
	Row  json.RawMessage `json:"row"`
}

// record decodes a department's row the way TableSource does.
func (b *baseline) record(dept string, kind credit.Kind, id int64, row []byte, uscc string) (credit.Record, error) {
	dec := b.decode[dept][kind]
	if dec == nil {
		return nil, fmt.Errorf("%s: no table for kind %s", dept, kind)
	}
	rec, err := dec(row)
	if err != nil {
		return nil, &datasources.DecodeError{Source: dept, Kind: kind, ID: id, Err: err}
	}
	c := rec.Common()
	c.Kind = kind
	c.Ref = credit.Ref{Source: dept, Kind: kind, LocalID: id}
	c.ID = gid.Record(c.Ref)
	d := b.sources[dept].Dept
	c.Source = &d
	c.Subject = credit.Subject{USCC: uscc}
	return rec, nil
}

func (b *baseline) records(dept string, agg []byte, uscc string) ([]credit.Record, error) {
	var rows []aggRecord
	if err := json.Unmarshal(agg, &rows); err != nil {
		return nil, fmt.Errorf("%s: %w", dept, err)
	}
	out := make([]credit.Record, 0, len(rows))
	for _, r := range rows {
		rec, err := b.record(dept, r.Kind, r.ID, r.Row, uscc)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// sortRecords puts records in the graph's order.
func sortRecords(recs []credit.Record) {
	slices.SortFunc(recs, func(a, b credit.Record) int {
		ca, cb := datasources.CursorOf(a), datasources.CursorOf(b)
		switch {
		case datasources.Less(ca, cb):
			return -1
		case datasources.Less(cb, ca):
			return 1
		}
		return 0
	})
}

// recordCursor is the hub's cursor of a record (resolvers/args.go).
func recordCursor(c datasources.Cursor) string {
	return gid.Encode("RecordCursor", c.Date+"|"+c.Source+"|"+string(c.Kind)+"|"+strconv.FormatInt(c.LocalID, 10))
}

// --- S1 ---

type s1MarketRow struct {
	market.Entity
	Members []byte `db:"members"`
	Records []byte `db:"records"`
	Total   int    `db:"total"`
}

type member struct {
	Role string `json:"role"`
	Name string `json:"name"`
	IDNo string `json:"id_no"`
}

type deptAnswer struct {
	recs  []credit.Record
	count int
	err   error
}

// s1 fetches one entity's profile and returns the JSON the hub would.
func (b *baseline) s1(ctx context.Context, uscc string) ([]byte, error) {
	depts := datasources.Departments
	answers := make([]deptAnswer, len(depts))
	var wg sync.WaitGroup
	for i, d := range depts[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i+1] = b.s1Dept(ctx, d.Code, uscc)
		}()
	}
	var held deptAnswer
	wg.Add(1)
	go func() {
		defer wg.Done()
		held = b.s1Held(ctx, uscc)
	}()
	var row s1MarketRow
	err := b.dbs[datasources.Market].QueryRowxContext(ctx, b.s1MarketSQL, uscc, s1First+1).StructScan(&row)
	wg.Wait()
	var resp s1Response
	if err == sql.ErrNoRows {
		return json.Marshal(resp) // an unknown entity is null
	}
	if err != nil {
		return nil, fmt.Errorf("market: %w", err)
	}
	recs, err := b.records(datasources.Market, row.Records, uscc)
	if err != nil {
		return nil, err
	}
	answers[0] = deptAnswer{recs: recs, count: row.Total}
	for i, a := range answers {
		if a.err != nil {
			return nil, fmt.Errorf("%s: %w", depts[i].Code, a.err)
		}
	}
	if held.err != nil {
		return nil, fmt.Errorf("hub: %w", held.err)
	}
	var members []member
	if err := json.Unmarshal(row.Members, &members); err != nil {
		return nil, err
	}

	e := &row.Entity
	kind := e.Kind()
	registeredAt := scalars.DateOf(e.EstablishedOn)
	ent := &s1Entity{
		USCC: e.USCC, Name: &e.Name, Kind: &kind, Status: e.RegistrationStatus(), LegacyCode: e.USCCLegacy,
		OrganizationCode: ident.OrgCodeOf(e.USCC), RegisteredAt: &registeredAt,
		RegisteredCapital: e.RegisteredCapital(), Address: &e.Address, Industry: e.IndustryLabel(),
		ResponsiblePersons: make([]responsibleOut, 0, len(members)),
	}
	if e.RegNo.Valid {
		ent.RegistrationNumber = &e.RegNo.String
	}
	if name, ok := ident.DivisionName(e.DivisionCode); ok {
		ent.Division = &divisionOut{Code: e.DivisionCode, Name: name}
	}
	for _, mb := range members {
		p := personOut{ID: b.sealer.Person(mb.IDNo), Name: mb.Name}
		if mb.Role == market.RoleLegalRep && ent.LegalRepresentative == nil {
			lr := p
			ent.LegalRepresentative = &lr
		}
		if role, ok := market.Roles[mb.Role]; ok {
			ent.ResponsiblePersons = append(ent.ResponsiblePersons, responsibleOut{Role: role, Person: p})
		}
	}

	all := held.recs
	for _, a := range answers {
		all = append(all, a.recs...)
	}
	sortRecords(all)
	conn := &s1RecordsConnection{Complete: true, MissingSources: []codeOut{}}
	if len(all) > s1First {
		all, conn.PageInfo.HasNextPage = all[:s1First], true
	}
	today := scalars.DateOf(time.Now())
	conn.Edges = make([]s1Edge, len(all))
	for i, r := range all {
		cursor := recordCursor(datasources.CursorOf(r))
		b.cat.Annotate(r, today)
		hubdb.ApplyOverlays(r, b.overlays[r.Common().ID])
		conn.Edges[i] = s1Edge{Cursor: cursor, Node: s1Node(r)}
	}
	ent.Records = conn
	// Every department, then the hub's database, as the hub lists them.
	ent.Sources = make([]sourceStatusOut, len(depts), len(depts)+1)
	for i, d := range depts {
		n := answers[i].count
		ent.Sources[i] = sourceStatusOut{Department: codeOut{d.Code}, OK: true, RecordCount: &n}
	}
	ent.Sources = append(ent.Sources, sourceStatusOut{Department: codeOut{hubdb.Source}, OK: true, RecordCount: &held.count})
	resp.Data.Entity = ent
	return json.Marshal(resp)
}

func (b *baseline) s1Dept(ctx context.Context, dept, uscc string) deptAnswer {
	var (
		total int
		agg   []byte
	)
	err := b.dbs[dept].QueryRowContext(ctx, b.s1DeptSQL[dept], uscc, ident.OrgCodeOf(uscc), s1First+1).Scan(&total, &agg)
	if err != nil {
		return deptAnswer{err: err}
	}
	recs, err := b.records(dept, agg, uscc)
	return deptAnswer{recs: recs, count: total, err: err}
}

func s1Node(r credit.Record) s1Record {
	c := r.Common()
	n := s1Record{
		Typename: typename(r), ID: c.ID, Kind: c.Kind, Source: codeOut{c.Source.Code},
		DecisionNo: c.DecisionNo, DecisionDate: c.DecisionDate, Summary: c.Summary,
		Publicity: c.Publicity, Status: c.Status, Severity: c.Severity,
		Authority: c.Authority, LegacyKey: c.LegacyKey,
	}
	if d := c.Disclosure; d != nil {
		n.Disclosure = &disclosureOut{DueDate: d.DueDate, PublishedDate: d.PublishedDate,
			OnTime: d.OnTime, Overdue: d.Overdue, WorkingDaysLate: d.WorkingDaysLate}
	}
	switch v := r.(type) {
	case *credit.Penalty:
		n.penaltyFields = &penaltyFields{Violation: v.Violation, FineAmount: v.FineAmount}
	case *credit.Inspection:
		f := make([]findingOut, len(v.Findings))
		for i, x := range v.Findings {
			f[i] = findingOut{Code: x.Code, Description: x.Description}
		}
		n.inspectionFields = &inspectionFields{Result: v.Result, Findings: f}
	case *credit.DishonestDebtor:
		n.debtorFields = &debtorFields{Court: v.Court, Performance: v.Performance}
	}
	return n
}

// s1Requester rotates over the entities; statements are counted per
// request with the hub's own counters (package sqldb).
func (b *baseline) s1Requester(usccs []string) requester {
	return func(ctx context.Context, seq uint64) (stmts, error) {
		ctx, rs := sqldb.WithRequestStats(ctx)
		out, err := b.s1(ctx, usccs[seq%uint64(len(usccs))])
		if err == nil && len(out) == 0 {
			err = fmt.Errorf("empty answer")
		}
		return b.counted(rs), err
	}
}

func (b *baseline) counted(rs *sqldb.RequestStats) stmts {
	var st stmts
	for code, db := range b.dbs {
		i, _ := dbIndex(code)
		st[i] = int32(rs.Count(db))
	}
	return st
}

// --- S2 ---

type s2Row struct {
	uscc, name string
	regNo      string
	recs       []credit.Record
}

// s2 fetches the page of entities after the given code with each one's
// newest records and returns the JSON the hub would.
func (b *baseline) s2(ctx context.Context, after string) ([]byte, error) {
	rows, err := b.dbs[datasources.Market].QueryContext(ctx, b.s2MarketSQL, after, pageSize, s2First)
	if err != nil {
		return nil, fmt.Errorf("market: %w", err)
	}
	var (
		ents    []*s2Row
		hasNext bool
	)
	for rows.Next() {
		var (
			uscc, name string
			regNo      sql.NullString
			kind       sql.NullString
			id         sql.NullInt64
			row        []byte
		)
		if err := rows.Scan(&uscc, &name, &regNo, &hasNext, &kind, &id, &row); err != nil {
			rows.Close()
			return nil, err
		}
		if len(ents) == 0 || ents[len(ents)-1].uscc != uscc {
			ents = append(ents, &s2Row{uscc: uscc, name: name, regNo: regNo.String})
		}
		if kind.Valid {
			rec, err := b.record(datasources.Market, credit.Kind(kind.String), id.Int64, row, uscc)
			if err != nil {
				rows.Close()
				return nil, err
			}
			e := ents[len(ents)-1]
			e.recs = append(e.recs, rec)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("market: %w", err)
	}

	subjects := make([]datasources.Subject, len(ents))
	for i, e := range ents {
		subjects[i] = datasources.Subject{USCC: e.uscc, OrgCode: ident.OrgCodeOf(e.uscc), RegNo: e.regNo}
	}
	depts := datasources.Departments[1:]
	found := make([]map[string][]credit.Record, len(depts)+1)
	errs := make([]error, len(depts)+1)
	if len(ents) > 0 {
		var wg sync.WaitGroup
		for i, d := range depts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				found[i], errs[i] = b.sources[d.Code].Records(ctx, subjects, datasources.Query{Limit: s2First})
			}()
		}
		usccs := make([]string, len(ents))
		for i, e := range ents {
			usccs[i] = e.uscc
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			found[len(depts)], errs[len(depts)] = b.s2Held(ctx, usccs)
		}()
		wg.Wait()
	}
	for i, err := range errs {
		if err != nil {
			name := hubdb.Source
			if i < len(depts) {
				name = depts[i].Code
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}

	var resp s2Response
	conn := &resp.Data.Entities
	conn.Edges = make([]s2EntityEdge, len(ents))
	conn.PageInfo.HasNextPage = hasNext
	for i, e := range ents {
		all := e.recs
		for _, f := range found {
			all = append(all, f[e.uscc]...)
		}
		sortRecords(all)
		if len(all) > s2First {
			all = all[:s2First]
		}
		edges := make([]s2RecordEdge, len(all))
		for j, r := range all {
			hubdb.ApplyOverlays(r, b.overlays[r.Common().ID])
			c := r.Common()
			edges[j] = s2RecordEdge{Node: s2Record{Typename: typename(r), ID: c.ID, Kind: c.Kind,
				Source: codeOut{c.Source.Code}, DecisionDate: c.DecisionDate, Summary: c.Summary}}
		}
		conn.Edges[i].Node = s2Entity{USCC: e.uscc, Name: e.name}
		conn.Edges[i].Node.Records.Edges = edges
	}
	if n := len(ents); n > 0 {
		c := entityCursor(ents[n-1].uscc)
		conn.PageInfo.EndCursor = &c
	}
	return json.Marshal(resp)
}

// s2Requester rotates over the pages.
func (b *baseline) s2Requester(pages []string) requester {
	return func(ctx context.Context, seq uint64) (stmts, error) {
		ctx, rs := sqldb.WithRequestStats(ctx)
		out, err := b.s2(ctx, pages[seq%uint64(len(pages))])
		if err == nil && len(out) == 0 {
			err = fmt.Errorf("empty answer")
		}
		return b.counted(rs), err
	}
}
