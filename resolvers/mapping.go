package resolvers

// Mapping: from what the loaders and services answer to the graph's model.
// The workflows' objects are bound to package workflow (gqlgen.yml); the
// rows the request's loaders read of them are mapped with workflow's own
// functions (workflow.ListEntryOf, …).

import (
	"context"
	"errors"
	"strconv"
	"time"

	"credithub/auth"
	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/ident"
	"credithub/internal/loaders"
	"credithub/internal/scalars"
	"credithub/internal/supervision"
	"credithub/internal/workflow"
)

// entityModel maps a registry row to the graph's MarketEntity (without the
// fields resolved from other sources).
func entityModel(e *market.Entity) *model.MarketEntity {
	kind := e.Kind()
	registeredAt := scalars.DateOf(e.EstablishedOn)
	m := &model.MarketEntity{
		ID:                gid.Entity(e.USCC),
		Uscc:              e.USCC,
		LegacyCode:        e.USCCLegacy,
		OrganizationCode:  ident.OrgCodeOf(e.USCC),
		Name:              &e.Name,
		Kind:              &kind,
		Status:            e.RegistrationStatus(),
		Division:          divisionModel(e.DivisionCode),
		RegisteredAt:      &registeredAt,
		RegisteredCapital: e.RegisteredCapital(),
		Address:           &e.Address,
		Industry:          e.IndustryLabel(),
	}
	if e.RegNo.Valid {
		m.RegistrationNumber = &e.RegNo.String
	}
	return m
}

// keyKinds names the kinds of entity key in the graph.
var keyKinds = map[ident.KeyKind]model.EntityKeyKind{
	ident.KeyUSCC:               model.EntityKeyKindUscc,
	ident.KeyOrgCode:            model.EntityKeyKindOrganisationCode,
	ident.KeyRegistrationNumber: model.EntityKeyKindRegistrationNumber,
}

// shellEntity is what is known of an entity without its registry row: its
// code and what the code holds.
func shellEntity(uscc string) *model.MarketEntity {
	return &model.MarketEntity{ID: gid.Entity(uscc), Uscc: uscc, OrganizationCode: ident.OrgCodeOf(uscc)}
}

// registryEntity resolves a workflow object's entity through the request's
// loaders: NOT_FOUND when the registry no longer holds it.
func registryEntity(ctx context.Context, uscc string) (*model.MarketEntity, error) {
	e, err := loaders.For(ctx).Entity.Load(ctx, uscc)()
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, apperr.New(apperr.NotFound, "the registry no longer holds entity %s", uscc)
	}
	return entityModel(e), nil
}

// knownEntity is the registry's entity with code uscc; nil when unknown.
func knownEntity(ctx context.Context, uscc string) (*model.MarketEntity, error) {
	e, err := loaders.For(ctx).Entity.Load(ctx, uscc)()
	if err != nil || e == nil {
		return nil, err
	}
	return entityModel(e), nil
}

// divisionModel returns the graph's Division for a code, nil when unknown.
func divisionModel(code string) *model.Division {
	for _, d := range ident.Divisions {
		if d.Code == code {
			return &model.Division{Code: d.Code, Name: d.Name, Pilot: d.Pilot}
		}
	}
	return nil
}

// departmentOf is the department with code; a code the hub does not know
// is shown as it is.
func departmentOf(code string) *credit.Department {
	if d, ok := datasources.DepartmentByCode(code); ok {
		return d
	}
	switch code {
	case hubdb.Source:
		d := hubdb.Office
		return &d
	case credit.SelfDeclared.Code:
		d := credit.SelfDeclared
		return &d
	}
	return &credit.Department{Code: code, Name: code}
}

// entitySubject is every key the departments may file the entity under.
func entitySubject(e *model.MarketEntity) datasources.Subject {
	s := datasources.Subject{USCC: e.Uscc, OrgCode: e.OrganizationCode}
	if e.RegistrationNumber != nil {
		s.RegNo = *e.RegistrationNumber
	}
	return s
}

// person maps a registry member to the graph's Person.
func (r *Resolver) person(m market.Member) *model.Person {
	id := m.IDNo
	p := &model.Person{ID: r.Sealer.Person(m.IDNo), Name: m.Name, IDNumber: &id}
	if m.Mobile.Valid {
		p.Mobile = &m.Mobile.String
	}
	return p
}

// legalRepresentative is the legal representative among an entity's
// members, nil when the registry names none.
func (r *Resolver) legalRepresentative(members []market.Member) *model.Person {
	for _, m := range members {
		if m.Role == market.RoleLegalRep {
			return r.person(m)
		}
	}
	return nil
}

// LegalRepresentatives answers MarketEntity.legalRepresentative for a
// page's entities at once (hotlist.Options.LegalRepresentatives), through
// the same loader as the field's resolver: the page's prefetch has
// usually read them already, and then it sends no statement.
func (r *Resolver) LegalRepresentatives(ctx context.Context, ents []*model.MarketEntity) ([]*model.Person, error) {
	l := loaders.For(ctx)
	l.Members.LoadAll(ctx, usccsOf(ents))
	out := make([]*model.Person, len(ents))
	for i, e := range ents {
		members, err := l.Members.Load(ctx, e.Uscc)()
		if err != nil {
			return nil, err
		}
		out[i] = r.legalRepresentative(members)
	}
	return out, nil
}

