package seed

// Industry associations (workflow/association.go, T29): three of the
// city's associations, each authorised by a department for its industry
// (the traders' authorisation later revoked), each with members of that
// industry drawn from the world, and the members' records of every
// category and every self-discipline measure; of each association's
// members one left and one was expelled (取消会员资格). Seeded after every
// other workflow, from a stream of its own ("associations"), so that the
// other plans keep the moments, the clerks and the records they always
// had; showcase entities are left out, so that the README's examples of
// them count what they always counted.

import (
	"context"
	"fmt"
	"time"

	"credithub/auth"
	"credithub/dev/synth"
	"credithub/dev/world"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
	"credithub/internal/workflow"
)

// Association is a seeded industry association.
type Association struct {
	Code, Name string
	// Industry is the GB/T 4754 section the department authorised it for.
	Industry   string
	Department string
	// Revoked: the department revoked its authorisation after the records.
	Revoked bool
}

// Associations are the seeded associations. The first is the development
// sign-in's association (server.DevRoles).
var Associations = []Association{
	{Code: "51231100MJY000011L", Name: "黑河市建筑业协会", Industry: "E", Department: "housing"},
	{Code: "51231100MJY000028B", Name: "黑河市餐饮烹饪行业协会", Industry: "H", Department: "market"},
	{Code: "51231100MJY0000366", Name: "黑河市商贸流通业协会", Industry: "F", Department: "market", Revoked: true},
}

// membersPerAssociation is how many members each association registers at
// most.
const membersPerAssociation = 8

// memberRecord is one record an association keeps of a member.
type memberRecord struct {
	category workflow.MemberRecordCategory
	measure  workflow.DisciplineMeasure
	title    string
}

// memberRecords are the records the first member of each association gets,
// one of each category and of each measure short of expulsion; the others
// get one each, in turn.
var memberRecords = []memberRecord{
	{workflow.CategoryCommitment, "", "签署《行业诚信经营承诺书》"},
	{workflow.CategoryTraining, "", "参加协会年度信用管理培训并考核合格"},
	{workflow.CategoryHonour, "", "协会年度诚信经营示范单位"},
	{workflow.CategorySelfDiscipline, workflow.MeasureWarning, "未按期报送会员信用信息"},
	{workflow.CategorySelfDiscipline, workflow.MeasureCirculatedCriticism, "扰乱行业价格秩序，经调查属实"},
	{workflow.CategorySelfDiscipline, workflow.MeasurePublicCensure, "以不正当手段承揽业务，情节严重"},
}

// associations authorises the associations, registers their members and
// records for them, through the state machines, in one transaction.
func (s *seeder) associations(ctx context.Context, hub *hubdb.DB) error {
	dc := clock{r: synth.New(s.w.Seed, "associations"), cal: s.cal, now: s.now}
	return hub.Transact(ctx, func(tx *hubdb.DB) error {
		var now time.Time
		wf := s.flows.Batch(tx, func() time.Time { return now })
		at := func(t time.Time, by *auth.Principal) context.Context {
			now = t
			return auth.NewContext(ctx, by)
		}
		// Every member's story ends before the revocation.
		end := dc.office(dc.ago(25))
		for i, a := range Associations {
			clerk := auth.NewPrincipal(synth.PersonName(dc.r), a.Department, auth.KindDepartment, []string{auth.ScopeAssociationAuthorize}, "")
			granted := dc.office(dc.ago(540 - 20*i))
			z, err := wf.AuthorizeAssociation(at(granted, clerk), workflow.AuthorizeAssociationInput{Association: a.Code, Name: a.Name,
				Industry: a.Industry, Basis: "《若干措施》第二十九项：授权" + a.Name + "协助开展本行业信用建设和信用监管，建立会员信用记录"}, noKey)
			if err != nil {
				return fmt.Errorf("authorising %s: %w", a.Name, err)
			}
			self := auth.NewPrincipal("association:"+a.Code, a.Code, auth.KindAssociation, auth.AssociationScopes, "")
			var members []*world.Entity
			if err := s.w.Each(func(e *world.Entity) error {
				if e.IndustryCode == a.Industry && !e.Showcase {
					members = append(members, e)
				}
				if len(members) == membersPerAssociation {
					return world.ErrStop
				}
				return nil
			}); err != nil {
				return err
			}
			for j, e := range members {
				joined := dc.day(granted.AddDate(0, 0, 1), dc.ago(300))
				registered := dc.office(joined)
				m, err := wf.RegisterMember(at(registered, self), workflow.RegisterMemberInput{Association: a.Code, USCC: e.USCC, Name: e.Name,
					Industry: e.IndustryCode, JoinedOn: scalars.DateOf(joined)}, noKey)
				if err != nil {
					return fmt.Errorf("%s registering %s: %w", a.Name, e.USCC, err)
				}
				recs := memberRecords[j%len(memberRecords) : j%len(memberRecords)+1]
				if j == 0 {
					recs = memberRecords
				}
				last := registered
				for _, rec := range recs {
					last = earliest(dc.later(last, 5+dc.r.IntN(20)), end)
					in := workflow.MemberRecordInput{Association: a.Code, USCC: e.USCC, Category: rec.category, Title: rec.title,
						DecisionNo: fmt.Sprintf("黑协字〔%d〕%d号", last.Year(), 10+dc.r.IntN(80)), DecisionDate: scalars.DateOf(last)}
					if rec.measure != "" {
						in.Measure = &rec.measure
					}
					if _, err := wf.RecordForMember(at(last, self), in, noKey); err != nil {
						return fmt.Errorf("%s recording for %s: %w", a.Name, e.USCC, err)
					}
				}
				switch {
				case len(members) > 2 && j == len(members)-2:
					left := earliest(dc.office(dc.day(dc.later(last, 5), dc.ago(40))), end)
					if _, err := wf.EndMembership(at(left, self), m.DBID, scalars.DateOf(left), "会员申请退会", noKey); err != nil {
						return fmt.Errorf("%s ending %s's membership: %w", a.Name, e.USCC, err)
					}
				case len(members) > 2 && j == len(members)-1:
					expelled := earliest(dc.office(dc.day(dc.later(last, 5), dc.ago(35))), end)
					revoked := workflow.MeasureMembershipRevoked
					in := workflow.MemberRecordInput{Association: a.Code, USCC: e.USCC, Category: workflow.CategorySelfDiscipline, Measure: &revoked,
						Title: "严重违反协会章程，经理事会决议取消会员资格", DecisionNo: fmt.Sprintf("黑协字〔%d〕%d号", expelled.Year(), 90+dc.r.IntN(9)),
						DecisionDate: scalars.DateOf(expelled)}
					if _, err := wf.RecordForMember(at(expelled, self), in, noKey); err != nil {
						return fmt.Errorf("%s expelling %s: %w", a.Name, e.USCC, err)
					}
				}
			}
			if a.Revoked {
				revoked := dc.office(dc.ago(20))
				if _, err := wf.RevokeAssociationAuthorization(at(revoked, clerk), z.DBID, "协会未按要求报送会员信用信息，授权撤销", noKey); err != nil {
					return fmt.Errorf("revoking %s: %w", a.Name, err)
				}
			}
		}
		return nil
	})
}
