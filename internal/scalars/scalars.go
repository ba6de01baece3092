// Package scalars holds the graph's custom scalars: Date, a civil date in
// China Standard Time, and Decimal, an exact amount written as a string.
//
// Dates are civil dates because that is what a decision document carries: a
// penalty decided on 2024-02-08 was decided on that day in Heihe, whatever the
// server's time zone.
package scalars

import (
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// CST is China Standard Time (UTC+8, no daylight saving). A fixed zone keeps
// the hub independent of the tz database being installed.
var CST = time.FixedZone("CST", 8*3600)

// ErrInvalid marks an unparseable scalar input; the error presenter maps it to
// BAD_USER_INPUT.
var ErrInvalid = errors.New("invalid scalar value")

// Date is a calendar date at midnight CST.
type Date struct{ t time.Time }

// DateOf returns the CST calendar date of t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(CST).Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, CST)}
}

// NewDate returns the date y-m-d.
func NewDate(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, CST)}
}

// ParseDate parses YYYY-MM-DD and refuses dates that do not exist.
func ParseDate(s string) (Date, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, CST)
	if err != nil {
		return Date{}, fmt.Errorf("%w: date must be written YYYY-MM-DD and exist in the calendar", ErrInvalid)
	}
	return Date{t}, nil
}

// Time returns midnight CST of the date.
func (d Date) Time() time.Time { return d.t }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.t.IsZero() }

// String formats d as YYYY-MM-DD.
func (d Date) String() string { return d.t.Format(time.DateOnly) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// Equal reports whether d and e are the same day.
func (d Date) Equal(e Date) bool { return d.t.Equal(e.t) }

// MarshalGQL writes the date as a JSON string.
func (d Date) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(d.String()))
}

// UnmarshalGQL reads a YYYY-MM-DD string.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%w: date must be a string YYYY-MM-DD, got %T", ErrInvalid, v)
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// UnmarshalJSON reads a YYYY-MM-DD string (or null), the way PostgreSQL's
// to_jsonb writes a date column.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("%w: date must be a JSON string", ErrInvalid)
	}
	if len(s) > len(time.DateOnly) { // a timestamp: keep its CST date
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("%w: %q is neither a date nor a timestamp", ErrInvalid, s)
		}
		*d = DateOf(t)
		return nil
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// MarshalJSON writes the date as YYYY-MM-DD.
func (d Date) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(d.String())), nil }

// Decimal is an exact decimal amount kept as its canonical string. It is
// built from database NUMERIC text or from yuan/万元 conversions, never from
// float arithmetic.
type Decimal string

// DecimalFromString validates s as a decimal number and canonicalises it to
// two fractional digits, the way amounts in yuan are written.
func DecimalFromString(s string) (Decimal, error) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok {
		return "", fmt.Errorf("%w: decimal must be a number such as \"12500.00\"", ErrInvalid)
	}
	return Decimal(r.FloatString(2)), nil
}

// WanToYuan converts an amount in 万元 (ten thousand yuan), as some
// departments store it, into yuan exactly.
func WanToYuan(wan string) (Decimal, error) {
	if d, ok := wanToYuanDigits(wan); ok {
		return d, nil
	}
	r, ok := new(big.Rat).SetString(strings.TrimSpace(wan))
	if !ok {
		return "", fmt.Errorf("%w: amount %q is not a number", ErrInvalid, wan)
	}
	r.Mul(r, big.NewRat(10000, 1))
	return Decimal(r.FloatString(2)), nil
}

// wanToYuanDigits is WanToYuan for the amounts departments store, plain
// digits with at most six after the point: the point moves four places,
// exactly, with no rounding to do. Why not big.Rat for these too: the
// registry's capital of every entity on a page goes through here, and
// big.Rat was 7% of the hub's CPU on a page of 100 entities (issue #16).
// Anything else (a sign, spaces, more digits) is big.Rat's.
func wanToYuanDigits(s string) (Decimal, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 6 || !digitsOnly(whole) || !digitsOnly(frac) {
		return "", false
	}
	frac += "000000"[len(frac):]
	whole = strings.TrimLeft(whole+frac[:4], "0")
	if whole == "" {
		whole = "0"
	}
	return Decimal(whole + "." + frac[4:]), true
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Rat returns the amount as an exact rational, for comparisons.
func (d Decimal) Rat() *big.Rat {
	r, ok := new(big.Rat).SetString(string(d))
	if !ok {
		return new(big.Rat)
	}
	return r
}

// MarshalGQL writes the amount as a JSON string, so that no client parses it
// into a float.
func (d Decimal) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(d)))
}

// UnmarshalJSON reads a JSON number or string, as to_jsonb writes NUMERIC.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s := string(b)
	if u, err := strconv.Unquote(s); err == nil {
		s = u
	}
	p, err := DecimalFromString(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// UnmarshalGQL accepts a string or a JSON number.
func (d *Decimal) UnmarshalGQL(v any) error {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case interface{ String() string }: // json.Number
		s = x.String()
	case int, int64:
		s = fmt.Sprint(x)
	default:
		return fmt.Errorf("%w: decimal must be a string such as \"12500.00\", got %T", ErrInvalid, v)
	}
	p, err := DecimalFromString(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}
