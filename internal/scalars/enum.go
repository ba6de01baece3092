package scalars

import (
	"fmt"
	"io"
	"slices"
	"strconv"
)

// MarshalEnum writes an enum value as GraphQL does: a JSON string. The Go
// types bound to the schema's enums (record kinds, workflow states…) call
// it from their MarshalGQL.
func MarshalEnum(w io.Writer, s string) { _, _ = io.WriteString(w, strconv.Quote(s)) }

// UnmarshalEnum reads an enum value named name into dst, refusing anything
// but one of valid with ErrInvalid (BAD_USER_INPUT to the client).
func UnmarshalEnum[T ~string](v any, name string, valid []T, dst *T) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%w: %s must be a string", ErrInvalid, name)
	}
	if !slices.Contains(valid, T(s)) {
		return fmt.Errorf("%w: %q is not a valid %s", ErrInvalid, s, name)
	}
	*dst = T(s)
	return nil
}
