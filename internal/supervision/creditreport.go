package supervision

// Issuing credit reports (T7, T30). A report is what the caller may see of
// an entity, frozen: its content is the exact JSON that was hashed and
// signed, so what the caller may see decides what is in it (public records
// for everyone, shared ones with record:read, the grade with entity:read,
// ID numbers only with the personal-data rights, and then logged).

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"credithub/auth"
	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/ident"
	"credithub/internal/scalars"
)

// Issued is a report as issued and stored.
type Issued struct {
	Number        string
	USCC          string
	Purpose       string
	IssuedAt      time.Time
	IssuedTo      string
	Content       string
	ContentSHA256 string
	Signature     string
	KeyID         string
}

// Reports issues reports into the hub's database and checks reports handed
// back.
type Reports struct {
	DB     *hubdb.DB
	Signer *Signer
	// Supervision reads the departments as the request does and rates the
	// entity for the callers who may see grades.
	Supervision *Service
	// Now is the clock (tests set it).
	Now func() time.Time
}

func (s *Reports) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// reportPage is how many records one read of a report takes (the graph's
// largest page), and maxReportPages how many pages a report reads at most.
const (
	reportPage     = 100
	maxReportPages = 10
)

// CreditReport issues a report on the registered entity uscc to ctx's
// caller, for purpose: its registry facts, the records in force of every
// department the caller may see, the list entries in force it may see, the
// grade (for callers with entity:read) and the responsible persons (names
// public, ID numbers only for a caller who may read that person's data).
// unavailable is told of each department that did not answer, when it is
// found. It returns the report and the persons whose ID numbers it
// carries: the caller logs their disclosure (auth.Request.Disclose) before
// the report leaves.
//
// Issuing stores a report: the field's marking asks report:issue of every
// caller, the entity itself included (auth.Decide passes a subject only
// for read scopes); an entity asks for its own by requestOwnCreditReport.
func (s *Reports) CreditReport(ctx context.Context, uscc, purpose string, unavailable func(error)) (*Issued, []auth.Subject, error) {
	c, disclosed, err := s.content(ctx, uscc, purpose, true, unavailable)
	if err != nil {
		return nil, nil, err
	}
	issued, err := s.Issue(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	return issued, disclosed, nil
}

// OwnReportPurposes are the purposes a market entity asks its own credit
// report for (T7): the uses a report of its own is shown for.
var OwnReportPurposes = []string{"BIDDING", "PUBLIC_PROCUREMENT", "ADMINISTRATIVE_APPROVAL", "MARKET_ACCESS", "QUALIFICATION_REVIEW"}

// OwnCreditReport issues ctx's caller — a market entity signed in as
// itself, and nobody else — its own credit report for purpose (one of
// OwnReportPurposes): what it may see of itself (its public and shared
// records and lists; not its grade, which is for supervisors), numbered,
// signed and stored like every report, so that it lists among the
// reports issued on it (issued to entity:<its code>). Its responsible
// persons' ID numbers are masked whatever the token holds: it carries no
// personal data. Under the idempotency key a retry gets the report first
// issued.
func (s *Reports) OwnCreditReport(ctx context.Context, purpose string, key hubdb.Key, unavailable func(error)) (*Issued, error) {
	p := auth.FromContext(ctx)
	if p.Kind() != auth.KindEntity {
		return nil, apperr.New(apperr.Forbidden,
			"an entity's own credit report is issued to the entity itself, signed in as itself (token kind entity); this token is of kind %s (creditReport issues reports to departments and agencies)", p.Kind())
	}
	if !slices.Contains(OwnReportPurposes, purpose) {
		return nil, apperr.BadInput("purpose", "purpose must be one of %s", strings.Join(OwnReportPurposes, ", ")).
			With("acceptedPurposes", OwnReportPurposes)
	}
	// The content is read before the transaction: it fans out to every
	// department, and a retry's is dropped for the stored report.
	c, _, err := s.content(ctx, p.Org(), purpose, false, unavailable)
	if err != nil {
		return nil, err
	}
	return hubdb.Idempotent(ctx, s.DB, p.Key(), key, "requestOwnCreditReport", func(tx *hubdb.DB) (*Issued, error) {
		return s.issueOn(ctx, tx, c)
	})
}

// content is what a report on uscc for purpose says to ctx's caller, and
// the persons whose ID numbers it carries: none unless personal, and then
// only those the caller may read.
func (s *Reports) content(ctx context.Context, uscc, purpose string, personal bool, unavailable func(error)) (*ReportContent, []auth.Subject, error) {
	d := s.Supervision.Departments(ctx)
	e, err := d.Entity(ctx, uscc)
	if err != nil {
		return nil, nil, err
	}
	if e == nil {
		return nil, nil, apperr.New(apperr.NotFound, "the registry holds no entity with the code %s; a report is issued only on a registered entity", uscc).With("field", "uscc")
	}
	p := auth.FromContext(ctx)
	subj := auth.Subject{USCC: e.USCC}
	view := auth.ViewOf(ctx, subj)
	c := &ReportContent{
		IssuedTo: string(p.Kind()) + ":" + p.Org(), Purpose: purpose, Entity: reportEntity(e),
		ResponsiblePersons: []ReportPerson{}, Listings: []ReportListing{}, Records: []ReportRecord{},
		Complete: true, MissingSources: []string{},
		Scope: ReportScope{Notes: []string{}},
	}
	for _, pub := range credit.Publicities {
		if view.Publicities.Has(pub) && pub != credit.Personal {
			c.Scope.Publicities = append(c.Scope.Publicities, string(pub))
		}
	}
	missing := func(d credit.Department, err error) {
		if !slices.Contains(c.MissingSources, d.Code) {
			c.Complete = false
			c.MissingSources = append(c.MissingSources, d.Code)
			unavailable(err)
		}
	}

	// The records in force the caller may see, every department's, by the
	// records' one rule (auth.SeesRecord), as on every other path.
	q := viewQuery(ctx, d.Catalogue(), SubjectOf(e), func(credit.Kind) bool { return true }, reportPage)
	for page := 0; ; page++ {
		pg := d.Records(ctx, q)
		for _, f := range pg.Failed {
			missing(f.Department, f.Err)
		}
		for _, rec := range pg.Records {
			if credit.InForce(rec) && auth.SeesRecord(ctx, rec) {
				c.Records = append(c.Records, reportRecord(rec))
			}
		}
		if !pg.HasNext || len(pg.Records) == 0 {
			break
		}
		if page == maxReportPages-1 {
			c.Complete = false
			c.Scope.Notes = append(c.Scope.Notes, "records: only the newest "+strconv.Itoa(maxReportPages*reportPage)+" were read")
			break
		}
		q.After = datasources.CursorOf(pg.Records[len(pg.Records)-1])
		if pg.End != (datasources.Cursor{}) {
			q.After = pg.End
		}
	}

	// The lists it is on.
	listings, err := s.DB.Reports().ListingsInForce(ctx, e.USCC, d.Today().String())
	if err != nil {
		return nil, nil, err
	}
	for _, li := range listings {
		rl := ReportListing{
			ID: ListingID(li.ID), ListType: li.ListType, Domain: li.Domain, Department: li.Department, Basis: li.Basis,
			EnteredOn: li.EnteredOn, RectifyBy: li.RectifyBy, BanStart: li.BanStart, BanEnd: li.BanEnd, Permanent: li.Permanent,
			Publicity: listingPublicity(li.ListType),
		}
		if view.Publicities.Has(credit.Publicity(rl.Publicity)) {
			c.Listings = append(c.Listings, rl)
		}
	}

	// The grade, for callers who may see grades — MarketEntity.rating's
	// marking, SHARED with entity:read and only for supervisors (never the
	// entity itself nor an agency) — computed the way rating computes it.
	if auth.Decide(ctx, auth.Shared, auth.ScopeEntityRead, subj) == nil && auth.OnlyFor(ctx, []auth.Caller{auth.CallerSupervisors}, subj) == nil {
		rt, err := s.Supervision.Rate(SystemContext(ctx), SubjectOf(e))
		if err != nil {
			return nil, nil, err
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
	members, err := d.Members(ctx, e.USCC)
	if err != nil {
		return nil, nil, err
	}
	var disclosed []auth.Subject
	for _, m := range members {
		role, ok := market.Roles[m.Role]
		if !ok {
			continue
		}
		rp := ReportPerson{Role: string(role), Name: m.Name, IDNumber: ident.MaskResidentID(m.IDNo)}
		if personal && auth.Decide(ctx, auth.Personal, "", auth.Subject{USCC: e.USCC, IDNumber: m.IDNo}) == nil {
			rp.IDNumber, rp.IDNumberFull = m.IDNo, true
			disclosed = append(disclosed, auth.Subject{USCC: e.USCC, IDNumber: m.IDNo})
		}
		c.ResponsiblePersons = append(c.ResponsiblePersons, rp)
	}
	c.Scope.PersonalData = len(disclosed) > 0
	switch {
	case !personal && len(c.ResponsiblePersons) > 0:
		c.Scope.Notes = append(c.Scope.Notes, "responsible persons: ID numbers masked; an entity's own report carries no personal data")
	case !c.Scope.PersonalData && len(c.ResponsiblePersons) > 0:
		c.Scope.Notes = append(c.Scope.Notes, "responsible persons: ID numbers masked; they need person:read, a declared purpose and, for an agency, the person's written authorisation")
	}

	return c, disclosed, nil
}

// reportEntity is the entity's registry facts as a report states them.
func reportEntity(e *market.Entity) ReportEntity {
	re := ReportEntity{
		USCC: e.USCC, LegacyCode: e.USCCLegacy, Name: e.Name, Status: e.Status, OrganizationCode: ident.OrgCodeOf(e.USCC),
		Address: e.Address, Industry: e.IndustryLabel(), LegalRepresentative: e.LegalRepName,
		Kind: string(e.Kind()), RegisteredAt: scalars.DateOf(e.EstablishedOn).String(),
	}
	if e.RegNo.Valid {
		re.RegistrationNumber = &e.RegNo.String
	}
	if st := e.RegistrationStatus(); st != nil {
		re.Status = string(*st)
	}
	if c := e.RegisteredCapital(); c != nil {
		y := string(*c)
		re.RegisteredCapitalYuan = &y
	}
	if name, ok := ident.DivisionName(e.DivisionCode); ok {
		re.Division = &ReportDivision{Code: e.DivisionCode, Name: name}
	}
	return re
}

// reportRecord is a record as a report states it.
func reportRecord(rec credit.Record) ReportRecord {
	b := rec.Common()
	rr := ReportRecord{
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

// Issue numbers c, dates it, signs its exact JSON and stores it, in one
// statement after the number is drawn. The issue time is kept to the
// microsecond (what PostgreSQL stores), in UTC, so that the signed time and
// the stored one are the same instant written the same way.
func (s *Reports) Issue(ctx context.Context, c *ReportContent) (*Issued, error) {
	return s.issueOn(ctx, s.DB, c)
}

// issueOn is Issue on db (the pool, or a transaction).
func (s *Reports) issueOn(ctx context.Context, db *hubdb.DB, c *ReportContent) (*Issued, error) {
	seq, err := db.Reports().NextNumber(ctx)
	if err != nil {
		return nil, err
	}
	at := s.now().UTC().Truncate(time.Microsecond)
	c.Format, c.Issuer = ReportFormat, ReportIssuer
	c.Number, c.IssuedAt = ReportNumber(at, seq), at
	content, err := EncodeContent(c)
	if err != nil {
		return nil, err
	}
	hash, sig := s.Signer.Sign(c.Number, at, content)
	r := &Issued{
		Number: c.Number, USCC: c.Entity.USCC, Purpose: c.Purpose, IssuedAt: at, IssuedTo: c.IssuedTo,
		Content: string(content), ContentSHA256: hash, Signature: sig, KeyID: s.Signer.KeyID,
	}
	if err := db.Reports().Save(ctx, hubdb.ReportRow(*r)); err != nil {
		return nil, err
	}
	return r, nil
}

// Find returns the report the hub issued with a number; nil when none. The
// content it returns is the stored copy (jsonb: the same JSON value, not
// necessarily the same bytes — the hash is what binds the bytes).
func (s *Reports) Find(ctx context.Context, number string) (*Issued, error) {
	r, err := s.DB.Reports().Find(ctx, number)
	if err != nil || r == nil {
		return nil, err
	}
	issued := Issued(*r)
	return &issued, nil
}

// Check verifies a presented report against the hub's public key and, to
// say what was changed, the hub's own copy.
func (s *Reports) Check(ctx context.Context, p Presented) (Verification, error) {
	stored, err := s.Find(ctx, p.Number)
	if err != nil {
		return Verification{}, err
	}
	return CheckReport(s.Signer.Public(), stored, p), nil
}

// ReportsOn returns the reports issued on an entity, newest first, after
// the report numbered after ("" from the newest), at most limit rows.
func (s *Service) ReportsOn(ctx context.Context, uscc, after string, limit int) ([]hubdb.ReportOnEntity, error) {
	return s.DB.Reports().OnEntity(ctx, uscc, after, limit)
}

// ReportsIssuedTo returns the reports issued to a caller (kind:org, as
// reports record it), newest first, after the report numbered after (""
// from the newest), at most limit rows.
func (s *Service) ReportsIssuedTo(ctx context.Context, kind, org, after string, limit int) ([]hubdb.ReportIssued, error) {
	return s.DB.Reports().IssuedTo(ctx, kind+":"+org, after, limit)
}