// SubjectOf tells auth whose data the graph's entity and person objects
// are (auth.Rules.Subjects).
func SubjectOf(obj any) (auth.Subject, bool) {
	switch v := obj.(type) {
	case *model.MarketEntity:
		return auth.Subject{USCC: v.Uscc}, true
	case *model.OwnCreditReport:
		return auth.Subject{USCC: v.Uscc}, true
	case *model.Person:
		if v.IDNumber != nil {
			return auth.Subject{IDNumber: *v.IDNumber}, true
		}
		return auth.Subject{}, true
	case *model.PersonSelf:
		return auth.Subject{IDNumber: v.IDNumber}, true
	case *model.Notification:
		var s auth.Subject
		if v.Uscc != nil {
			s.USCC = *v.Uscc
		}
		if v.IDNumber != nil {
			s.IDNumber = *v.IDNumber
		}
		return s, true
	}
	return auth.Subject{}, false
}

// sourceStatuses maps the loaders' answer to the graph; a negative count
// means it was not asked for.
func sourceStatuses(ss []loaders.SourceStatus) []*model.SourceStatus {
	out := make([]*model.SourceStatus, len(ss))
	for i, s := range ss {
		d := s.Department
		st := &model.SourceStatus{Department: &d, Ok: s.Err == nil}
		if s.Err != nil {
			msg := s.Err.Error()
			var ae *apperr.Error
			if errors.As(s.Err, &ae) {
				msg = ae.Message // never the driver's words: they may name hosts
			}
			st.Error = &msg
		} else if s.Count >= 0 {
			n := s.Count
			st.RecordCount = &n
		}
		out[i] = st
	}
	return out
}

// objects waits for the rows a loader reads and maps them to the
// workflows' objects.
func objects[R, T any](load func() ([]R, error), of func(*R) *T) ([]*T, error) {
	rows, err := load()
	if err != nil {
		return nil, err
	}
	out := make([]*T, len(rows))
	for i := range rows {
		out[i] = of(&rows[i])
	}
	return out, nil
}

// object waits for the row a ByID loader reads and maps it; nil when there
// is none.
func object[R, T any](load func() (*R, error), of func(*R) *T) (*T, error) {
	row, err := load()
	if err != nil || row == nil {
		return nil, err
	}
	return of(row), nil
}

// asOf is a workflow's mapping of objects whose deadlines run, as the
// graph shows them on day today.
func asOf[R, T any](of func(*R, scalars.Date) *T, today scalars.Date) func(*R) *T {
	return func(r *R) *T { return of(r, today) }
}

// history is a workflow object's events, oldest first, through the
// request's loaders.
func history(ctx context.Context, machine string, id int64) ([]*workflow.Event, error) {
	return objects(loaders.For(ctx).History.Load(ctx, loaders.HistoryKey{Workflow: machine, ID: id}),
		func(e *hubdb.EventRow) *workflow.Event { return (*workflow.Event)(e) })
}

// Global ID types of the graph's own objects that are not workflow objects.
const (
	typeAuthorization = "PersonAuthorization"
	typeWarning       = "Warning"
	typeNotification  = "Notification"
)

// notificationModel maps a notification (T23).
func notificationModel(n *workflow.Notification) *model.Notification {
	m := &model.Notification{
		ID: gid.Encode(typeNotification, strconv.FormatInt(n.ID, 10)), Recipient: n.Recipient,
		Role: model.NotificationRole(n.AsRole), Cause: model.NotificationCause(n.Cause), CauseID: n.CauseID,
		Uscc: n.USCC, IDNumber: n.IDNo, Message: n.Message, CreatedAt: n.CreatedAt, DueOn: n.DueOn,
		Overdue: n.Overdue, State: model.NotificationState(n.State()), AcknowledgedAt: n.AcknowledgedAt,
		AcknowledgedBy: n.AcknowledgedBy,
	}
	if n.IDNo != nil {
		name := n.SubjectName
		m.PersonName = &name
	}
	return m
}

func authorizationModel(a hubdb.Authorization, today time.Time) *model.PersonAuthorization {
	return &model.PersonAuthorization{
		ID: gid.Encode(typeAuthorization, strconv.FormatInt(a.ID, 10)), Agency: a.Agency, Person: a.PersonMasked,
		Purpose: model.QueryPurpose(a.Purpose), ValidFrom: scalars.DateOf(a.ValidFrom), ValidTo: scalars.DateOf(a.ValidTo),
		DocumentNo: a.DocumentNo, RecordedBy: a.RecordedBy, RecordedAt: a.RecordedAt, RevokedAt: a.RevokedAt,
		Live: a.Live(today),
	}
}

