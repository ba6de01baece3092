package resolvers

// Resolvers of credit reports and warnings (supervision/reports.go,
// warnings.go). A report is what the caller may see of an entity, frozen:
// its content is the exact JSON that was hashed and signed, so what the
// caller may see decides what is in it (public records for everyone, shared
// ones with record:read, the grade with entity:read, ID numbers only with
// the personal-data rights, and then logged).

import (
	"context"
	"encoding/base64"
	"slices"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"credithub/auth"
	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/ident"
	"credithub/internal/loaders"
	"credithub/internal/supervision"
)

// maxReportPages bounds the records a report reads: 10 pages of 100.
const maxReportPages = 10

func (r *Resolver) queryCreditReport(ctx context.Context, uscc string, purpose model.ReportPurpose) (*model.CreditReport, error) {
	if err := checkUSCC(ctx, "uscc", uscc); err != nil {
		return nil, err
	}
	l := loaders.For(ctx)
	e, err := l.Entity.Load(ctx, uscc)()
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, apperr.New(apperr.NotFound, "the registry holds no entity with the code %s; a report is issued only on a registered entity", uscc).With("field", "uscc")
	}
	p := auth.FromContext(ctx)
	subj := auth.Subject{USCC: e.USCC}
	ent := entityModel(e)
	view := auth.ViewOf(ctx, subj)
	c := &supervision.ReportContent{
		IssuedTo: string(p.Kind()) + ":" + p.Org(), Purpose: string(purpose), Entity: reportEntity(e, ent),
		ResponsiblePersons: []supervision.ReportPerson{}, Listings: []supervision.ReportListing{}, Records: []supervision.ReportRecord{},
		Complete: true, MissingSources: []string{},
		Scope: supervision.ReportScope{Notes: []string{}},
	}
	for _, pub := range view.Publicities {
		if pub != credit.Personal {
			c.Scope.Publicities = append(c.Scope.Publicities, string(pub))
		}
	}
	missing := func(d credit.Department, err error) {
		if !slices.Contains(c.MissingSources, d.Code) {
			c.Complete = false
			c.MissingSources = append(c.MissingSources, d.Code)
			graphql.AddError(ctx, err)
		}
	}

	// The records in force the caller may see, every department's.
	first := MaxPageSize
	req, err := r.recordsRequest(ctx, entitySubject(ent), nil, &first, nil)
	if err != nil {
		return nil, err
	}
	for page := 0; ; page++ {
		pg := l.Records(ctx, req)
		for _, f := range pg.Failed {
			missing(f.Department, f.Err)
		}
		for _, rec := range pg.Records {
			if credit.InForce(rec) && view.Sees(rec) {
				c.Records = append(c.Records, reportRecord(rec))
			}
		}
		if !pg.HasNext || len(pg.Records) == 0 {
			break
		}
		if page == maxReportPages-1 {
			c.Complete = false
			c.Scope.Notes = append(c.Scope.Notes, "records: only the newest "+strconv.Itoa(maxReportPages*MaxPageSize)+" were read")
			break
		}
		req.After = datasources.CursorOf(pg.Records[len(pg.Records)-1])
		if pg.End != (datasources.Cursor{}) {
			req.After = pg.End
		}
	}

	// The lists it is on.
	listings, err := supervision.ListingsInForce(ctx, r.HubDB, e.USCC, l.Today())
	if err != nil {
		return nil, err
	}
	for _, li := range listings {
		if slices.Contains(view.Publicities, credit.Publicity(li.Publicity)) {
			c.Listings = append(c.Listings, li)
		}
	}

	// The grade, for callers who may see grades: computed the way
	// MarketEntity.rating computes it.
	if auth.Decide(ctx, auth.Shared, auth.ScopeEntityRead, subj) == nil {
		rt, err := r.Supervision.Rate(supervision.SystemContext(ctx), l, entitySubject(ent))
		if err != nil {
			return nil, err
		}
		g := rt.Grade
		g.Reasons = slices.Clone(g.Reasons)
		for i := range g.Reasons {
			if g.Reasons[i].Evidence == nil {
				g.Reasons[i].Evidence = []string{} // a list in the content is never null
			}
		}
		c.Grade, c.Scope.Grade = &g, true
		for _, d := range rt.Missing {
			missing(d, apperr.Unavailable(d.Code, nil))
		}
	} else {
		c.Scope.Notes = append(c.Scope.Notes, "grade: not included; the grade is shared with departments only (entity:read)")
	}

	// The responsible persons: names are public, ID numbers personal.
	members, err := l.Members.Load(ctx, e.USCC)()
	if err != nil {
		return nil, err
	}
	var disclosed []auth.Subject
	for _, m := range members {
		role, ok := market.Roles[m.Role]
		if !ok {
			continue
		}
		rp := supervision.ReportPerson{Role: string(role), Name: m.Name, IDNumber: ident.MaskResidentID(m.IDNo)}
		if auth.Decide(ctx, auth.Personal, "", auth.Subject{USCC: e.USCC, IDNumber: m.IDNo}) == nil {
			rp.IDNumber, rp.IDNumberFull = m.IDNo, true
			disclosed = append(disclosed, auth.Subject{USCC: e.USCC, IDNumber: m.IDNo})
		}
		c.ResponsiblePersons = append(c.ResponsiblePersons, rp)
	}
	c.Scope.PersonalData = len(disclosed) > 0
	if !c.Scope.PersonalData && len(c.ResponsiblePersons) > 0 {
		c.Scope.Notes = append(c.Scope.Notes, "responsible persons: ID numbers masked; they need person:read, a declared purpose and, for an agency, the person's written authorisation")
	}

	issued, err := r.Reports.Issue(ctx, c)
	if err != nil {
		return nil, err
	}
	// The report carries personal data: the query log row is written
	// before the answer leaves, or the report is withheld.
	if len(disclosed) > 0 {
		path := graphql.GetFieldContext(ctx).Path()
		for _, s := range disclosed {
			auth.RequestFrom(ctx).Disclose(s, "CreditReport.content.responsiblePersons.idNumber", path)
		}
	}
	return &model.CreditReport{
		Number: issued.Number, Uscc: issued.USCC, Purpose: purpose, IssuedAt: issued.IssuedAt, IssuedTo: issued.IssuedTo,
		Content: issued.Content, ContentSha256: issued.ContentSHA256, Signature: issued.Signature, KeyID: issued.KeyID,
		PublicKey: base64.StdEncoding.EncodeToString(r.Reports.Signer.Public()),
	}, nil
}

