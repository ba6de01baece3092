package auth

import (
	"context"
	"slices"
	"testing"

	"credithub/internal/credit"
)

// oldViewOf is ViewOf as it was, with a slice of publicities: the
// reference the set must agree with.
func oldViewOf(ctx context.Context, subj Subject) (pubs []credit.Publicity, publicOnly bool) {
	pubs = []credit.Publicity{credit.Public}
	if Decide(ctx, Shared, ScopeRecordRead, subj) == nil {
		pubs = append(pubs, credit.Shared)
	}
	if subj.IDNumber != "" && Decide(ctx, Personal, "", subj) == nil {
		pubs = append(pubs, credit.Personal)
	}
	return pubs, len(pubs) == 1 || FromContext(ctx).Kind() == KindAssociation
}

// TestRecordViewDecidesAsItDid: for every kind of caller and of subject,
// the view as a set holds exactly the publicities the slice held, and
// each Has answers as slices.Contains did, "" and unknown values included.
func TestRecordViewDecidesAsItDid(t *testing.T) {
	t.Parallel()
	const entity, other = "91110000600037341L", "91310115MA1K3BTP2B"
	assoc := testAssociation(t, "MJ0000011")
	members := &fakeMembers{of: map[string]map[string]bool{assoc: {entity: true}}}
	withMembers := func(ctx context.Context) context.Context {
		return WithRequest(ctx, NewRequest(nil, func(string) string { return "" }, nil).WithMembers(members))
	}
	dept := func(purpose string, scopes ...string) context.Context {
		ctx := NewContext(context.Background(), NewPrincipal("d", "market", KindDepartment, scopes, ""))
		if purpose != "" {
			ctx = WithPurpose(ctx, purpose)
		}
		return ctx
	}
	callers := map[string]context.Context{
		"anonymous":                        context.Background(),
		"a department without scopes":      dept(""),
		"a department with record:read":    dept("", ScopeRecordRead),
		"personal data without a purpose":  dept("", ScopeRecordRead, ScopePersonRead),
		"personal data with a purpose":     dept(string(PurposeLawEnforcement), ScopeRecordRead, ScopePersonRead),
		"person:read only, with a purpose": dept(string(PurposeLawEnforcement), ScopePersonRead),
		"the entity itself":                NewContext(context.Background(), NewPrincipal("e", entity, KindEntity, EntitySelfScopes, "")),
		"another entity":                   NewContext(context.Background(), NewPrincipal("e", other, KindEntity, EntitySelfScopes, "")),
		"the person":                       NewContext(context.Background(), NewPrincipal("p", "sealed", KindPerson, []string{ScopePersonRead, ScopeRecordRead}, "").AsPerson(testIDNo)),
		"an association":                   withMembers(NewContext(context.Background(), NewPrincipal("a", assoc, KindAssociation, AssociationScopes, ""))),
	}
	subjects := map[string]Subject{
		"nobody in particular": {},
		"the entity":           {USCC: entity},
		"another entity":       {USCC: other},
		"the person":           {IDNumber: testIDNo},
		"the entity's person":  {USCC: entity, IDNumber: testIDNo},
	}
	for cname, ctx := range callers {
		for sname, subj := range subjects {
			want, wantPublicOnly := oldViewOf(ctx, subj)
			got := ViewOf(ctx, subj)
			var gotList []credit.Publicity
			for _, p := range credit.Publicities {
				if got.Publicities.Has(p) {
					gotList = append(gotList, p)
				}
			}
			if !slices.Equal(gotList, want) || got.PublicOnly != wantPublicOnly || got.Publicities.Len() != len(want) {
				t.Errorf("%s, %s: %v public only %v, want %v public only %v", cname, sname, gotList, got.PublicOnly, want, wantPublicOnly)
			}
			for _, p := range []credit.Publicity{"", "public", "SECRET"} {
				if got.Publicities.Has(p) {
					t.Errorf("%s, %s: the view holds %q", cname, sname, p)
				}
			}
		}
	}
}

// TestViewOfAllocatesNothing: a department reading a page of entities'
// records asks ViewOf once per entity; the view costs no allocation (a
// slice of publicities was one per call).
func TestViewOfAllocatesNothing(t *testing.T) {
	ctx := NewContext(context.Background(), NewPrincipal("d", "market", KindDepartment, []string{ScopeEntityRead, ScopeRecordRead}, ""))
	subj := Subject{USCC: "91110000600037341L"}
	if n := testing.AllocsPerRun(100, func() {
		if v := ViewOf(ctx, subj); !v.Publicities.Has(credit.Shared) || v.PublicOnly {
			t.Fatalf("the department's view: %+v", v)
		}
	}); n != 0 {
		t.Errorf("ViewOf allocated %v times per call, want 0", n)
	}
}
