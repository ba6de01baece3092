package catalogue_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// fakeStore serves catalogue rows as the hub's database would, or fails.
type fakeStore struct {
	entries  []hubdb.CatalogueRow
	periods  []hubdb.PeriodRow
	measures []hubdb.MeasureRow
	err      error
}

var _ hubdb.CatalogueStore = fakeStore{}

func (s fakeStore) Entries(context.Context) ([]hubdb.CatalogueRow, error) { return s.entries, s.err }
func (s fakeStore) PublicationPeriods(context.Context) ([]hubdb.PeriodRow, error) {
	return s.periods, s.err
}
func (s fakeStore) Measures(context.Context) ([]hubdb.MeasureRow, error)        { return s.measures, s.err }
func (s fakeStore) Changes(context.Context) ([]hubdb.CatalogueChangeRow, error) { return nil, s.err }
func (s fakeStore) ChangeVersion(context.Context) (int64, error)                { return 0, s.err }
func (s fakeStore) AddChange(context.Context, hubdb.CatalogueChangeRow) (hubdb.CatalogueChangeRow, error) {
	return hubdb.CatalogueChangeRow{}, s.err
}

// measureRows are measures of the hub's migrations, in the store's order:
// restrictions first, then rewards, each in code order.
func measureRows() []hubdb.MeasureRow {
	serious := "SERIOUS"
	return []hubdb.MeasureRow{
		{Code: "M-CRT-01", Name: "限制高消费及非生活和工作必需的消费", Kind: "RESTRICTION", Department: "court",
			ListTypes: []string{"JOINT_PUNISHMENT"}, Scenarios: []string{"PUBLIC_PROCUREMENT", "BIDDING", "STATE_FUNDING"}},
		{Code: "M-MKT-01", Name: "限制担任企业法定代表人、董事、监事、高级管理人员", Kind: "RESTRICTION", Department: "market",
			ListTypes: []string{"JOINT_PUNISHMENT", "MARKET_BAN"}, Scenarios: []string{"ADMINISTRATIVE_APPROVAL"}},
		{Code: "M-PRC-01", Name: "限制参加政府采购活动", Kind: "RESTRICTION", Department: "market",
			LegalBasis: "《中华人民共和国政府采购法》第二十二条", ListTypes: []string{"JOINT_PUNISHMENT"},
			Scenarios: []string{"PUBLIC_PROCUREMENT", "BIDDING"}, RecordKinds: []string{"DISHONEST_DEBTOR", "FALSE_LITIGATION"},
			MinSeverity: &serious},
		{Code: "M-MKT-R1", Name: "守信激励：行政审批绿色通道、容缺受理", Kind: "REWARD", Department: "market",
			Scenarios: []string{"ADMINISTRATIVE_APPROVAL"}},
	}
}

