package seed

// Self-declared information (workflow/declaration.go, T11): entities
// declare qualifications, licences held elsewhere, contract performance,
// public-welfare activity and honours under a truthfulness commitment; the
// department named verifies some and finds one false. Planned after every
// other workflow, from a stream of their own ("declarations"), so that the
// other plans keep the moments, the clerks and the records they always
// had: the first troubled showcase entity (not the first showcase) has one
// of each kind, in every state; an ordinary or clean entity now and then
// one, declared or verified.

import (
	"context"

	"credithub/auth"
	"credithub/dev/synth"
	"credithub/dev/world"
	"credithub/internal/workflow"
)

// declarationSamples are what entities declare, by kind: a title and the
// content.
var declarationSamples = map[workflow.DeclarationKind][][2]string{
	workflow.DeclarationQualification: {
		{"建筑业企业资质证书（施工总承包三级）", "证书编号D323045871，发证机关黑龙江省住房和城乡建设厅，有效期至2028年6月30日。"},
		{"ISO 9001质量管理体系认证证书", "认证机构中国质量认证中心，证书编号00126Q31548R0M，有效期至2027年11月。"},
	},
	workflow.DeclarationLicence: {
		{"食品经营许可证（哈尔滨市道里区）", "在哈尔滨市道里区设立分支机构，许可证编号JY12301020045871，有效期至2029年3月。"},
		{"道路运输经营许可证（绥化市）", "绥化市交通运输局核发，许可证号黑交运管许可绥字231201004587号。"},
	},
	workflow.DeclarationContractPerformance: {
		{"2025年度政府采购合同履约情况", "承接政府采购合同6份，合同金额合计318万元，均按期履约验收合格，无违约记录。"},
		{"对俄边贸合同履约情况", "2025年签订对俄出口合同12份，均按约交货收款，无贸易纠纷。"},
	},
	workflow.DeclarationPublicWelfare: {
		{"防汛救灾物资捐赠", "向黑河市慈善总会捐赠防汛物资，价值12万元，捐赠票据编号HH2025-0815。"},
		{"助学公益活动", "资助爱辉区贫困学生20名，每人每年3000元，已连续资助三年。"},
	},
	workflow.DeclarationHonour: {
		{"黑河市守合同重信用企业", "2025年被黑河市市场监督管理局公示为守合同重信用企业。"},
		{"黑龙江省诚信示范企业", "2024年获评黑龙江省诚信示范企业称号。"},
	},
}

// declarationDepartments are the departments a declaration may name.
var declarationDepartments = []string{"market", "environment", "fire", "housing"}

const declarationPromise = "本单位承诺所声明的信息真实、准确、完整，如有虚假，愿意承担相应法律责任，并同意记入信用记录、依法公开。"

// showcaseDeclarations are the first troubled showcase entity's: one of
// each kind, in every state.
var showcaseDeclarations = []workflow.DeclarationState{
	workflow.DeclarationVerified, workflow.DeclarationDeclared, workflow.DeclarationVerified,
	workflow.DeclarationDeclared, workflow.DeclarationFoundFalse,
}

// declarations plans the entities' declarations (work[i] is plans[i]'s
// timeline).
func (s *seeder) declarations(plans []plan, work []*timeline) {
	dc := clock{r: synth.New(s.w.Seed, "declarations"), cal: s.cal, now: s.now}
	showcased := false
	for i, p := range plans {
		switch {
		case !showcased && p.e.Index > 0 && p.e.Showcase && p.e.Profile == world.Troubled:
			showcased = true
			for k, state := range showcaseDeclarations {
				s.declaration(dc, work[i], p.e, workflow.DeclarationKinds[k], state)
			}
		case !p.e.Showcase && p.e.Profile != world.Troubled && dc.r.IntN(100) < 10:
			state := workflow.DeclarationDeclared
			if dc.r.IntN(2) == 0 {
				state = workflow.DeclarationVerified
			}
			s.declaration(dc, work[i], p.e, synth.Pick(dc.r, workflow.DeclarationKinds), state)
		}
	}
}

// declaration plans one declaration of kind by e that ends in state.
func (s *seeder) declaration(dc clock, t *timeline, e *world.Entity, kind workflow.DeclarationKind, state workflow.DeclarationState) {
	r := dc.r
	sample := synth.Pick(r, declarationSamples[kind])
	dept := synth.Pick(r, declarationDepartments)
	declared := dc.office(dc.day(dc.ago(300), dc.ago(40)))
	if state == workflow.DeclarationDeclared {
		declared = dc.office(dc.day(dc.ago(30), dc.ago(1)))
	}
	in := workflow.DeclareInput{USCC: e.USCC, Kind: kind, Title: sample[0], Content: sample[1], Department: dept, Commitment: declarationPromise}
	var id int64
	t.add(declared, self(e), "declaring information of", func(ctx context.Context, wf *workflow.Service) error {
		d, err := wf.Declare(ctx, in, noKey)
		if err == nil {
			id = d.DBID
		}
		return err
	})
	if state == workflow.DeclarationDeclared {
		return
	}
	decided := dc.later(declared, 3+r.IntN(20))
	clerk := auth.NewPrincipal(synth.PersonName(r), dept, auth.KindDepartment, []string{auth.ScopeDeclarationVerify}, "")
	switch state {
	case workflow.DeclarationVerified:
		t.add(decided, clerk, "verifying a declaration of", func(ctx context.Context, wf *workflow.Service) error {
			_, err := wf.VerifyDeclaration(ctx, id, "经核对原件及发证机关公示信息，声明属实", noKey)
			return err
		})
	case workflow.DeclarationFoundFalse:
		t.add(decided, clerk, "finding false a declaration of", func(ctx context.Context, wf *workflow.Service) error {
			_, err := wf.FindDeclarationFalse(ctx, id, "经向发证机关核实，无该证书或称号记录，声明不实", noKey)
			return err
		})
	}
}
