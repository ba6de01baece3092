package hubdb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/scalars"
)

// Source code of the hub's own records in their references; the record's
// `source` shows the identifying department.
const Source = "hub"

// InspectionDoubleRandom is the inspectionType of the results the hub
// holds: double-random inspections recorded against a plan (双随机抽查).
const InspectionDoubleRandom = "DOUBLE_RANDOM"

// Office is the city credit office, the keeper of the hub's database.
var Office = credit.Department{Code: Source, Name: "黑河市社会信用体系建设领导小组办公室"}

// heldKind is a kind of record the hub holds itself (a row of hub_record)
// and how its row becomes the record.
type heldKind struct {
	kind credit.Kind
	// self says the record's source is its subject itself (a
	// self-declaration): no authority decided it, and the department of
	// its row is only the one asked to verify it.
	self bool
	// association says the record is kept by an industry association of
	// its member (T29): its source is the associations, its authority the
	// association that decided it (the row's department is the
	// association's code).
	association bool
	// record builds the record from the common fields and the row.
	record func(b credit.Base, r *HubRecordRow) credit.Record
}

// heldKinds are the kinds of the hub's own records. A new hub-held kind is
// an entry here and a value of hub_record_kind_check (a migration that
// re-creates the check with every kind): the fan-out, the counts, the
// city-wide stream and cityStats then read it with the others, in the
// same statements.
var heldKinds = []heldKind{
	{kind: credit.KindCommitmentBreach, record: func(b credit.Base, r *HubRecordRow) credit.Record {
		d := r.Detail
		return &credit.CommitmentBreach{Base: b, CommitmentID: d.CommitmentID, Item: d.Item, FalseCommitment: d.FalseCommitment}
	}},
	{kind: credit.KindInterview, record: func(b credit.Base, r *HubRecordRow) credit.Record {
		return &credit.Interview{Base: b, InterviewType: r.Detail.InterviewType, ListEntryID: r.Detail.ListEntryID}
	}},
	{kind: credit.KindListing, record: func(b credit.Base, r *HubRecordRow) credit.Record {
		d := r.Detail
		return &credit.Listing{Base: b, ListType: d.ListType, ListEntryID: d.ListEntryID, Role: d.Role, BanStart: d.BanStart, BanEnd: d.BanEnd}
	}},
	{kind: credit.KindKeyAttention, record: func(b credit.Base, r *HubRecordRow) credit.Record {
		return &credit.KeyAttention{Base: b, Domain: r.Detail.Domain, ListEntryID: r.Detail.ListEntryID}
	}},
	{kind: credit.KindMonitoringFinding, record: func(b credit.Base, r *HubRecordRow) credit.Record {
		return &credit.MonitoringFinding{Base: b, Agency: r.Detail.Agency, FindingID: r.Detail.FindingID}
	}},
	{kind: credit.KindInspection, record: func(b credit.Base, r *HubRecordRow) credit.Record {
		// Published by the hub the day it was recorded: the T26 duty is
		// counted from the inspection to then.
		d := r.Detail
		b.PublishedOn = d.PublishedOn
		findings := make([]*credit.InspectionFinding, len(d.Findings))
		for i, f := range d.Findings {
			findings[i] = &credit.InspectionFinding{Code: f.Code, Description: f.Description, RectifyBy: f.RectifyBy}
		}
		return &credit.Inspection{Base: b, InspectionType: InspectionDoubleRandom, InspectedAt: b.DecisionDate.Time(),
			Result: d.Result, Passed: d.Passed, Findings: findings}
	}},
	{kind: credit.KindSelfDeclaration, self: true, record: func(b credit.Base, r *HubRecordRow) credit.Record {
		d := r.Detail
		return &credit.SelfDeclaration{Base: b, DeclarationID: d.DeclarationID, DeclarationKind: d.DeclarationKind,
			Title: d.Title, CommitmentID: d.CommitmentID, VerifyingDept: r.Department, Verification: d.Verification}
	}},
	{kind: credit.KindAssociationDiscipline, association: true, record: func(b credit.Base, r *HubRecordRow) credit.Record {
		d := r.Detail
		return &credit.AssociationDiscipline{Base: b, Association: r.Department, AssociationName: d.AssociationName,
			MembershipID: d.MembershipID, Measure: d.Measure, Title: d.Title}
	}},
	{kind: credit.KindAssociationRecord, association: true, record: func(b credit.Base, r *HubRecordRow) credit.Record {
		d := r.Detail
		return &credit.AssociationRecord{Base: b, Association: r.Department, AssociationName: d.AssociationName,
			MembershipID: d.MembershipID, Category: d.Category, Title: d.Title}
	}},
}

