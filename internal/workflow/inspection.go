package workflow

// Inspection results (T13, 双随机、一公开): the department that drew a
// double-random plan records the result of inspecting each entity the plan
// drew, once. The result becomes a credit record of the entity held by the
// hub (kind INSPECTION, its source the department), with the catalogue's
// openness for inspections on every path to it, written in the same
// transaction; the hub publishes it the day it is recorded.
//
//	record   DRAWN → INSPECTED   the plan's department   inspection:write
//
// A second result for the same entity of the same plan is CONFLICT,
// unless it repeats the first exactly (a retry under a new key), which
// gets the first back. An objection corrects a wrong result, as for any
// record.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// WorkflowInspection names the plans' inspections in workflow_history
// (the object is the plan).
const WorkflowInspection = "inspection"

// The sample's states, as the history names them.
const (
	sampleDrawn     State = "DRAWN"
	sampleInspected State = "INSPECTED"
	actionRecord          = "record"
)

var inspectionMachine = Machine{Name: "inspection", Transitions: []Transition{
	{Action: actionRecord, From: []State{sampleDrawn}, To: sampleInspected, Scope: auth.ScopeInspectionWrite, Owner: planDepartment},
}}

// planDepartment lets only the department that drew the plan record its
// results (not the credit office: the inspectors are the department's).
func planDepartment(p *auth.Principal, owner string) error {
	if p.Kind() != auth.KindDepartment || p.Org() != owner {
		return apperr.New(apperr.Forbidden, "only %s, which drew this plan, records the results of its inspections", owner).With("owner", owner)
	}
	return nil
}

// InspectionResults are the results of a double-random inspection, with
// the market regulator's words for them (国家市场监督管理总局 双随机抽查
// 结果类型).
var InspectionResults = map[string]string{
	"NO_PROBLEM":                "未发现问题",
	"PROBLEM_ORDERED_CORRECTED": "发现问题已责令改正",
	"INFORMATION_NOT_DISCLOSED": "未按规定公示应当公示的信息",
	"ACTIVITY_NOT_FOUND":        "未发现开展本次抽查涉及的经营活动",
	"UNREACHABLE_AT_ADDRESS":    "通过登记的住所（经营场所）无法联系",
}

// The bounds of an inspection result's input.
const (
	maxFindings        = 50
	maxFindingCode     = 50
	maxFindingText     = 500
	typeInspectionPlan = "InspectionPlan"
)

// InspectionInput is a department's result of inspecting one entity a
// plan drew.
type InspectionInput struct {
	PlanID      int64
	USCC        string
	InspectedOn scalars.Date
	Result      string
	Findings    []hubdb.InspectionFindingRow
	DecisionNo  *string
}

// PlanInspection is the recorded result of inspecting one drawn entity:
// which hub record it became, by whom and when. What was found is the
// record's, read through the record (and its openness).
type PlanInspection struct {
	PlanDBID       int64
	USCC           string
	DepartmentCode string
	RecordDBID     int64
	RecordedAt     time.Time
	// Publicity is the catalogue's openness of inspections: an inspection
	// result's existence is as open as the record it became.
	Publicity credit.Publicity
}

// PlanID is the plan's global ID.
func (i *PlanInspection) PlanID() string {
	return gid.Encode(typeInspectionPlan, strconv.FormatInt(i.PlanDBID, 10))
}

// RecordID is the global ID of the hub record the result became.
func (i *PlanInspection) RecordID() string {
	return gid.Record(credit.Ref{Source: hubdb.Source, Kind: credit.KindInspection, LocalID: i.RecordDBID})
}

// Department is the department that inspected.
func (i *PlanInspection) Department() *credit.Department { return department(i.DepartmentCode) }

// DataSubject is the inspected entity.
func (i *PlanInspection) DataSubject() (string, string) { return i.USCC, "" }

// OpennessLevel is the catalogue's openness of inspection records.
func (i *PlanInspection) OpennessLevel() credit.Publicity { return i.Publicity }

// validate checks an inspection's input against today.
func (in *InspectionInput) validate(today scalars.Date) error {
	if _, ok := InspectionResults[in.Result]; !ok {
		names := make([]string, 0, len(InspectionResults))
		for k := range InspectionResults {
			names = append(names, k)
		}
		slices.Sort(names)
		return apperr.BadInput("input.result", "result must be one of %s", strings.Join(names, ", "))
	}
	if in.InspectedOn.After(today) {
		return apperr.BadInput("input.inspectedOn", "inspectedOn %s is in the future; record a result once the inspection was made (today is %s)", in.InspectedOn, today)
	}
	if in.DecisionNo != nil {
		v, err := needText("input.decisionNo", *in.DecisionNo, maxShortText)
		if err != nil {
			return err
		}
		in.DecisionNo = &v
	}
	switch {
	case in.Result == "NO_PROBLEM" && len(in.Findings) > 0:
		return apperr.BadInput("input.findings", "a NO_PROBLEM inspection has no findings; give another result, or leave findings out")
	case in.Result == "PROBLEM_ORDERED_CORRECTED" && len(in.Findings) == 0:
		return apperr.BadInput("input.findings", "a PROBLEM_ORDERED_CORRECTED inspection names at least one finding, with what must be corrected")
	case len(in.Findings) > maxFindings:
		return apperr.BadInput("input.findings", "at most %d findings, got %d", maxFindings, len(in.Findings))
	}
	for i := range in.Findings {
		f := &in.Findings[i]
		field := fmt.Sprintf("input.findings[%d]", i)
		var err error
		if f.Code, err = needText(field+".code", f.Code, maxFindingCode); err != nil {
			return err
		}
		if f.Description, err = needText(field+".description", f.Description, maxFindingText); err != nil {
			return err
		}
		if f.RectifyBy != nil && f.RectifyBy.Before(in.InspectedOn) {
			return apperr.BadInput(field+".rectifyBy", "rectifyBy %s is before the inspection (%s)", f.RectifyBy, in.InspectedOn)
		}
	}
	return nil
}

