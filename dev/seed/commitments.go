package seed

// Commitments: signed by the entity months ago, decided later by the
// department holding them (workflow/commitment.go).

import (
	"context"
	"fmt"

	"credithub/dev/synth"
	"credithub/dev/world"
	"credithub/internal/credit"
	"credithub/internal/workflow"
)

var breachReasons = []string{
	"承诺期限届满未补齐申请材料", "现场核查发现实际经营条件与承诺不符", "未按承诺时限完成整改",
	"承诺的消防安全条件未落实", "未按承诺时限取得环评批复即开工建设",
}

var falseReasons = []string{
	"核查发现提交的场所使用证明系伪造", "承诺具备的专业技术人员实际未在岗", "承诺的生产设备不存在",
}

// breachSeverities are drawn for a breach: mostly general.
var breachSeverities = []credit.Severity{credit.Minor, credit.General, credit.General, credit.Serious}

// commitment plans a commitment of e that ends in state.
func (s *seeder) commitment(t *timeline, e *world.Entity, state workflow.CommitmentState) {
	r := s.r
	item := synth.Pick(r, s.items)
	signed := s.office(s.day(s.ago(720), s.ago(200)))
	if state == workflow.CommitmentSigned {
		signed = s.office(s.day(s.ago(120), s.ago(1)))
	}
	in := workflow.SignInput{ItemCode: item.Code, USCC: e.USCC,
		Content: fmt.Sprintf("本单位申请办理%s，承诺所提交的材料真实有效，已知悉并符合办理条件、标准和要求，将在约定期限内补齐材料、落实承诺事项；如有不实或违反承诺，愿意承担相应法律责任，并同意将履约情况记入信用记录、依法公开。", item.Name)}
	var id int64
	t.add(signed, self(e), "signing a commitment of", func(ctx context.Context, wf *workflow.Service) error {
		c, err := wf.SignCommitment(ctx, in, noKey)
		if err == nil {
			id = c.DBID
		}
		return err
	})
	if state == workflow.CommitmentSigned {
		return
	}
	decided := s.later(signed, 20+r.IntN(100))
	clerk := s.clerk(item.DepartmentCode)
	switch state {
	case workflow.CommitmentFulfilled:
		t.add(decided, clerk, "fulfilling a commitment of", func(ctx context.Context, wf *workflow.Service) error {
			_, err := wf.FulfilCommitment(ctx, id, "经核查，承诺事项已全部履行", noKey)
			return err
		})
	case workflow.CommitmentBreached, workflow.CommitmentFoundFalse:
		// A breach's class and reason are drawn for a false commitment
		// too, which is serious and has a reason of its own: the draws keep
		// every later moment where the seed has always put it.
		severity, reason := synth.Pick(r, breachSeverities), synth.Pick(r, breachReasons)
		if state == workflow.CommitmentFoundFalse {
			reason = synth.Pick(r, falseReasons)
			t.add(decided, clerk, "finding false a commitment of", func(ctx context.Context, wf *workflow.Service) error {
				_, err := wf.FindCommitmentFalse(ctx, id, reason, noKey)
				return err
			})
			return
		}
		t.add(decided, clerk, "breaching a commitment of", func(ctx context.Context, wf *workflow.Service) error {
			_, err := wf.BreachCommitment(ctx, id, severity, reason, noKey)
			return err
		})
	}
}
