package scalars

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"2024-02-08", "2024-02-08", false},
		{"2024-02-29", "2024-02-29", false},
		{"2023-02-29", "", true},
		{"2024-13-01", "", true},
		{"2024/02/08", "", true},
		{"", "", true},
		{"2024-02-08T00:00:00Z", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDate(tc.in)
			if tc.wantErr {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("ParseDate(%q) error = %v, want ErrInvalid", tc.in, err)
				}
				return
			}
			if err != nil || got.String() != tc.want {
				t.Fatalf("ParseDate(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestDateOfUsesChinaStandardTime(t *testing.T) {
	t.Parallel()
	// 2024-02-08 17:30 UTC is already 9 February in Heihe.
	got := DateOf(time.Date(2024, 2, 8, 17, 30, 0, 0, time.UTC))
	if got.String() != "2024-02-09" {
		t.Fatalf("DateOf = %s, want 2024-02-09", got)
	}
}

func TestWanToYuanIsExact(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"0.35":     "3500.00",
		"12.3456":  "123456.00",
		"0.000001": "0.01", // rounded half away from zero to fen
		"100":      "1000000.00",
	}
	for in, want := range tests {
		got, err := WanToYuan(in)
		if err != nil || string(got) != want {
			t.Errorf("WanToYuan(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := WanToYuan("abc"); !errors.Is(err, ErrInvalid) {
		t.Errorf("WanToYuan(abc) error = %v, want ErrInvalid", err)
	}
}

// The digits' fast path of WanToYuan answers what big.Rat answers, for
// every shape of amount a department stores (leading zeros, no point, a
// bare point, up to six decimals) and declines the rest.
func TestWanToYuanDigitsIsBigRats(t *testing.T) {
	t.Parallel()
	viaRat := func(s string) string {
		r, _ := new(big.Rat).SetString(s)
		return r.Mul(r, big.NewRat(10000, 1)).FloatString(2)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	inputs := []string{"0", "00", "0.0", "5.", "0.000001", "000123.450000", "99999999999999999999.999999"}
	for range 20000 {
		s := strconv.FormatUint(rng.Uint64N(1_000_000_000), 10)
		if rng.IntN(4) == 0 {
			s = "00" + s
		}
		if n := rng.IntN(8); n > 0 {
			s += "." + fmt.Sprintf("%0*d", n-1, rng.Uint64N(10_000_000))[:n-1]
		}
		inputs = append(inputs, s)
	}
	for _, in := range inputs {
		got, ok := wanToYuanDigits(in)
		if want := viaRat(in); ok && string(got) != want {
			t.Fatalf("wanToYuanDigits(%q) = %q, big.Rat %q", in, got, want)
		}
		if _, dot, _ := strings.Cut(in, "."); !ok && len(dot) <= 6 {
			t.Fatalf("wanToYuanDigits(%q) declined a plain amount", in)
		}
	}
	for _, in := range []string{"-1", " 1", "1e3", ".5", "1.2345678", "１"} {
		if _, ok := wanToYuanDigits(in); ok {
			t.Errorf("wanToYuanDigits(%q) took what is big.Rat's", in)
		}
	}
}

func TestDecimalMarshalsAsString(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	Decimal("3500.00").MarshalGQL(&buf)
	if buf.String() != `"3500.00"` {
		t.Fatalf("MarshalGQL = %s", buf.String())
	}
	var d Decimal
	if err := d.UnmarshalGQL("1e3"); err != nil || d != "1000.00" {
		t.Fatalf("UnmarshalGQL(1e3) = %q, %v", d, err)
	}
	if err := d.UnmarshalGQL(true); !errors.Is(err, ErrInvalid) {
		t.Fatalf("UnmarshalGQL(true) error = %v", err)
	}
}