// same reports whether a stored result says what in says.
func (in *InspectionInput) same(r *hubdb.InspectionResultRow) bool {
	if r.Result != in.Result || scalars.DateOf(r.InspectedOn) != in.InspectedOn ||
		(r.DecisionNo == nil) != (in.DecisionNo == nil) || (r.DecisionNo != nil && *r.DecisionNo != *in.DecisionNo) ||
		len(r.Findings) != len(in.Findings) {
		return false
	}
	for i, f := range r.Findings {
		g := in.Findings[i]
		if f.Code != g.Code || f.Description != g.Description || (f.RectifyBy == nil) != (g.RectifyBy == nil) ||
			(f.RectifyBy != nil && *f.RectifyBy != *g.RectifyBy) {
			return false
		}
	}
	return true
}

// RecordInspection records the result of inspecting one entity a plan
// drew, and the credit record it becomes, in one transaction under the
// idempotency key. publicity is the catalogue's openness of inspections.
func (s *Service) RecordInspection(ctx context.Context, in InspectionInput, publicity credit.Publicity, key hubdb.Key) (*PlanInspection, error) {
	if err := needScope(ctx, &inspectionMachine, actionRecord); err != nil {
		return nil, err
	}
	if p := auth.FromContext(ctx); p.Kind() != auth.KindDepartment {
		return nil, apperr.New(apperr.Forbidden, "inspection results are recorded by the department that drew the plan; this token is of kind %s", p.Kind())
	}
	if err := in.validate(s.Today()); err != nil {
		return nil, err
	}
	return transact(ctx, s, key, "recordInspectionResult", func(tx *hubdb.DB, now time.Time) (*PlanInspection, error) {
		plan, err := tx.Plans().ByID(ctx, in.PlanID)
		if err != nil {
			return nil, err
		}
		if plan == nil {
			return nil, notFound("input.planId", "inspection plan")
		}
		t, err := inspectionMachine.transition(ctx, actionRecord, "", plan.Department)
		if err != nil {
			return nil, err
		}
		drawn, err := tx.InspectionResults().Drawn(ctx, plan.ID, in.USCC)
		if err != nil {
			return nil, err
		}
		if !drawn {
			return nil, apperr.BadInput("input.uscc", "plan %s did not draw %s; results are recorded only for the entities a plan drew (its sample)",
				gid.Encode(typeInspectionPlan, strconv.FormatInt(plan.ID, 10)), in.USCC)
		}
		if planned := scalars.DateOf(plan.CreatedAt); in.InspectedOn.Before(planned) {
			return nil, apperr.BadInput("input.inspectedOn", "inspectedOn %s is before the plan was drawn (%s)", in.InspectedOn, planned)
		}
		done := &PlanInspection{PlanDBID: plan.ID, USCC: in.USCC, DepartmentCode: plan.Department, Publicity: publicity}
		prior, err := tx.InspectionResults().Of(ctx, plan.ID, in.USCC)
		if err != nil {
			return nil, err
		}
		if prior != nil {
			if !in.same(prior) {
				return nil, apperr.New(apperr.Conflict,
					"the result of inspecting %s in this plan was recorded on %s as %s; a plan's result is recorded once (an objection to its record corrects it)",
					in.USCC, scalars.DateOf(prior.RecordedAt), prior.Result).
					With("field", "input.uscc").With("recordId", gid.Record(credit.Ref{Source: hubdb.Source, Kind: credit.KindInspection, LocalID: prior.RecordID}))
			}
			done.RecordDBID, done.RecordedAt = prior.RecordID, prior.RecordedAt
			return done, nil
		}
		today := scalars.DateOf(now)
		text := InspectionResults[in.Result]
		recordID, err := s.addRecord(ctx, tx, hubdb.HubRecordRow{Kind: credit.KindInspection, SubjectUSCC: in.USCC,
			Department: plan.Department, DecisionNo: in.DecisionNo, DecisionDate: in.InspectedOn.Time(),
			Summary: plan.Title + "：" + text, CreatedAt: now,
			Detail: hubdb.Detail{PlanID: done.PlanID(), Result: text, Passed: in.Result == "NO_PROBLEM",
				Findings: in.Findings, PublishedOn: &today}})
		if err != nil {
			return nil, err
		}
		if err := tx.InspectionResults().Add(ctx, hubdb.InspectionResultRow{PlanID: plan.ID, USCC: in.USCC, Department: plan.Department,
			Result: in.Result, Passed: in.Result == "NO_PROBLEM", InspectedOn: in.InspectedOn.Time(), DecisionNo: in.DecisionNo,
			Findings: in.Findings, RecordID: recordID, RecordedBy: actorName(ctx), RecordedAt: now}); err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowInspection, plan.ID, actionRecord, sampleDrawn, t.To, in.USCC+": "+in.Result, now); err != nil {
			return nil, err
		}
		done.RecordDBID, done.RecordedAt = recordID, now.Truncate(time.Microsecond)
		return done, nil
	})
}
