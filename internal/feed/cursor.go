package feed

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"

	"credithub/internal/apperr"
	"credithub/internal/hubdb"
)

// A cursor is where an agency stands in the feed: the position (xid, id)
// of the last change delivered, opaque to the agency and bound to it and to
// the purpose it reads for by an HMAC under a key of the hub. The hub keeps
// nothing per agency: any instance, before or after a restart, resumes
// from a cursor exactly where it was issued. A cursor that was changed,
// forged, or issued to another agency or for another purpose is refused
// with BAD_CURSOR; replaying one returns the same changes again.

// cursorPrefix names the cursor's format.
const cursorPrefix = "c1."

// macSize is the bytes of the HMAC a cursor carries (128 bits).
const macSize = 16

// Cursors signs and opens the feed's cursors.
type Cursors struct{ key []byte }

// NewCursors derives the cursors' key from secret (the hub's person ID key:
// rotating it invalidates every cursor, and the agencies start again).
func NewCursors(secret []byte) (*Cursors, error) {
	if len(secret) < 32 {
		return nil, fmt.Errorf("the change feed's cursor key must derive from at least 32 bytes, got %d", len(secret))
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("credithub change feed cursor"))
	return &Cursors{key: m.Sum(nil)}, nil
}

func (c *Cursors) mac(agency, purpose string, body []byte) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write(body)
	// Agency and purpose are length-prefixed: no two pairs sign alike.
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(agency)))
	m.Write(n[:])
	m.Write([]byte(agency))
	m.Write([]byte(purpose))
	return m.Sum(nil)[:macSize]
}

// Sign returns the cursor of position pos for agency reading for purpose
// ("" when it declares none).
func (c *Cursors) Sign(agency, purpose string, pos hubdb.Position) string {
	body := make([]byte, 16, 16+macSize)
	binary.BigEndian.PutUint64(body[:8], pos.XID)
	binary.BigEndian.PutUint64(body[8:], uint64(pos.ID))
	return cursorPrefix + base64.RawURLEncoding.EncodeToString(append(body, c.mac(agency, purpose, body)...))
}

// Open returns the position cursor stands for, when this hub issued it to
// agency for purpose; otherwise BAD_CURSOR naming field and why. The
// purposes are tried so that a cursor issued for another purpose says so.
func (c *Cursors) Open(agency, purpose, cursor string, purposes []string, field string) (hubdb.Position, error) {
	bad := func(reason, format string, args ...any) *apperr.Error {
		return apperr.New(apperr.BadCursor, format, args...).With("field", field).With("reason", reason)
	}
	payload, ok := strings.CutPrefix(cursor, cursorPrefix)
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if !ok || err != nil || len(raw) != 16+macSize {
		return hubdb.Position{}, bad("MALFORMED", "%s is not a change feed cursor: pass the cursor of the last page or change you were given, or leave it out to start from the beginning", field)
	}
	body, sum := raw[:16], raw[16:]
	if !hmac.Equal(sum, c.mac(agency, purpose, body)) {
		for _, other := range append([]string{""}, purposes...) {
			if other != purpose && hmac.Equal(sum, c.mac(agency, other, body)) {
				declared := other
				if declared == "" {
					declared = "no purpose"
				}
				return hubdb.Position{}, bad("OTHER_PURPOSE", "%s was issued for reading with %s; a feed is followed for one purpose: declare that one, or start again without %s", field, declared, field).
					With("cursorPurpose", other)
			}
		}
		return hubdb.Position{}, bad("NOT_ISSUED", "%s is not a cursor this hub issued to this agency: it was changed, forged or issued to another agency; resume from the last cursor you were given, or start again without %s", field, field)
	}
	pos := hubdb.Position{XID: binary.BigEndian.Uint64(body[:8]), ID: int64(binary.BigEndian.Uint64(body[8:]))}
	if pos.ID < 0 {
		return hubdb.Position{}, bad("MALFORMED", "%s is not a change feed cursor", field)
	}
	return pos, nil
}
