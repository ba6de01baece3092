package hotlist

import (
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"credithub/auth"
	"credithub/graph/model"
)

// A page of market entities: the registry's own fields of each entity and
// its legal representative's public ones, which is what lists of entities
// show (a dashboard's list, a search's results, the PostGraphile
// side-by-side). An entity's records, grade, lists or any other field with
// a resolver of its own send the page to gqlgen.

func (p *page) entityConnection(sel ast.SelectionSet, conn *model.MarketEntityConnection) {
	const typeName = "MarketEntityConnection"
	p.entities = make([]*model.MarketEntity, 0, len(conn.Edges))
	for _, e := range conn.Edges {
		if e == nil || e.Node == nil {
			p.decline("a null edge or entity")
			return
		}
		p.entities = append(p.entities, e.Node)
	}
	p.object(typeName, p.fields(sel, typeName), conn, nil, func(f graphql.CollectedField) {
		switch f.Name {
		case "edges":
			p.entityEdges(f.Selections, conn.Edges)
		case "pageInfo":
			p.pageInfo(f.Selections, conn.PageInfo)
		case "totalCount":
			p.buf.WriteString(strconv.Itoa(conn.TotalCount))
		case "totalCountIsExact":
			p.boolean(conn.TotalCountIsExact)
		default:
			p.decline("field " + typeName + "." + f.Name)
		}
	})
}

func (p *page) entityEdges(sel ast.SelectionSet, edges []*model.MarketEntityEdge) {
	const typeName = "MarketEntityEdge"
	fs := p.fields(sel, typeName)
	list(p, edges, func(e *model.MarketEntityEdge) {
		p.object(typeName, fs, e, nil, func(f graphql.CollectedField) {
			switch f.Name {
			case "cursor":
				graphql.MarshalString(e.Cursor).MarshalGQL(&p.buf)
			case "node":
				p.entity(p.nestedFields(f, p.implementors["MarketEntity"]...), e.Node)
			default:
				p.decline("field " + typeName + "." + f.Name)
			}
		})
	})
}

// entity writes the registry's fields of an entity, as gqlgen's generated
// marshaller reads them from model.MarketEntity.
func (p *page) entity(fs []graphql.CollectedField, e *model.MarketEntity) {
	const typeName = "MarketEntity"
	subject := p.subjectOf(e)
	p.object(typeName, fs, e, subject, func(f graphql.CollectedField) {
		switch f.Name {
		case "id":
			graphql.MarshalID(e.ID).MarshalGQL(&p.buf)
		case "uscc":
			graphql.MarshalID(e.Uscc).MarshalGQL(&p.buf)
		case "legacyCode":
			p.boolean(e.LegacyCode)
		case "organizationCode":
			graphql.MarshalString(e.OrganizationCode).MarshalGQL(&p.buf)
		case "registrationNumber":
			p.optString(e.RegistrationNumber)
		case "name":
			p.optString(e.Name)
		case "kind":
			nullable(p, e.Kind)
		case "status":
			nullable(p, e.Status)
		case "division":
			p.division(p.nestedFields(f, "Division"), e.Division, subject)
		case "registeredAt":
			nullable(p, e.RegisteredAt)
		case "registeredCapital":
			nullable(p, e.RegisteredCapital)
		case "address":
			p.optString(e.Address)
		case "industry":
			p.optString(e.Industry)
		case "legalRepresentative":
			p.legalRepresentative(p.nestedFields(f, p.implementors["Person"]...), e)
		default:
			p.decline("field " + typeName + "." + f.Name)
		}
	})
}

func (p *page) division(fs []graphql.CollectedField, d *model.Division, subject func() auth.Subject) {
	if d == nil {
		p.null()
		return
	}
	p.object("Division", fs, d, subject, func(f graphql.CollectedField) {
		switch f.Name {
		case "code":
			graphql.MarshalID(d.Code).MarshalGQL(&p.buf)
		case "name":
			graphql.MarshalString(d.Name).MarshalGQL(&p.buf)
		case "pilot":
			p.boolean(d.Pilot)
		default:
			p.decline("field Division." + f.Name)
		}
	})
}

// legalRepresentative writes the public fields of e's legal
// representative: the page's representatives are read at once, the first
// time one is asked, through the resolvers' own loader.
func (p *page) legalRepresentative(fs []graphql.CollectedField, e *model.MarketEntity) {
	if p.legalReps == nil {
		if p.LegalRepresentatives == nil {
			p.decline("no reader of legal representatives")
			return
		}
		reps, err := p.LegalRepresentatives(p.ctx, p.entities)
		if err != nil || len(reps) != len(p.entities) {
			p.decline("the legal representatives were not read")
			return
		}
		p.legalReps = make(map[*model.MarketEntity]*model.Person, len(reps))
		for i, r := range reps {
			p.legalReps[p.entities[i]] = r
		}
	}
	person := p.legalReps[e]
	if person == nil {
		p.null()
		return
	}
	// Whose data a person's field is: the person's, as the middleware
	// finds it, else the entity's.
	subject := p.subjectOf(person)
	if subject == nil {
		subject = p.subjectOf(e)
	}
	p.object("Person", fs, person, subject, func(f graphql.CollectedField) {
		switch f.Name {
		case "id":
			graphql.MarshalID(person.ID).MarshalGQL(&p.buf)
		case "name":
			graphql.MarshalString(person.Name).MarshalGQL(&p.buf)
		default:
			// idNumber and mobile are personal (masked or logged), roles
			// and records have resolvers: gqlgen's.
			p.decline("field Person." + f.Name)
		}
	})
}

// subjectOf is whose data obj is, as the middleware's Rules.Subjects tells
// it; nil when it cannot tell.
func (p *page) subjectOf(obj any) func() auth.Subject {
	if p.rules.Subjects == nil {
		return nil
	}
	s, ok := p.rules.Subjects(obj)
	if !ok {
		return nil
	}
	return func() auth.Subject { return s }
}
