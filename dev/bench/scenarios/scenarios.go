// Package scenarios holds the GraphQL documents of the benchmark's
// scenarios (bench/README.md), as the issues word them, so that the
// benchmark tool and the tests (the query limits must let them through)
// share one text.
package scenarios

const (
	// S1 is one entity's full profile (issue #2).
	S1 = `query S1($uscc: ID!) { entity(uscc: $uscc) {
  uscc name kind status legacyCode organizationCode registrationNumber
  division { code name } registeredAt registeredCapital address industry
  legalRepresentative { id name }
  responsiblePersons { role person { id name } }
  records(first: 100) {
    complete missingSources { code }
    edges { cursor node {
      __typename id kind source { code } decisionNo decisionDate summary publicity status severity authority legacyKey
      disclosure { dueDate publishedDate onTime overdue workingDaysLate }
      ... on AdministrativePenalty { violation fineAmount }
      ... on InspectionResult { result findings { code description } }
      ... on DishonestJudgmentDebtor { court performance }
    } }
    pageInfo { hasNextPage }
  }
  sources { department { code } ok recordCount }
} }`

	// S2 is a page of 100 entities with their newest 5 records (issue #2).
	S2 = `query S2($after: String) { entities(first: 100, after: $after) {
  edges { node { uscc name records(first: 5) { edges { node { __typename id kind source { code } decisionDate summary } } } } }
  pageInfo { endCursor hasNextPage }
} }`

	// S1Access is S1 for comparing callers (issue #3): the same profile
	// with the persons' ID numbers (personal: masked with FORBIDDEN for the
	// public, logged for person:read) and without the record counts that
	// need record:read.
	S1Access = `query S1Access($uscc: ID!) { entity(uscc: $uscc) {
  uscc name kind status legacyCode organizationCode registrationNumber
  division { code name } registeredAt registeredCapital address industry
  legalRepresentative { id name idNumber }
  responsiblePersons { role person { id name idNumber } }
  records(first: 100) {
    complete missingSources { code }
    edges { cursor node {
      __typename id kind source { code } decisionNo decisionDate summary publicity status severity authority legacyKey
      disclosure { dueDate publishedDate onTime overdue workingDaysLate }
      ... on AdministrativePenalty { violation fineAmount }
      ... on InspectionResult { result findings { code description } }
      ... on DishonestJudgmentDebtor { court performance }
    } }
    pageInfo { hasNextPage }
  }
  sources { department { code } ok }
} }`

	// C50 is the batch credit check of issue #5: 50 bidders of a
	// tender, every measure with its triggers.
	C50 = `query C50($usccs: [ID!]!) { creditChecks(usccs: $usccs, scenario: BIDDING) {
  id uscc complete missingSources { code }
  measures { measure { code kind } triggers { recordId kind summary severity listType } }
  checkedAt
} }`

	// D1 is the dashboard's overview (issue #13): the whole first screen,
	// every figure of cityStats for the last twelve months, in one request.
	D1 = `query D1 { cityStats {
  from to complete missingSources { code name }
  records { month department { code } division { code } kind count }
  listingFlows { month listType domain entered removed }
  listedNow { listType domain division { code } entities }
  commitments { month department { code } signed kept breached foundFalse }
  objections { byState { state count } medianWorkingDays p90WorkingDays overdueNow dueSoon }
  repairs { byState { state count } medianWorkingDays p90WorkingDays overdueNow dueSoon }
  disclosure { department { code } kind division { code } decisions publishedOnTime publishedLate overdue pending }
  dishonestShare { division { code } entities dishonest share }
  grades { month division { code } grade count }
  checks { month department { code } checks measuresApplied measuresNotApplied }
  openWarnings { rule { code } division { code } open }
} }`

	// Cursors walks the entities' pages for S2's cursors.
	Cursors = `query Pages($after: String) { entities(first: 100, after: $after) { pageInfo { endCursor hasNextPage } } }`
)