func heldKindOf(k credit.Kind) (heldKind, bool) {
	i := slices.IndexFunc(heldKinds, func(h heldKind) bool { return h.kind == k })
	if i < 0 {
		return heldKind{}, false
	}
	return heldKinds[i], true
}

// HeldSource is the source a hub record of kind, filed by department, is
// shown under: the subject itself for a self-declaration, else the
// identifying department, else the credit office.
func HeldSource(kind credit.Kind, department string) credit.Department {
	if h, ok := heldKindOf(kind); ok && h.self {
		return credit.SelfDeclared
	} else if ok && h.association {
		return credit.Associations
	}
	if d, ok := datasources.DepartmentByCode(department); ok {
		return *d
	}
	return Office
}

// heldSourceSQL is HeldSource in SQL, over the row h.
func heldSourceSQL() string {
	var self, assoc, depts []string
	for _, h := range heldKinds {
		if h.self {
			self = append(self, pq.QuoteLiteral(string(h.kind)))
		}
		if h.association {
			assoc = append(assoc, pq.QuoteLiteral(string(h.kind)))
		}
	}
	for _, d := range datasources.Departments {
		depts = append(depts, pq.QuoteLiteral(d.Code))
	}
	out := `CASE`
	if len(self) > 0 {
		out += ` WHEN h.kind IN (` + strings.Join(self, ", ") + `) THEN ` + pq.QuoteLiteral(credit.SelfDeclared.Code)
	}
	if len(assoc) > 0 {
		out += ` WHEN h.kind IN (` + strings.Join(assoc, ", ") + `) THEN ` + pq.QuoteLiteral(credit.Associations.Code)
	}
	return out + ` WHEN h.department IN (` + strings.Join(depts, ", ") + `) THEN h.department ELSE ` + pq.QuoteLiteral(Source) + ` END`
}

// HeldRecord is the credit record of a hub record's row, as the graph shows
// it (before the catalogue and the overlays are applied).
func HeldRecord(r *HubRecordRow) (credit.Record, error) {
	h, ok := heldKindOf(r.Kind)
	if !ok {
		return nil, fmt.Errorf("unknown kind %q", r.Kind)
	}
	dept := HeldSource(r.Kind, r.Department)
	ref := credit.Ref{Source: Source, Kind: r.Kind, LocalID: r.ID}
	b := credit.Base{
		ID: gid.Record(ref), Kind: ref.Kind, Source: &dept, DecisionNo: r.DecisionNo,
		DecisionDate: scalars.DateOf(r.DecisionDate), Summary: r.Summary, Status: r.Status,
		Ref: ref, Subject: credit.Subject{USCC: r.SubjectUSCC, IDNumber: r.SubjectIDNo},
		SubjectName: r.SubjectName, Severity: r.Severity,
	}
	switch {
	case h.association:
		name := r.Detail.AssociationName
		b.Authority = &name
	case !h.self:
		authority := dept.Name
		b.Authority = &authority
	}
	return h.record(b, r), nil
}

// RecordSource serves the records the hub holds itself (hub_record) to the
// fan-out like any department: each question is one statement on the
// hub's database for a whole batch of subjects, in the record order, so
// that nothing of them is kept in memory between requests. A record's
// position (its cursor) names the hub as its source; the record shows the
// identifying department (HeldSource).
type RecordSource struct {
	DB *DB
}

var (
	_ datasources.Source     = (*RecordSource)(nil)
	_ datasources.CityReader = (*RecordSource)(nil)
)

// Department is the credit office.
func (s *RecordSource) Department() credit.Department { return Office }

