package resolvers

import (
	"context"
	"strconv"
	"strings"
	"time"

	"credithub/auth"
	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/ident"
	"credithub/internal/scalars"
)

const typeAuthorization = "PersonAuthorization"

func authorizationModel(a hubdb.Authorization, today time.Time) *model.PersonAuthorization {
	return &model.PersonAuthorization{
		ID: gid.Encode(typeAuthorization, strconv.FormatInt(a.ID, 10)), Agency: a.Agency, Person: a.PersonMasked,
		Purpose: model.QueryPurpose(a.Purpose), ValidFrom: scalars.DateOf(a.ValidFrom), ValidTo: scalars.DateOf(a.ValidTo),
		DocumentNo: a.DocumentNo, RecordedBy: a.RecordedBy, RecordedAt: a.RecordedAt, RevokedAt: a.RevokedAt,
		Live: a.Live(today),
	}
}

func (r *Resolver) recordAuthorization(ctx context.Context, in model.RecordAuthorizationInput) (*model.PersonAuthorization, error) {
	if err := ident.ValidateResidentID(in.IDNumber); err != nil {
		return nil, identError("input.idNumber", err)
	}
	agency := strings.TrimSpace(in.Agency)
	if agency == "" || len(agency) > 64 {
		return nil, apperr.BadInput("input.agency", "agency must be the agency's id as its tokens carry it (1 to 64 characters)")
	}
	if in.ValidTo.Before(in.ValidFrom) {
		return nil, apperr.BadInput("input.validTo", "validTo (%s) is before validFrom (%s)", in.ValidTo, in.ValidFrom)
	}
	if in.ValidTo.After(scalars.DateOf(in.ValidFrom.Time().AddDate(1, 0, 0))) {
		return nil, apperr.BadInput("input.validTo", "an authorisation lasts at most one year")
	}
	doc := strings.TrimSpace(in.DocumentNo)
	if doc == "" || len([]rune(doc)) > 64 {
		return nil, apperr.BadInput("input.documentNo", "documentNo must name the signed authorisation (1 to 64 characters)")
	}
	p := auth.FromContext(ctx)
	a, err := hubdb.Idempotent(ctx, hubdb.New(r.HubDB), p.Key(), keyOf(ctx, in.IdempotencyKey), "recordAuthorization",
		func(tx *hubdb.DB) (hubdb.Authorization, error) {
			return tx.Authorizations().Record(ctx, hubdb.Authorization{
				Agency: agency, PersonRef: r.Sealer.Ref(in.IDNumber), PersonMasked: ident.MaskResidentID(in.IDNumber),
				Purpose: string(in.Purpose), ValidFrom: in.ValidFrom.Time(), ValidTo: in.ValidTo.Time(), DocumentNo: doc,
				RecordedBy: p.Subject(), RecordedOrg: p.Org(),
			})
		})
	if err != nil {
		return nil, err
	}
	return authorizationModel(a, r.now()), nil
}

func (r *Resolver) revokeAuthorization(ctx context.Context, id, key string) (*model.PersonAuthorization, error) {
	typ, payload, err := gid.Decode(id)
	n, perr := strconv.ParseInt(payload, 10, 64)
	if err != nil || typ != typeAuthorization || perr != nil {
		return nil, apperr.BadInput("id", "id is not an authorisation's ID")
	}
	p := auth.FromContext(ctx)
	a, err := hubdb.Idempotent(ctx, hubdb.New(r.HubDB), p.Key(), keyOf(ctx, key), "revokeAuthorization",
		func(tx *hubdb.DB) (hubdb.Authorization, error) {
			return tx.Authorizations().Revoke(ctx, n, p.Subject(), p.Org())
		})
	if err != nil {
		return nil, err
	}
	return authorizationModel(a, r.now()), nil
}

func (r *Resolver) authorizationsOf(ctx context.Context, idNo string) ([]*model.PersonAuthorization, error) {
	if err := ident.ValidateResidentID(idNo); err != nil {
		return nil, identError("idNumber", err)
	}
	rows, err := hubdb.New(r.HubDB).Authorizations().Of(ctx, r.Sealer.Ref(idNo))
	if err != nil {
		return nil, err
	}
	out := make([]*model.PersonAuthorization, len(rows))
	for i, a := range rows {
		out[i] = authorizationModel(a, r.now())
	}
	return out, nil
}

const cursorLog = "QueryLogCursor"

func (r *Resolver) queryLog(ctx context.Context, filter *model.QueryLogFilter, first *int, after *string) (*model.QueryLogConnection, error) {
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	var before int64
	if after != nil {
		typ, payload, err := gid.Decode(*after)
		if before, _ = strconv.ParseInt(payload, 10, 64); err != nil || typ != cursorLog || before <= 0 {
			return nil, apperr.BadInput("after", "after must be a cursor returned by this connection")
		}
	}
	var f hubdb.QueryLogFilter
	if filter != nil {
		if filter.IDNumber != nil {
			if err := ident.ValidateResidentID(*filter.IDNumber); err != nil {
				return nil, identError("filter.idNumber", err)
			}
			f.PersonRef = r.Sealer.Ref(*filter.IDNumber)
		}
		if filter.Uscc != nil {
			f.USCC = *filter.Uscc
		}
		if filter.Org != nil {
			f.Org = *filter.Org
		}
		if filter.From != nil {
			f.From = *filter.From
		}
		if filter.To != nil {
			f.To = *filter.To
		}
	}
	rows, err := hubdb.New(r.HubDB).QueryLog().List(ctx, f, before, n+1)
	if err != nil {
		return nil, err
	}
	conn := &model.QueryLogConnection{PageInfo: &model.PageInfo{HasPreviousPage: after != nil}, Edges: []*model.QueryLogEdge{}}
	if len(rows) > n {
		rows, conn.PageInfo.HasNextPage = rows[:n], true
	}
	for _, e := range rows {
		c := gid.Encode(cursorLog, strconv.FormatInt(e.ID, 10))
		conn.Edges = append(conn.Edges, &model.QueryLogEdge{Cursor: c, Node: &model.QueryLogEntry{
			Sequence: int(e.ID), LoggedAt: e.LoggedAt, RequestID: e.RequestID, Subject: e.Subject, Org: e.Org,
			Kind: e.Kind, Purpose: e.Purpose, Operation: e.Operation, QueryHash: e.QueryHash,
			Persons: e.PersonsMasked, Entities: e.Entities, Fields: e.Fields, RowHash: e.RowHash,
		}})
	}
	if k := len(conn.Edges); k > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[k-1].Cursor
	}
	return conn, nil
}
