package gid

import (
	"errors"
	"strings"
	"testing"

	"credithub/internal/credit"
)

func TestRecordRoundTrip(t *testing.T) {
	t.Parallel()
	ref := credit.Ref{Source: "environment", Kind: credit.KindPenalty, LocalID: 42}
	typ, payload, err := Decode(Record(ref))
	if err != nil || typ != TypeRecord {
		t.Fatalf("Decode = %q, %v", typ, err)
	}
	got, err := ParseRecord(payload)
	if err != nil || got != ref {
		t.Fatalf("ParseRecord = %+v, %v; want %+v", got, err, ref)
	}
}

func TestDecodeRefusesForeignIDs(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"", "!!!", enc.EncodeToString([]byte("nocolon")), enc.EncodeToString([]byte("Type:"))} {
		if _, _, err := Decode(id); !errors.Is(err, ErrMalformed) {
			t.Errorf("Decode(%q) error = %v, want ErrMalformed", id, err)
		}
	}
	for _, p := range []string{"market:PENALTY", "market:PENALTY:x", "market:PENALTY:-1"} {
		if _, err := ParseRecord(p); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseRecord(%q) error = %v, want ErrMalformed", p, err)
		}
	}
}

// SECURITY: a person's ID must not reveal the ID number, must be stable, and
// must not be forgeable or alterable without the key.
func TestPersonIDsAreOpaqueStableAndSealed(t *testing.T) {
	t.Parallel()
	s, err := NewSealer([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	const idNo = "11010519491231002X"
	id := s.Person(idNo)
	if id != s.Person(idNo) {
		t.Fatal("person ID is not stable")
	}
	typ, payload, err := Decode(id)
	if err != nil || typ != TypePerson {
		t.Fatalf("Decode = %q, %v", typ, err)
	}
	if strings.Contains(payload, "1101") || strings.Contains(id, "002X") {
		t.Fatalf("person ID %q leaks the ID number", id)
	}
	if got, err := s.OpenPerson(payload); err != nil || got != idNo {
		t.Fatalf("OpenPerson = %q, %v", got, err)
	}
	// Flip one character of the sealed payload.
	b := []byte(payload)
	b[len(b)-3] ^= 1
	if _, err := s.OpenPerson(string(b)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("tampered payload opened: %v", err)
	}
	other, _ := NewSealer([]byte(strings.Repeat("x", 32)))
	if _, err := other.OpenPerson(payload); !errors.Is(err, ErrMalformed) {
		t.Fatal("a payload opened with another key")
	}
	if _, err := NewSealer([]byte("short")); err == nil {
		t.Fatal("short key accepted")
	}
}

// SECURITY: a person token's org opens only when it is a whole person ID
// this sealer made: not its payload alone, not another type's ID, not one
// of another key, not the raw number.
func TestOpenPersonIDTakesOnlyThisHubsPersonIDs(t *testing.T) {
	t.Parallel()
	s, _ := NewSealer([]byte(strings.Repeat("k", 32)))
	other, _ := NewSealer([]byte(strings.Repeat("x", 32)))
	const idNo = "11010519491231002X"
	if got, err := s.OpenPersonID(s.Person(idNo)); err != nil || got != idNo {
		t.Fatalf("OpenPersonID = %q, %v", got, err)
	}
	_, payload, _ := Decode(s.Person(idNo))
	for name, id := range map[string]string{
		"raw number":      idNo,
		"payload alone":   payload,
		"entity ID":       Entity("91230000MA1B2C3D4E"),
		"retyped payload": Encode(TypeEntity, payload),
		"other key":       other.Person(idNo),
		"empty":           "",
	} {
		if _, err := s.OpenPersonID(id); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s opened: %v", name, err)
		}
	}
}
