package workflow_test

import (
	"testing"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/hubdb"
	"credithub/internal/workflow"
)

// declinePush refuses an outcome it does not take and a missing reason
// before it touches the database (the service here has none).
func TestDeclinePushInput(t *testing.T) {
	t.Parallel()
	svc := &workflow.Service{}
	ctx := obAs(auth.KindDepartment, "fire", auth.ScopeCaseWrite)
	for _, c := range []struct {
		outcome workflow.PushOutcome
		reason  string
		field   string
	}{
		{workflow.PushApplied, "已限制", "outcome"},
		{"", "已限制", "outcome"},
		{workflow.PushDeclined, "", "reason"},
		{workflow.PushNotApplicable, " \t ", "reason"},
	} {
		_, err := svc.DeclinePush(ctx, 1, c.outcome, c.reason, hubdb.Key{})
		wantCode(t, string(c.outcome)+" "+c.reason, err, apperr.BadUserInput, c.field)
	}
}
