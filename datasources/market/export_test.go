package market

// For the tests that compare the registry's scans with sqlx's.
const (
	EntityColumns = entityColumns
	MemberSelect  = memberSelect
)
