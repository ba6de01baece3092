package resolvers

// The public's search of the court's lists (courtListSearch): its
// arguments' checks and the mapping of an entry.

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"credithub/datasources/court"
	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/ident"
	"credithub/internal/scalars"
)

// maskedIDShape is a resident ID number in the published mask: the first
// 6 and last 4 characters, 8 asterisks between.
var maskedIDShape = regexp.MustCompile(`^[0-9]{6}\*{8}[0-9]{3}[0-9X]$`)

// usccShape is a unified social credit code's alphabet and length.
var usccShape = regexp.MustCompile(`^[0-9A-HJ-NPQRTUWXY]{18}$`)

// fullIDShape is anything that could be a whole ID number: the public
// search never takes one, in whichever argument it arrives.
var fullIDShape = regexp.MustCompile(`[0-9]{15}|[0-9]{17}[0-9Xx]`)

// courtListQuery checks a public search's arguments: at least one key, a
// name of two characters or more, a valid code, a masked ID number and
// never a full one.
func courtListQuery(list model.CourtList, name, uscc, masked *string) (court.ListSearch, error) {
	q := court.ListSearch{Kind: credit.KindDishonestDebtor}
	if list == model.CourtListFalseLitigation {
		q.Kind = credit.KindFalseLitigation
	}
	if name != nil {
		q.Name = strings.TrimSpace(*name)
		switch n := utf8.RuneCountInString(q.Name); {
		case fullIDShape.MatchString(q.Name):
			return q, apperr.BadInput("name", "the public search never takes an ID number; search by name, or by the masked ID number (maskedIdNumber, e.g. 231102********002X)").With("rule", "full_id_number_refused")
		case n < 2 || n > 60:
			return q, apperr.BadInput("name", "name must be 2 to 60 characters, got %d", n)
		}
	}
	if uscc != nil {
		// The shape only: the court publishes the codes it holds, and
		// old pilot codes among them fail the checksum (datasources/court).
		q.USCC = ident.NormalizeUSCC(*uscc)
		if !usccShape.MatchString(q.USCC) {
			return q, apperr.BadInput("uscc", "uscc must be 18 characters of the unified social credit code's alphabet (digits and capital letters but I, O, S, V, Z)")
		}
	}
	if masked != nil {
		m := strings.ToUpper(strings.TrimSpace(*masked))
		switch {
		case fullIDShape.MatchString(m):
			return q, apperr.BadInput("maskedIdNumber", "a full ID number is never searched: give it masked, the first 6 and last 4 characters with 8 asterisks between (231102********002X)").With("rule", "full_id_number_refused")
		case !maskedIDShape.MatchString(m):
			return q, apperr.BadInput("maskedIdNumber", "maskedIdNumber must be the first 6 and last 4 characters of an ID number with 8 asterisks between (231102********002X)")
		}
		q.MaskedIDNumber = m
	}
	if q.Name == "" && q.USCC == "" && q.MaskedIDNumber == "" {
		return q, apperr.BadInput("name", "search by name, uscc or maskedIdNumber: at least one is needed")
	}
	return q, nil
}

func courtListEntryModel(list model.CourtList, e court.ListEntry) *model.CourtListEntry {
	out := &model.CourtListEntry{
		List: list, CaseNo: e.CaseNo, Court: e.CourtName, PartyName: e.PartyName,
		DecidedOn: scalars.DateOf(e.DecidedOn), PublishedOn: scalars.DateOf(e.PublishedOn), Obligation: e.Obligation, Performance: e.Performance,
		Behaviour: e.Behaviour, Description: e.Description, PartyKind: model.PartyKindPerson,
	}
	if u := e.USCC(); u != "" {
		out.PartyKind, out.Uscc, out.LegalRepresentative = model.PartyKindOrganisation, &u, e.LegalRepName
	}
	if m := e.MaskedIDNumber(); m != "" {
		out.MaskedIDNumber = &m
	}
	return out
}
