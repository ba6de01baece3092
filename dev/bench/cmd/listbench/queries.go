package main

import (
	"encoding/json"
	"fmt"
	"strconv"

	"credithub/internal/gid"
)

// A list is one of the two pages compared, as each system is asked for it,
// and how to read the page's identifiers from each answer.
type list struct {
	name        string
	hub, pgl    string // the GraphQL documents
	hubIDs      func(data json.RawMessage) ([]string, error)
	pglIDs      func(data json.RawMessage) ([]string, error)
	description string
}

// The same fields on both sides, over the same rows of the market
// department's database: the hub's names on the left, PostGraphile's (its
// columns) on the right.
var lists = []list{
	{
		name:        "entities",
		description: "the first 100 market entities by unified code: uscc, name, registration date, status, industry, legal representative's name",
		hub: `query ListbenchEntities {
  entities(first: 100) {
    edges { node { uscc name registeredAt status industry legalRepresentative { name } } }
    pageInfo { hasNextPage endCursor }
  }
}`,
		pgl: `query ListbenchEntities {
  allRegistryEntities(first: 100, orderBy: USCC_ASC) {
    edges { node { uscc name establishedOn status industry legalRepName } }
    pageInfo { hasNextPage endCursor }
  }
}`,
		hubIDs: func(data json.RawMessage) ([]string, error) {
			var d struct {
				Entities struct {
					Edges []struct{ Node struct{ USCC string } }
				}
			}
			if err := json.Unmarshal(data, &d); err != nil {
				return nil, err
			}
			var ids []string
			for _, e := range d.Entities.Edges {
				ids = append(ids, e.Node.USCC)
			}
			return ids, nil
		},
		pglIDs: func(data json.RawMessage) ([]string, error) {
			var d struct {
				AllRegistryEntities struct {
					Edges []struct{ Node struct{ USCC string } }
				}
			}
			if err := json.Unmarshal(data, &d); err != nil {
				return nil, err
			}
			var ids []string
			for _, e := range d.AllRegistryEntities.Edges {
				ids = append(ids, e.Node.USCC)
			}
			return ids, nil
		},
	},
	{
		name:        "records",
		description: "the newest 100 market penalties (decision date, then id): id, decision number, decision date, summary (PostGraphile: the violation), authority",
		hub: `query ListbenchRecords {
  records(filter: {sources: ["market"], kinds: [PENALTY]}, first: 100) {
    edges { node { id decisionNo decisionDate summary authority } }
    pageInfo { hasNextPage endCursor }
  }
}`,
		pgl: `query ListbenchRecords {
  allAdminPenalties(first: 100, orderBy: [DECISION_DATE_DESC, ROW_ID_DESC]) {
    edges { node { rowId decisionNo decisionDate violation authority } }
    pageInfo { hasNextPage endCursor }
  }
}`,
		hubIDs: func(data json.RawMessage) ([]string, error) {
			var d struct {
				Records struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			if err := json.Unmarshal(data, &d); err != nil {
				return nil, err
			}
			var ids []string
			for _, e := range d.Records.Edges {
				typ, payload, err := gid.Decode(e.Node.ID)
				if err != nil || typ != gid.TypeRecord {
					return nil, fmt.Errorf("record id %q is not a record's", e.Node.ID)
				}
				ref, err := gid.ParseRecord(payload)
				if err != nil {
					return nil, fmt.Errorf("record id %q: %w", e.Node.ID, err)
				}
				// The table's own id, as PostGraphile gives it; the source
				// and kind are checked too.
				ids = append(ids, ref.Source+"/"+string(ref.Kind)+"/"+strconv.FormatInt(ref.LocalID, 10))
			}
			return ids, nil
		},
		pglIDs: func(data json.RawMessage) ([]string, error) {
			var d struct {
				AllAdminPenalties struct {
					Edges []struct {
						Node struct {
							RowID json.Number `json:"rowId"`
						}
					}
				}
			}
			if err := json.Unmarshal(data, &d); err != nil {
				return nil, err
			}
			var ids []string
			for _, e := range d.AllAdminPenalties.Edges {
				ids = append(ids, "market/PENALTY/"+e.Node.RowID.String())
			}
			return ids, nil
		},
	},
}