// Kinds are the kinds of the hub's own records.
func (s *RecordSource) Kinds() []credit.Kind {
	ks := make([]credit.Kind, len(heldKinds))
	for i, h := range heldKinds {
		ks[i] = h.kind
	}
	return ks
}

// Key keeps the subject's code or ID number.
func (s *RecordSource) Key(sub datasources.Subject) datasources.Subject {
	if sub.IsPerson() {
		return datasources.Subject{IDNumber: sub.IDNumber}
	}
	return datasources.Subject{USCC: sub.USCC}
}

// NeedsRegistry is false: the hub files by code and ID number.
func (s *RecordSource) NeedsRegistry() bool { return false }

// HoldsPersons is true: joint-punishment listings reach persons (T22).
func (s *RecordSource) HoldsPersons() bool { return true }

// Ping checks that the hub's database answers.
func (s *RecordSource) Ping(ctx context.Context) error { return s.DB.pool.PingContext(ctx) }

// heldColumns are the columns of a hub record read as a record, from h.
const heldColumns = `h.id, h.kind, h.subject_uscc, h.subject_id_no, h.subject_name, h.department,
	h.decision_no, h.decision_date, h.summary, h.severity, h.status, h.detail`

// heldOrder is the record order within the hub's source (newest decision
// first, then kind, then id, highest first), as the indexes of
// 00040_held_record_reads.sql keep it; kinds compare byte-wise as Go's
// strings do.
const heldOrder = `h.decision_date DESC, h.kind COLLATE "C", h.id DESC`

// heldKindsOf returns the hub's kinds among ks (every hub kind when ks is
// the empty set, which holds every kind).
func heldKindsOf(ks datasources.KindSet) []string {
	var out []string
	for _, h := range heldKinds {
		if ks.Has(h.kind) {
			out = append(out, string(h.kind))
		}
	}
	return out
}

func heldKindList(ks []credit.Kind) []string {
	var out []string
	for _, h := range heldKinds {
		if slices.Contains(ks, h.kind) {
			out = append(out, string(h.kind))
		}
	}
	return out
}

// params collects a statement's arguments.
type params []any

func (p *params) add(v any) string {
	*p = append(*p, v)
	return "$" + strconv.Itoa(len(*p))
}

// heldAfter is the condition "the row h comes after c" in the record order.
// The hub's rows share one source, so their place on a day against
// another source's cursor is decided by the sources alone.
func heldAfter(c datasources.Cursor, p *params) string {
	d := p.add(c.Date) + "::date"
	switch {
	case c.Source == Source:
		k := p.add(string(c.Kind))
		return fmt.Sprintf(`(h.decision_date < %[1]s OR (h.decision_date = %[1]s AND (h.kind COLLATE "C" > %[2]s OR (h.kind = %[2]s AND h.id < %[3]s))))`,
			d, k, p.add(c.LocalID))
	case datasources.Less(datasources.Cursor{Date: c.Date, Source: c.Source}, datasources.Cursor{Date: c.Date, Source: Source}):
		return `h.decision_date <= ` + d // the cursor's source comes before the hub's on its day
	default:
		return `h.decision_date < ` + d
	}
}

// heldConds are q's conditions on the row h, each starting with AND.
func heldConds(q datasources.Query, kinds []string, p *params) string {
	var out string
	if q.Kinds != 0 {
		out += ` AND h.kind = ANY(` + p.add(pq.Array(kinds)) + `::text[])`
	}
	if q.From != "" {
		out += ` AND h.decision_date >= ` + p.add(q.From) + `::date`
	}
	if q.To != "" {
		out += ` AND h.decision_date <= ` + p.add(q.To) + `::date`
	}
	if q.After != (datasources.Cursor{}) {
		out += ` AND ` + heldAfter(q.After, p)
	}
	return out
}

// subjectKeys are the $1 and $2 arrays of a batch: each subject's code and
// ID number (NULL where it has none), and whether any is an entity or a
// person.
func subjectKeys(subjects []datasources.Subject) (p params, entities, persons bool) {
	usccs := make([]sql.NullString, len(subjects))
	idNos := make([]sql.NullString, len(subjects))
	for i, sub := range subjects {
		if sub.IsPerson() {
			idNos[i], persons = sql.NullString{String: sub.IDNumber, Valid: true}, true
		} else {
			usccs[i], entities = sql.NullString{String: sub.USCC, Valid: true}, true
		}
	}
	return params{pq.Array(usccs), pq.Array(idNos)}, entities, persons
}

