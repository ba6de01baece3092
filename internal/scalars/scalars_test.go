package scalars

import (
	"bytes"
	"errors"
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
