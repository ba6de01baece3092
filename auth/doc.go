// Package auth decides who may see what.
//
//   - principal.go: the caller (subject, organisation, kind, scopes), carried
//     in the context; no token means the anonymous public.
//   - token.go, keys.go: JWT verification (golang-jwt v5): signature with the
//     algorithm pinned per key, exp/nbf/iss/aud, keys from files or a JWKS URL.
//   - dev.go: the development signing key behind `credithub token`.
//   - policy.go: the openness rules. Every field of the schema is marked with
//     @open (PUBLIC, SHARED or PERSONAL); the field middleware in openness.go
//     is the one place those markings are enforced, whatever path a query
//     takes (aliases, fragments, node, nested connections). Records carry
//     their openness as data (the information catalogue) and the one records
//     pipeline asks RecordView which of them the caller may see.
//   - purpose.go, request.go: a personal-data read needs a declared
//     purpose, and an agency a live written authorisation from the person
//     (AuthorizationStore; hubdb keeps them).
//   - querylog.go: the tamper-evident query log that every answer carrying
//     personal data is preceded by; without a committed row, no personal
//     data. QueryLog batches each instance's rows (group commit), signs the
//     chain head, seals the months that are over, archives a sealed month
//     and verifies the whole log; the rows, their link
//     (hubdb.QueryLogRow.Hash), the batch's transaction, the month
//     partitions and the seals are hubdb's QueryLogStore.
package auth