const subjectsFrom = `unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(uscc, id_no, i)`

// heldRow is a hub record's row with the batch's subject index.
type heldRow struct {
	I int `db:"i"`
	HubRecordRow
}

// Records returns each subject's records matching q, in record order, at
// most q.Limit each: one statement for the whole batch, entities and
// persons alike.
func (s *RecordSource) Records(ctx context.Context, subjects []datasources.Subject, q datasources.Query) (map[string][]credit.Record, error) {
	out := make(map[string][]credit.Record, len(subjects))
	kinds := heldKindsOf(q.Kinds)
	if len(subjects) == 0 || len(kinds) == 0 {
		return out, nil
	}
	p, entities, persons := subjectKeys(subjects)
	conds := heldConds(q, kinds, &p)
	var limit string
	if q.Limit > 0 {
		limit = ` LIMIT ` + p.add(q.Limit)
	}
	var arms []string
	if entities {
		arms = append(arms, `(SELECT `+heldColumns+` FROM hub_record h WHERE h.subject_uscc = k.uscc`+conds+` ORDER BY `+heldOrder+limit+`)`)
	}
	if persons {
		arms = append(arms, `(SELECT `+heldColumns+` FROM hub_record h WHERE h.subject_id_no = k.id_no`+conds+` ORDER BY `+heldOrder+limit+`)`)
	}
	query := `SELECT k.i, h.* FROM ` + subjectsFrom + ` CROSS JOIN LATERAL (` + strings.Join(arms, ` UNION ALL `) + `) h
		ORDER BY k.i, ` + heldOrder
	var rows []heldRow
	if err := s.DB.sel(ctx, &rows, query, p...); err != nil {
		return nil, err
	}
	for i := range rows {
		r := &rows[i]
		if r.I < 1 || r.I > len(subjects) {
			return nil, fmt.Errorf("hub records: subject index %d out of range", r.I)
		}
		rec, err := HeldRecord(&r.HubRecordRow)
		if err != nil {
			return nil, fmt.Errorf("hub record %d: %w", r.ID, err)
		}
		key := subjects[r.I-1].Key()
		out[key] = append(out[key], rec)
	}
	return out, nil
}

// Rows is Records as rows for the merge (decoded already: a hub record's
// row is small).
func (s *RecordSource) Rows(ctx context.Context, subjects []datasources.Subject, q datasources.Query) (map[string][]*datasources.Row, error) {
	recs, err := s.Records(ctx, subjects, q)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]*datasources.Row, len(recs))
	for key, rs := range recs {
		rows := make([]*datasources.Row, len(rs))
		for i, r := range rs {
			rows[i] = datasources.DecodedRow(r)
		}
		out[key] = rows
	}
	return out, nil
}

// Counts returns how many records each subject has here, in one statement.
func (s *RecordSource) Counts(ctx context.Context, subjects []datasources.Subject) (map[string]int, error) {
	out := make(map[string]int, len(subjects))
	if len(subjects) == 0 {
		return out, nil
	}
	p, _, _ := subjectKeys(subjects)
	var rows []struct {
		I int `db:"i"`
		N int `db:"n"`
	}
	err := s.DB.sel(ctx, &rows, `SELECT k.i, (SELECT count(*) FROM hub_record h WHERE h.subject_uscc = k.uscc)
		+ (SELECT count(*) FROM hub_record h WHERE h.subject_id_no = k.id_no) AS n FROM `+subjectsFrom, p...)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.I < 1 || r.I > len(subjects) {
			return nil, fmt.Errorf("hub records: subject index %d out of range", r.I)
		}
		out[subjects[r.I-1].Key()] = r.N
	}
	return out, nil
}

