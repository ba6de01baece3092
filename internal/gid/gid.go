// Package gid encodes the graph's global object IDs (Node.id).
//
// An ID is base64url of "Type:payload". Entity and record payloads reveal
// nothing that is not public (a unified social credit code, a department's
// row number); a person's payload is sealed with the hub's key (see Sealer),
// because the ID number it stands for is personal data.
package gid

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"credithub/internal/credit"
)

// The type names that prefix IDs.
const (
	TypeEntity = "MarketEntity"
	TypePerson = "Person"
	TypeRecord = "CreditRecord"
)

// ErrMalformed is returned for an ID the hub did not issue.
var ErrMalformed = errors.New("not an ID issued by this graph")

var enc = base64.RawURLEncoding

// Encode returns the ID of an object of type typ with the given payload.
func Encode(typ, payload string) string { return enc.EncodeToString([]byte(typ + ":" + payload)) }

// Decode splits an ID into its type and payload.
func Decode(id string) (typ, payload string, err error) {
	b, err := enc.DecodeString(id)
	if err != nil {
		return "", "", ErrMalformed
	}
	typ, payload, ok := strings.Cut(string(b), ":")
	if !ok || payload == "" {
		return "", "", ErrMalformed
	}
	return typ, payload, nil
}

// Entity returns the ID of the entity with code uscc.
func Entity(uscc string) string { return Encode(TypeEntity, uscc) }

// Record returns the ID of the record at ref.
func Record(ref credit.Ref) string {
	return Encode(TypeRecord, ref.Source+":"+string(ref.Kind)+":"+strconv.FormatInt(ref.LocalID, 10))
}

// ParseRecord returns the reference a record payload stands for.
func ParseRecord(payload string) (credit.Ref, error) {
	parts := strings.Split(payload, ":")
	if len(parts) != 3 {
		return credit.Ref{}, ErrMalformed
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || id <= 0 {
		return credit.Ref{}, ErrMalformed
	}
	return credit.Ref{Source: parts[0], Kind: credit.Kind(parts[1]), LocalID: id}, nil
}

// Sealer turns ID numbers into opaque, stable person IDs and back. It is a
// deterministic AEAD (AES-GCM with a synthetic nonce derived from the
// plaintext by HMAC), so the same person always gets the same ID, nobody
// without the key can read or forge one, and a tampered ID is refused.
type Sealer struct {
	aead   cipher.AEAD
	macKey []byte
}

// NewSealer derives the sealing keys from secret (at least 32 bytes).
func NewSealer(secret []byte) (*Sealer, error) {
	if len(secret) < 32 {
		return nil, fmt.Errorf("person ID key must be at least 32 bytes, got %d", len(secret))
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("credithub person id enc")[:32])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, macKey: derive("credithub person id nonce")}, nil
}

// Person returns the opaque ID of the person with resident ID number idNo.
func (s *Sealer) Person(idNo string) string {
	m := hmac.New(sha256.New, s.macKey)
	m.Write([]byte(idNo))
	nonce := m.Sum(nil)[:s.aead.NonceSize()]
	sealed := s.aead.Seal(nil, nonce, []byte(idNo), []byte(TypePerson))
	return Encode(TypePerson, enc.EncodeToString(append(nonce, sealed...)))
}

// OpenPerson returns the ID number a person payload stands for.
func (s *Sealer) OpenPerson(payload string) (string, error) {
	b, err := enc.DecodeString(payload)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", ErrMalformed
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(TypePerson))
	if err != nil {
		return "", ErrMalformed
	}
	return string(plain), nil
}

// OpenPersonID returns the ID number a whole person ID (Person.id, as
// Person returns it and a person's token carries it in org) stands for;
// ErrMalformed for anything else: another type's ID, one sealed with
// another key, garbage, or another spelling of the same ID (base64's
// unused bits set), so that a person has one org, which the query log
// records and a person's reads are told apart by.
func (s *Sealer) OpenPersonID(id string) (string, error) {
	typ, payload, err := Decode(id)
	if err != nil || typ != TypePerson {
		return "", ErrMalformed
	}
	idNo, err := s.OpenPerson(payload)
	if err != nil || s.Person(idNo) != id {
		return "", ErrMalformed
	}
	return idNo, nil
}

// Ref returns a keyed hash (HMAC-SHA256, hex) of an ID number: what the
// query log and the authorisations store instead of the number, so that a
// reviewer can look a person up by ID number while the tables hold none.
func (s *Sealer) Ref(idNo string) string {
	m := hmac.New(sha256.New, s.macKey)
	m.Write([]byte("ref:" + idNo))
	return hex.EncodeToString(m.Sum(nil))
}