func loadMeasures(t *testing.T) *catalogue.Measures {
	t.Helper()
	ms, err := catalogue.LoadMeasures(context.Background(), fakeStore{measures: measureRows()})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func codesOf(ms []*catalogue.Measure) []string {
	var codes []string
	for _, m := range ms {
		codes = append(codes, m.Code)
	}
	return codes
}

// A loaded measure carries every column of its row, typed; a measure
// without a minimum class applies from any class.
func TestLoadMeasures(t *testing.T) {
	t.Parallel()
	ms := loadMeasures(t)
	if got, want := codesOf(ms.All()), []string{"M-CRT-01", "M-MKT-01", "M-PRC-01", "M-MKT-R1"}; !slices.Equal(got, want) {
		t.Errorf("All() = %v, want the store's order %v", got, want)
	}
	prc := ms.ByCode("M-PRC-01")
	if prc == nil {
		t.Fatal("ByCode(M-PRC-01) = nil")
	}
	if prc.Kind != catalogue.Restriction || prc.DepartmentCode != "market" || prc.LegalBasis != "《中华人民共和国政府采购法》第二十二条" ||
		!slices.Equal(prc.ListTypes, []credit.ListType{credit.ListJointPunishment}) ||
		!slices.Equal(prc.Scenarios, []credit.Scenario{credit.ScenarioPublicProcurement, credit.ScenarioBidding}) ||
		!slices.Equal(prc.RecordKinds, []credit.Kind{credit.KindDishonestDebtor, credit.KindFalseLitigation}) ||
		prc.MinSeverity == nil || *prc.MinSeverity != credit.Serious {
		t.Errorf("M-PRC-01 loaded as %+v", *prc)
	}
	if m := ms.ByCode("M-MKT-R1"); m == nil || m.Kind != catalogue.Reward || m.MinSeverity != nil || m.ListTypes != nil {
		t.Errorf("M-MKT-R1 loaded as %+v, want a reward on no list with no minimum class", m)
	}
	if m := ms.ByCode("M-GONE-01"); m != nil {
		t.Errorf("ByCode(M-GONE-01) = %+v, want nil", m)
	}
}

// The catalogue changes by migration; a value the hub does not know, in any
// column, stops the load rather than being applied by guesswork.
func TestLoadMeasuresRefusesUnknownValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		change func(*hubdb.MeasureRow)
		want   string
	}{
		{"kind", func(r *hubdb.MeasureRow) { r.Kind = "PUNISHMENT" }, `unknown kind "PUNISHMENT"`},
		{"kind in lower case", func(r *hubdb.MeasureRow) { r.Kind = "restriction" }, `unknown kind "restriction"`},
		{"list type", func(r *hubdb.MeasureRow) { r.ListTypes = append(r.ListTypes, "BLACKLIST") }, `unknown list type "BLACKLIST"`},
		{"scenario", func(r *hubdb.MeasureRow) { r.Scenarios = append(r.Scenarios, "LOAN") }, `unknown scenario "LOAN"`},
		{"record kind", func(r *hubdb.MeasureRow) { r.RecordKinds = append(r.RecordKinds, "TAX_ARREARS") }, `unknown record kind "TAX_ARREARS"`},
		{"severity", func(r *hubdb.MeasureRow) { s := "CRITICAL"; r.MinSeverity = &s }, `unknown severity "CRITICAL"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rows := measureRows()
			c.change(&rows[2])
			ms, err := catalogue.LoadMeasures(context.Background(), fakeStore{measures: rows})
			if err == nil || !strings.Contains(err.Error(), "M-PRC-01") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("LoadMeasures = %v, %v; want an error naming M-PRC-01 and %s", ms, err, c.want)
			}
		})
	}
	t.Run("store failure", func(t *testing.T) {
		t.Parallel()
		down := errors.New("connection refused")
		if _, err := catalogue.LoadMeasures(context.Background(), fakeStore{err: down}); !errors.Is(err, down) {
			t.Errorf("LoadMeasures = %v, want the store's error", err)
		}
	})
}

// A case or a check that recorded measure codes reads them back in its own
// order; a code the catalogue dropped since is left out, not an error.
func TestMeasuresByCodes(t *testing.T) {
	t.Parallel()
	ms := loadMeasures(t)
	cases := []struct {
		name  string
		codes []string
		want  []string
	}{
		{"the order asked", []string{"M-PRC-01", "M-CRT-01", "M-MKT-R1"}, []string{"M-PRC-01", "M-CRT-01", "M-MKT-R1"}},
		{"a dropped code left out", []string{"M-MKT-01", "M-GONE-01", "M-CRT-01"}, []string{"M-MKT-01", "M-CRT-01"}},
		{"only dropped codes", []string{"M-GONE-01"}, nil},
		{"none asked", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := ms.ByCodes(c.codes)
			if !slices.Equal(codesOf(got), c.want) {
				t.Errorf("ByCodes(%v) = %v, want %v", c.codes, codesOf(got), c.want)
			}
		})
	}
}

// The graph lists measures in code order, rewards among restrictions, and
// doing so leaves the catalogue's own order alone.
func TestMeasuresInCodeOrder(t *testing.T) {
	t.Parallel()
	ms := loadMeasures(t)
	if got, want := codesOf(ms.InCodeOrder()), []string{"M-CRT-01", "M-MKT-01", "M-MKT-R1", "M-PRC-01"}; !slices.Equal(got, want) {
		t.Errorf("InCodeOrder() = %v, want %v", got, want)
	}
	if got, want := codesOf(ms.All()), []string{"M-CRT-01", "M-MKT-01", "M-PRC-01", "M-MKT-R1"}; !slices.Equal(got, want) {
		t.Errorf("after InCodeOrder, All() = %v, want %v", got, want)
	}
}

// A joint-punishment case is pushed to the departments whose measures apply
// to the list, in code order, each asked for its measures in code order,
// whatever the catalogue's order.
func TestMeasuresForList(t *testing.T) {
	t.Parallel()
	m := func(code, dept string, lists ...credit.ListType) *catalogue.Measure {
		return &catalogue.Measure{Code: code, Kind: catalogue.Restriction, DepartmentCode: dept, ListTypes: lists}
	}
	ms := catalogue.NewMeasures([]*catalogue.Measure{
		m("M-MKT-03", "market", credit.ListJointPunishment),
		m("M-HSG-01", "housing", credit.ListJointPunishment, credit.ListMarketBan),
		m("M-MKT-01", "market", credit.ListJointPunishment, credit.ListMarketBan),
		m("M-CRT-01", "court", credit.ListJointPunishment),
		m("M-MKT-02", "market", credit.ListJointPunishment),
		{Code: "M-MKT-R1", Kind: catalogue.Reward, DepartmentCode: "market"},
	})
	cases := []struct {
		list        credit.ListType
		departments []string
		codes       map[string][]string
	}{
		{credit.ListJointPunishment, []string{"court", "housing", "market"}, map[string][]string{
			"court": {"M-CRT-01"}, "housing": {"M-HSG-01"}, "market": {"M-MKT-01", "M-MKT-02", "M-MKT-03"}}},
		{credit.ListMarketBan, []string{"housing", "market"}, map[string][]string{
			"housing": {"M-HSG-01"}, "market": {"M-MKT-01"}}},
		{credit.ListKeyAttention, nil, map[string][]string{}},
	}
	for _, c := range cases {
		t.Run(string(c.list), func(t *testing.T) {
			t.Parallel()
			departments, codes := ms.ForList(c.list)
			if !slices.Equal(departments, c.departments) {
				t.Errorf("departments %v, want %v", departments, c.departments)
			}
			if len(codes) != len(c.codes) {
				t.Errorf("codes for %d departments %v, want %d %v", len(codes), codes, len(c.codes), c.codes)
			}
			for dept, want := range c.codes {
				if !slices.Equal(codes[dept], want) {
					t.Errorf("%s asked for %v, want %v", dept, codes[dept], want)
				}
			}
		})
	}
}

// A measure names its department as the contract does; a department the
// hub does not know is shown by its code rather than dropped.
func TestMeasureDepartment(t *testing.T) {
	t.Parallel()
	known := (&catalogue.Measure{DepartmentCode: "housing"}).Department()
	if known.Code != "housing" || known.Name != "黑河市住房和城乡建设局" {
		t.Errorf("housing: %+v", *known)
	}
	unknown := (&catalogue.Measure{DepartmentCode: "tax"}).Department()
	if unknown.Code != "tax" || unknown.Name != "tax" {
		t.Errorf("tax: %+v, want the code as its name", *unknown)
	}
}

// SECURITY: a measure kind in a variable is checked like the generated
// enums are: only RESTRICTION and REWARD get through.
func TestMeasureKindUnmarshal(t *testing.T) {
	t.Parallel()
	for _, v := range []any{"RESTRICTION", "REWARD", "PUNISHMENT", "reward", "", 1, nil} {
		var k catalogue.MeasureKind
		err := k.UnmarshalGQL(v)
		valid := v == "RESTRICTION" || v == "REWARD"
		switch {
		case valid && (err != nil || string(k) != v):
			t.Errorf("UnmarshalGQL(%#v) = %q, %v", v, k, err)
		case !valid && (!errors.Is(err, scalars.ErrInvalid) || k != ""):
			t.Errorf("UnmarshalGQL(%#v) = %q, %v; want it refused as invalid", v, k, err)
		}
	}
}