// reportEntity is the entity's registry facts as a report states them.
func reportEntity(e *market.Entity, m *model.MarketEntity) supervision.ReportEntity {
	re := supervision.ReportEntity{
		USCC: e.USCC, LegacyCode: e.USCCLegacy, Name: e.Name, Status: e.Status, OrganizationCode: m.OrganizationCode,
		RegistrationNumber: m.RegistrationNumber, Address: e.Address, Industry: m.Industry, LegalRepresentative: e.LegalRepName,
	}
	if m.Kind != nil {
		re.Kind = string(*m.Kind)
	}
	if m.Status != nil {
		re.Status = string(*m.Status)
	}
	if m.RegisteredAt != nil {
		re.RegisteredAt = m.RegisteredAt.String()
	}
	if m.RegisteredCapital != nil {
		y := string(*m.RegisteredCapital)
		re.RegisteredCapitalYuan = &y
	}
	if m.Division != nil {
		re.Division = &supervision.ReportDivision{Code: m.Division.Code, Name: m.Division.Name}
	}
	return re
}

// reportRecord is a record as a report states it.
func reportRecord(rec credit.Record) supervision.ReportRecord {
	b := rec.Common()
	rr := supervision.ReportRecord{
		ID: b.ID, Kind: string(b.Kind), DecisionNo: b.DecisionNo, DecisionDate: b.DecisionDate.String(),
		Summary: b.Summary, Authority: b.Authority, Publicity: string(b.Publicity), Status: string(b.Status),
	}
	if b.Source != nil {
		rr.Source, rr.SourceName = b.Source.Code, b.Source.Name
	}
	if b.Severity != nil {
		s := string(*b.Severity)
		rr.Severity = &s
	}
	return rr
}

func (r *Resolver) queryVerifyCreditReport(ctx context.Context, input model.VerifyReportInput) (*model.ReportVerification, error) {
	if len(input.Number) > 64 || len(input.Signature) > 256 {
		reason := "unknown number or signature invalid: the number or signature is far longer than any the hub issues"
		return &model.ReportVerification{Reason: &reason}, nil
	}
	v, err := r.Reports.Check(ctx, supervision.Presented{
		Number: input.Number, IssuedAt: input.IssuedAt, Content: input.Content, Signature: input.Signature,
	})
	if err != nil {
		return nil, err
	}
	out := &model.ReportVerification{Genuine: v.Genuine, IssuedByHub: v.IssuedByHub}
	if v.Reason != "" {
		out.Reason = &v.Reason
	}
	return out, nil
}

// Warnings.

// The global ID type of a warning and of the warnings' cursors.
const (
	typeWarning   = "Warning"
	cursorWarning = "WarningCursor"
)