// ByRef returns the hub's records at refs, in one statement.
func (s *RecordSource) ByRef(ctx context.Context, refs []credit.Ref) (map[credit.Ref]credit.Record, error) {
	out := map[credit.Ref]credit.Record{}
	var ids []int64
	for _, ref := range refs {
		if ref.Source == Source {
			ids = append(ids, ref.LocalID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []HubRecordRow
	if err := s.DB.sel(ctx, &rows, `SELECT `+heldColumns+` FROM hub_record h WHERE h.id = ANY($1::bigint[])`, pq.Array(ids)); err != nil {
		return nil, err
	}
	for i := range rows {
		r := &rows[i]
		ref := credit.Ref{Source: Source, Kind: r.Kind, LocalID: r.ID}
		if !slices.Contains(refs, ref) {
			continue // the id under another kind: not this record
		}
		rec, err := HeldRecord(r)
		if err != nil {
			return nil, fmt.Errorf("hub record %d: %w", r.ID, err)
		}
		out[ref] = rec
	}
	return out, nil
}

// CityRows returns the hub's records that q selects, in record order, in
// one statement: its part of the city-wide stream. Unlike a department's
// rows, the hub's are shown under several sources (HeldSource), so q.Sources
// filters them row by row.
func (s *RecordSource) CityRows(ctx context.Context, q datasources.CityQuery) ([]*datasources.Row, error) {
	filtered := q.FilterDivisions
	if filtered && q.Divisions.Len() == 0 {
		return nil, nil
	}
	var p params
	var in string
	if filtered {
		// A person has no division; an entity's records are filed under
		// its unified code.
		in = ` AND h.subject_uscc = ANY(` + p.add(pq.Array(q.Divisions.USCCs)) + `::text[])`
	}
	var ors []string
	if ks := heldKindList(q.EntityKinds); len(ks) > 0 {
		ors = append(ors, `(h.subject_uscc <> '' AND h.kind = ANY(`+p.add(pq.Array(ks))+`::text[])`+in+`)`)
	}
	if ks := heldKindList(q.PersonKinds); len(ks) > 0 && !filtered {
		ors = append(ors, `(h.subject_id_no <> '' AND h.kind = ANY(`+p.add(pq.Array(ks))+`::text[]))`)
	}
	if ks := heldKindList(q.OwnKinds); len(ks) > 0 && q.Own.USCC != "" {
		ors = append(ors, `(h.subject_uscc = `+p.add(q.Own.USCC)+` AND h.kind = ANY(`+p.add(pq.Array(ks))+`::text[])`+in+`)`)
	}
	if len(ors) == 0 {
		return nil, nil
	}
	conds := `(` + strings.Join(ors, ` OR `) + `)`
	if q.From != "" {
		conds += ` AND h.decision_date >= ` + p.add(q.From) + `::date`
	}
	if q.To != "" {
		conds += ` AND h.decision_date <= ` + p.add(q.To) + `::date`
	}
	if len(q.Sources) > 0 {
		conds += ` AND ` + heldSourceSQL() + ` = ANY(` + p.add(pq.Array(q.Sources)) + `::text[])`
	}
	if q.After != (datasources.Cursor{}) {
		conds += ` AND ` + heldAfter(q.After, &p)
	}
	var rows []HubRecordRow
	err := s.DB.sel(ctx, &rows, `SELECT `+heldColumns+` FROM hub_record h WHERE `+conds+` ORDER BY `+heldOrder+` LIMIT `+p.add(q.Limit), p...)
	if err != nil {
		return nil, err
	}
	out := make([]*datasources.Row, len(rows))
	for i := range rows {
		rec, err := HeldRecord(&rows[i])
		if err != nil {
			return nil, fmt.Errorf("hub record %d: %w", rows[i].ID, err)
		}
		out[i] = datasources.DecodedRow(rec)
	}
	return out, nil
}

// Disclosures answers nothing: of the hub's own records only inspection
// results carry a publication duty of T26, and the hub publishes each the
// day it is recorded (its disclosure shows whether that was within 7
// working days of the inspection); the departments' timeliness counts
// their own databases.
func (s *RecordSource) Disclosures(context.Context, datasources.KindSet, string, string) ([]datasources.DisclosureCount, error) {
	return nil, nil
}

// Unpublished answers nothing: the hub holds no record it has not
// published.
func (s *RecordSource) Unpublished(context.Context, datasources.UnpublishedQuery) ([]credit.Record, error) {
	return nil, nil
}
