package resolvers

// Resolvers of credit reports and warnings (supervision/creditreport.go,
// warnings.go). What a report holds is the caller's to see
// (supervision.Reports.CreditReport); the resolver logs the personal data
// it carries.

import (
	"context"
	"encoding/base64"
	"slices"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"credithub/auth"
	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/gid"
	"credithub/internal/loaders"
	"credithub/internal/supervision"
)

func (r *Resolver) queryCreditReport(ctx context.Context, uscc string, purpose model.ReportPurpose) (*model.CreditReport, error) {
	if err := checkUSCC(ctx, "uscc", uscc); err != nil {
		return nil, err
	}
	issued, disclosed, err := r.Reports.CreditReport(ctx, uscc, string(purpose), func(err error) { graphql.AddError(ctx, err) })
	if err != nil {
		return nil, err
	}
	// The report carries personal data: the query log row is written
	// before the answer leaves, or the report is withheld.
	if len(disclosed) > 0 {
		path := graphql.GetFieldContext(ctx).Path()
		for _, s := range disclosed {
			auth.RequestFrom(ctx).Disclose(s, "CreditReport.content.responsiblePersons.idNumber", path)
		}
	}
	return &model.CreditReport{
		Number: issued.Number, Uscc: issued.USCC, Purpose: purpose, IssuedAt: issued.IssuedAt, IssuedTo: issued.IssuedTo,
		Content: issued.Content, ContentSha256: issued.ContentSHA256, Signature: issued.Signature, KeyID: issued.KeyID,
		PublicKey: base64.StdEncoding.EncodeToString(r.Reports.Signer.Public()),
	}, nil
}

func (r *Resolver) queryVerifyCreditReport(ctx context.Context, input model.VerifyReportInput) (*model.ReportVerification, error) {
	if len(input.Number) > 64 || len(input.Signature) > 256 {
		reason := "unknown number or signature invalid: the number or signature is far longer than any the hub issues"
		return &model.ReportVerification{Reason: &reason}, nil
	}
	v, err := r.Reports.Check(ctx, supervision.Presented{
		Number: input.Number, IssuedAt: input.IssuedAt, Content: input.Content, Signature: input.Signature,
	})
	if err != nil {
		return nil, err
	}
	out := &model.ReportVerification{Genuine: v.Genuine, IssuedByHub: v.IssuedByHub}
	if v.Reason != "" {
		out.Reason = &v.Reason
	}
	return out, nil
}

// Warnings.

// The global ID type of a warning and of the warnings' cursors.
const (
	typeWarning   = "Warning"
	cursorWarning = "WarningCursor"
)

func warningModel(w *supervision.Warning) *model.Warning {
	m := &model.Warning{
		ID: gid.Encode(typeWarning, strconv.FormatInt(w.ID, 10)), Rule: warningRuleModel(w.Rule), Uscc: w.USCC,
		Level: model.WarningLevel(w.Level), Message: w.Message, RaisedAt: w.RaisedAt,
	}
	if w.RecordID != "" {
		id := w.RecordID
		m.RecordID = &id
	}
	return m
}

func warningRuleModel(r supervision.Rule) *model.WarningRule {
	return &model.WarningRule{
		Code: r.Code, Description: r.Description, Kind: r.Kind, Threshold: r.Threshold,
		Level: model.WarningLevel(r.Level), Active: r.Active, Source: r.Source,
	}
}

// warningFilter validates a WarningFilter.
func (r *Resolver) warningFilter(ctx context.Context, filter *model.WarningFilter) (supervision.Filter, error) {
	var f supervision.Filter
	if filter == nil {
		return f, nil
	}
	if filter.Uscc != nil {
		if err := checkUSCC(ctx, "filter.uscc", *filter.Uscc); err != nil {
			return f, err
		}
		f.USCC = *filter.Uscc
	}
	if filter.Level != nil {
		f.Level = string(*filter.Level)
	}
	if filter.Rule != nil {
		rules, err := r.Supervision.WarningRules(ctx)
		if err != nil {
			return f, err
		}
		var codes []string
		for _, ru := range rules {
			codes = append(codes, ru.Code)
		}
		if !slices.Contains(codes, *filter.Rule) {
			return f, apperr.BadInput("filter.rule", "unknown warning rule %q; the rules are %v (warningRules lists them)", truncate(*filter.Rule), codes)
		}
		f.Rule = *filter.Rule
	}
	if filter.Since != nil {
		f.Since = *filter.Since
	}
	return f, nil
}

func (r *Resolver) queryWarnings(ctx context.Context, filter *model.WarningFilter, first *int, after *string) (*model.WarningConnection, error) {
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	f, err := r.warningFilter(ctx, filter)
	if err != nil {
		return nil, err
	}
	var before int64
	if after != nil {
		typ, payload, err := gid.Decode(*after)
		if err == nil && typ == cursorWarning {
			before, err = strconv.ParseInt(payload, 10, 64)
		}
		if err != nil || typ != cursorWarning || before <= 0 {
			return nil, apperr.BadInput("after", "after must be a cursor returned by this connection")
		}
	}
	ws, err := r.Supervision.ListWarnings(ctx, f, before, n+1)
	if err != nil {
		return nil, err
	}
	conn := &model.WarningConnection{
		Edges:    make([]*model.WarningEdge, 0, len(ws)),
		PageInfo: &model.PageInfo{HasPreviousPage: after != nil},
	}
	if len(ws) > n {
		ws, conn.PageInfo.HasNextPage = ws[:n], true
	}
	for _, w := range ws {
		conn.Edges = append(conn.Edges, &model.WarningEdge{Cursor: gid.Encode(cursorWarning, strconv.FormatInt(w.ID, 10)), Node: warningModel(w)})
	}
	if k := len(conn.Edges); k > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[k-1].Cursor
	}
	return conn, nil
}

func (r *Resolver) marketEntityWarnings(ctx context.Context, obj *model.MarketEntity, first *int) ([]*model.Warning, error) {
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	ws, err := r.Supervision.ListWarnings(ctx, supervision.Filter{USCC: obj.Uscc}, 0, n)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Warning, len(ws))
	for i, w := range ws {
		out[i] = warningModel(w)
	}
	return out, nil
}

func (r *Resolver) queryWarningRules(ctx context.Context) ([]*model.WarningRule, error) {
	rules, err := r.Supervision.WarningRules(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*model.WarningRule, len(rules))
	for i, ru := range rules {
		out[i] = warningRuleModel(ru)
	}
	return out, nil
}

// subscriptionWarnings follows new warnings through this instance's one
// listener (supervision.Broker): the subscription ends when the client goes
// away (ctx), and the broker then forgets it.
func (r *Resolver) subscriptionWarnings(ctx context.Context, filter *model.WarningFilter) (<-chan *model.Warning, error) {
	f, err := r.warningFilter(ctx, filter)
	if err != nil {
		return nil, err
	}
	in := r.Warnings.Subscribe(ctx, f)
	out := make(chan *model.Warning, 1)
	go func() {
		defer close(out)
		for w := range in {
			select {
			case out <- warningModel(w):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

func (r *Resolver) warningEntity(ctx context.Context, obj *model.Warning) (*model.MarketEntity, error) {
	e, err := loaders.For(ctx).Entity.Load(ctx, obj.Uscc)()
	if err != nil || e == nil {
		return nil, err
	}
	return entityModel(e), nil
}
