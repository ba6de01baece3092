package seed

// Warnings (T25) and their handling (workflow/warning.go): the showcase
// entities' most recent penalties and court records raise the warnings the
// rules raise on them (supervision.PenaltyWarnings, CourtWarnings), as the
// scan would have when the departments added them; the credit office then
// acknowledges, assigns and the assigned department closes them, one
// warning in each state, the newest still OPEN (the README acknowledges,
// assigns and closes it).

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"credithub/auth"
	"credithub/dev/synth"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/supervision"
	"credithub/internal/workday"
	"credithub/internal/workflow"
)

// warningStates are the states the showcase's warnings end in, oldest
// first.
var warningStates = []workflow.WarningState{workflow.WarningClosed, workflow.WarningAssigned, workflow.WarningAcknowledged, workflow.WarningOpen}

var warningNotes = []string{"已约谈企业负责人，督促其按期缴纳罚款并完成整改", "经核查，企业已整改到位，解除预警"}

// handler is an officer who handles warnings for org.
func (c clock) handler(org string) *auth.Principal {
	return auth.NewPrincipal(synth.PersonName(c.r), org, auth.KindDepartment, []string{auth.ScopeWarningHandle}, "")
}

// showcaseWarnings raises and handles the warnings of the showcase
// entities' records on hub, in one transaction of its own, after the other
// workflows.
func (s *seeder) showcaseWarnings(ctx context.Context, hub *hubdb.DB, records []credit.Record) error {
	rules, err := hub.Warnings().Rules(ctx)
	if err != nil {
		return err
	}
	cat, err := catalogue.Load(ctx, hub.Catalogues(), workday.Default())
	if err != nil {
		return err
	}
	var cands []supervision.Raise
	for _, r := range rules {
		rule := supervision.Rule(r)
		switch {
		case !rule.Active:
		case rule.Kind == supervision.RuleNewPenalty:
			cands = append(cands, supervision.PenaltyWarnings(rule, records)...)
		case rule.Kind == supervision.RuleCourtListing:
			cands = append(cands, supervision.CourtWarnings(rule, records, supervision.PublicIn(cat))...)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	// The most recent ones, in the order they were decided.
	decided := map[string]time.Time{}
	for _, rec := range records {
		decided[rec.Common().ID] = rec.Common().DecisionDate.Time()
	}
	slices.SortStableFunc(cands, func(a, b supervision.Raise) int {
		return cmp.Or(decided[a.RecordID].Compare(decided[b.RecordID]), strings.Compare(a.RecordID, b.RecordID))
	})
	cands = cands[max(0, len(cands)-len(warningStates)):]
	states := warningStates[len(warningStates)-len(cands):]

	t := &timeline{uscc: "showcases"}
	for i, c := range cands {
		raised := s.office(s.ago(40 - 9*i))
		var id int64
		office := s.handler(workflow.CreditOfficeOrg)
		t.add(raised, office, "raise "+c.Rule, func(ctx context.Context, wf *workflow.Service) error {
			ids, err := wf.DB.Warnings().Raise(ctx, []hubdb.NewWarning{hubdb.NewWarning(c)}, raised)
			if err != nil || len(ids) != 1 {
				return fmt.Errorf("raising %+v: %v %w", c, ids, err)
			}
			id = ids[0]
			return nil
		})
		if states[i] == workflow.WarningOpen {
			continue
		}
		acked := s.later(raised, 0)
		t.add(acked, office, "acknowledge warning", func(ctx context.Context, wf *workflow.Service) error {
			_, err := wf.AcknowledgeWarning(ctx, id, noKey)
			return err
		})
		if states[i] == workflow.WarningAcknowledged {
			continue
		}
		dept := ""
		for _, rec := range records {
			if rec.Common().ID == c.RecordID {
				dept = workflow.Provider(rec)
			}
		}
		assigned := s.later(acked, 1)
		t.add(assigned, office, "assign warning", func(ctx context.Context, wf *workflow.Service) error {
			_, err := wf.AssignWarning(ctx, id, workflow.Assignee{Department: &dept}, noKey)
			return err
		})
		if states[i] == workflow.WarningAssigned {
			continue
		}
		note := synth.Pick(s.r, warningNotes)
		closed := s.later(assigned, 3)
		t.add(closed, s.handler(dept), "close warning", func(ctx context.Context, wf *workflow.Service) error {
			_, err := wf.CloseWarning(ctx, id, note, noKey)
			return err
		})
	}
	return hub.Transact(ctx, func(tx *hubdb.DB) error { return run(ctx, s.flows, tx, []*timeline{t}) })
}
