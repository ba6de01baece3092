package supervision

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Signer signs credit reports with the hub's Ed25519 report key.
type Signer struct {
	KeyID   string
	private ed25519.PrivateKey
}

// NewSigner returns a signer for a 32-byte seed.
func NewSigner(keyID string, seed []byte) (*Signer, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("the report signing key seed must be %d bytes, got %d", ed25519.SeedSize, len(seed))
	}
	return &Signer{KeyID: keyID, private: ed25519.NewKeyFromSeed(seed)}, nil
}

// Public is the key that verifies this signer's reports.
func (s *Signer) Public() ed25519.PublicKey { return s.private.Public().(ed25519.PublicKey) }

// ContentHash is the SHA-256 of a report's content, hex.
func ContentHash(content []byte) string {
	h := sha256.Sum256(content)
	return hex.EncodeToString(h[:])
}

// message is what is signed: the report's number, its issue time and the
// hash of its content, so that none of the three can change unnoticed.
func message(number string, issuedAt time.Time, contentHash string) []byte {
	return []byte("credithub credit report\n" + number + "\n" + issuedAt.UTC().Format(time.RFC3339Nano) + "\n" + contentHash)
}

// Sign returns the base64 signature of a report.
func (s *Signer) Sign(number string, issuedAt time.Time, content []byte) (hash, signature string) {
	hash = ContentHash(content)
	sig := ed25519.Sign(s.private, message(number, issuedAt, hash))
	return hash, base64.StdEncoding.EncodeToString(sig)
}

// ErrTampered is returned for a report whose content, number, time or
// signature does not verify.
var ErrTampered = errors.New("the report is not genuine or was changed")

// Verify checks a report against the public key: its content hashes to the
// signed hash and the signature over number, time and hash is the hub's.
func Verify(pub ed25519.PublicKey, number string, issuedAt time.Time, content []byte, signature string) error {
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return ErrTampered
	}
	if !ed25519.Verify(pub, message(number, issuedAt, ContentHash(content)), sig) {
		return ErrTampered
	}
	return nil
}