func warningModel(w *supervision.Warning) *model.Warning {
	m := &model.Warning{
		ID: gid.Encode(typeWarning, strconv.FormatInt(w.ID, 10)), Rule: warningRuleModel(w.Rule), Uscc: w.USCC,
		Level: model.WarningLevel(w.Level), Message: w.Message, RaisedAt: w.RaisedAt,
	}
	if w.RecordID != "" {
		id := w.RecordID
		m.RecordID = &id
	}
	return m
}

func warningRuleModel(r supervision.Rule) *model.WarningRule {
	return &model.WarningRule{
		Code: r.Code, Description: r.Description, Kind: r.Kind, Threshold: r.Threshold,
		Level: model.WarningLevel(r.Level), Active: r.Active, Source: r.Source,
	}
}

// warningFilter validates a WarningFilter.
func (r *Resolver) warningFilter(ctx context.Context, filter *model.WarningFilter) (supervision.Filter, error) {
	var f supervision.Filter
	if filter == nil {
		return f, nil
	}
	if filter.Uscc != nil {
		if err := checkUSCC(ctx, "filter.uscc", *filter.Uscc); err != nil {
			return f, err
		}
		f.USCC = *filter.Uscc
	}
	if filter.Level != nil {
		f.Level = string(*filter.Level)
	}
	if filter.Rule != nil {
		rules, err := supervision.LoadRules(ctx, r.HubDB)
		if err != nil {
			return f, err
		}
		var codes []string
		for _, ru := range rules {
			codes = append(codes, ru.Code)
		}
		if !slices.Contains(codes, *filter.Rule) {
			return f, apperr.BadInput("filter.rule", "unknown warning rule %q; the rules are %v (warningRules lists them)", truncate(*filter.Rule), codes)
		}
		f.Rule = *filter.Rule
	}
	if filter.Since != nil {
		f.Since = *filter.Since
	}
	return f, nil
}

func (r *Resolver) queryWarnings(ctx context.Context, filter *model.WarningFilter, first *int, after *string) (*model.WarningConnection, error) {
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	f, err := r.warningFilter(ctx, filter)
	if err != nil {
		return nil, err
	}
	var before int64
	if after != nil {
		typ, payload, err := gid.Decode(*after)
		if err == nil && typ == cursorWarning {
			before, err = strconv.ParseInt(payload, 10, 64)
		}
		if err != nil || typ != cursorWarning || before <= 0 {
			return nil, apperr.BadInput("after", "after must be a cursor returned by this connection")
		}
	}
	ws, err := supervision.ListWarnings(ctx, r.HubDB, f, before, n+1)
	if err != nil {
		return nil, err
	}
	conn := &model.WarningConnection{
		Edges:    make([]*model.WarningEdge, 0, len(ws)),
		PageInfo: &model.PageInfo{HasPreviousPage: after != nil},
	}
	if len(ws) > n {
		ws, conn.PageInfo.HasNextPage = ws[:n], true
	}
	for _, w := range ws {
		conn.Edges = append(conn.Edges, &model.WarningEdge{Cursor: gid.Encode(cursorWarning, strconv.FormatInt(w.ID, 10)), Node: warningModel(w)})
	}
	if k := len(conn.Edges); k > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[k-1].Cursor
	}
	return conn, nil
}

func (r *Resolver) marketEntityWarnings(ctx context.Context, obj *model.MarketEntity, first *int) ([]*model.Warning, error) {
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	ws, err := supervision.ListWarnings(ctx, r.HubDB, supervision.Filter{USCC: obj.Uscc}, 0, n)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Warning, len(ws))
	for i, w := range ws {
		out[i] = warningModel(w)
	}
	return out, nil
}

func (r *Resolver) queryWarningRules(ctx context.Context) ([]*model.WarningRule, error) {
	rules, err := supervision.LoadRules(ctx, r.HubDB)
	if err != nil {
		return nil, err
	}
	out := make([]*model.WarningRule, len(rules))
	for i, ru := range rules {
		out[i] = warningRuleModel(ru)
	}
	return out, nil
}

// subscriptionWarnings follows new warnings through this instance's one
// listener (supervision.Broker): the subscription ends when the client goes
// away (ctx), and the broker then forgets it.
func (r *Resolver) subscriptionWarnings(ctx context.Context, filter *model.WarningFilter) (<-chan *model.Warning, error) {
	f, err := r.warningFilter(ctx, filter)
	if err != nil {
		return nil, err
	}
	in := r.Warnings.Subscribe(ctx, f)
	out := make(chan *model.Warning, 1)
	go func() {
		defer close(out)
		for w := range in {
			select {
			case out <- warningModel(w):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

func (r *Resolver) warningEntity(ctx context.Context, obj *model.Warning) (*model.MarketEntity, error) {
	e, err := loaders.For(ctx).Entity.Load(ctx, obj.Uscc)()
	if err != nil || e == nil {
		return nil, err
	}
	return entityModel(e), nil
}