// appliedModel maps a check's measures with the triggers the caller may
// see of the checked subject (the measure applies all the same).
func appliedModel(ctx context.Context, subj auth.Subject, applied []supervision.Applied, measures *catalogue.Measures) []*model.AppliedMeasure {
	out := make([]*model.AppliedMeasure, len(applied))
	for i, a := range applied {
		am := &model.AppliedMeasure{Measure: measures.ByCode(a.Code), Triggers: make([]*model.MeasureTrigger, 0, len(a.Triggers))}
		for _, t := range a.Triggers {
			if !seesTriggerOf(ctx, subj, t) {
				continue
			}
			am.Triggers = append(am.Triggers, &model.MeasureTrigger{RecordID: t.RecordID, Kind: t.Kind, Summary: t.Summary, Severity: t.Severity, ListType: t.ListType})
		}
		if a.Grade != nil {
			am.GradeTrigger = &model.GradeTrigger{Grade: model.Grade(a.Grade.Grade), Points: a.Grade.Points}
		}
		out[i] = am
	}
	return out
}

func checkModel(ctx context.Context, c *supervision.CheckResult, measures *catalogue.Measures) *model.CreditCheck {
	m := &model.CreditCheck{
		ID: supervision.CheckID(c.ID), Uscc: c.USCC, Scenario: c.Scenario, Complete: c.Complete,
		MissingSources: make([]*credit.Department, len(c.Missing)),
		Measures:       appliedModel(ctx, auth.Subject{USCC: c.USCC}, c.Measures, measures),
		CheckedAt:      c.CheckedAt,
	}
	for i, code := range c.Missing {
		m.MissingSources[i] = departmentOf(code)
	}
	return m
}

// checksModel maps the checks of many entities, and reports the
// departments any of them missed (reportMissing).
func checksModel(ctx context.Context, results []*supervision.CheckResult, measures *catalogue.Measures) []*model.CreditCheck {
	out := make([]*model.CreditCheck, len(results))
	missing := map[string]bool{}
	for i, c := range results {
		out[i] = checkModel(ctx, c, measures)
		for _, code := range c.Missing {
			missing[code] = true
		}
	}
	reportMissing(ctx, missing)
	return out
}

func planModel(p *supervision.Plan) *model.InspectionPlan {
	return &model.InspectionPlan{
		ID: supervision.PlanID(p.ID), Department: departmentOf(p.Department), Title: p.Title, Seed: p.Seed,
		PopulationSize: p.PopulationSize, SampleSize: p.SampleSize,
		RatioA: p.Ratios["A"], RatioB: p.Ratios["B"], RatioC: p.Ratios["C"], RatioD: p.Ratios["D"],
		CreatedAt: p.CreatedAt,
	}
}

func warningModel(w *supervision.Warning) *model.Warning {
	m := &model.Warning{
		ID: gid.Encode(typeWarning, strconv.FormatInt(w.ID, 10)), Rule: warningRuleModel(w.Rule), Uscc: w.USCC,
		Level: model.WarningLevel(w.Level), Message: w.Message, RaisedAt: w.RaisedAt,
		State: model.WarningState(w.State), ClosedNote: w.ClosedNote,
	}
	if w.RecordID != "" {
		id := w.RecordID
		m.RecordID = &id
	}
	if w.AssigneeDepartment != "" || w.AssigneePerson != "" {
		m.Assignee = &model.WarningAssignee{}
		if w.AssigneeDepartment != "" {
			m.Assignee.Department = departmentOf(w.AssigneeDepartment)
		}
		if w.AssigneePerson != "" {
			p := w.AssigneePerson
			m.Assignee.Person = &p
		}
	}
	return m
}

// handledWarning maps the warning a transition of its workflow returns.
func handledWarning(w *hubdb.WarningRow, err error) (*model.Warning, error) {
	if err != nil {
		return nil, err
	}
	return warningModel(supervision.WarningOf(w)), nil
}

// warningIDs are the row ids of warnings.
func warningIDs(ws []*supervision.Warning) []int64 {
	ids := make([]int64, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	return ids
}

func warningRuleModel(r supervision.Rule) *model.WarningRule {
	return &model.WarningRule{
		Code: r.Code, Description: r.Description, Kind: r.Kind, Threshold: r.Threshold,
		Level: model.WarningLevel(r.Level), Active: r.Active, Source: r.Source,
	}
}

// rosterModel is a roster inspector as the graph answers it.
func rosterModel(in *supervision.RosterInspector) *model.RosterInspector {
	return &model.RosterInspector{ID: supervision.InspectorID(in.ID), Name: in.Name, BadgeNo: in.BadgeNo,
		Department: departmentOf(in.Department), Active: in.Active, RetiredAt: in.RetiredAt, RetireReason: in.RetireReason}
}

// notificationsArriving maps a body's inbox subscription to the graph's
// notifications until the broker closes it; a client gone drains it, so
// the fan-out never waits on it.
func notificationsArriving(ctx context.Context, items <-chan *workflow.WorkItem) <-chan *model.Notification {
	out := make(chan *model.Notification)
	go func() {
		defer close(out)
		for it := range items {
			select {
			case out <- notificationModel(it.Notification):
			case <-ctx.Done():
				for range items {
				}
				return
			}
		}
	}()
	return out
}
