package supervision

// How a credit report is signed and checked: the hub's Ed25519 report key
// signs its number, issue time and the hash of its content; anyone with the
// public key checks a report handed back, and the hub's own copy says what
// was changed.

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

// KeyID names a report key by its public half: "rk-" and the first 12 hex
// digits of its SHA-256. A verifier holding several keys picks by it.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return "rk-" + hex.EncodeToString(h[:6])
}

// Verification is the answer to "is this report genuine and unchanged?".
type Verification struct {
	Genuine bool
	// Reason says why not; empty when genuine.
	Reason string
	// IssuedByHub says whether the hub holds a report with the number.
	IssuedByHub bool
}

// Presented is a report as someone hands it back: the four things the
// signature binds.
type Presented struct {
	Number    string    `json:"number"`
	IssuedAt  time.Time `json:"issuedAt"`
	Content   string    `json:"content"`
	Signature string    `json:"signature"`
}

// CheckReport verifies a presented report against pub. The signature alone
// decides whether it is genuine; stored (the hub's copy with that number,
// nil when the hub has none or is not asked) only explains a failure: a
// changed content, a changed time, or a signature that is not the hub's.
func CheckReport(pub ed25519.PublicKey, stored *Issued, p Presented) Verification {
	v := Verification{IssuedByHub: stored != nil}
	sig, err := base64.StdEncoding.DecodeString(p.Signature)
	sigWellFormed := err == nil && len(sig) == ed25519.SignatureSize
	if sigWellFormed && Verify(pub, p.Number, p.IssuedAt, []byte(p.Content), p.Signature) == nil {
		v.Genuine = true
		return v
	}
	hash := ContentHash([]byte(p.Content))
	switch {
	case stored == nil && !sigWellFormed:
		v.Reason = fmt.Sprintf("unknown number: the hub issued no report numbered %q, and the signature is not base64 of a %d-byte Ed25519 signature", clipArg(p.Number), ed25519.SignatureSize)
	case stored == nil:
		v.Reason = fmt.Sprintf("unknown number: the hub issued no report numbered %q, and the signature does not verify with the hub's report key", clipArg(p.Number))
	case stored.ContentSHA256 != hash:
		v.Reason = fmt.Sprintf("content changed: its SHA-256 is %s, the report the hub issued as %s has %s", hash, stored.Number, stored.ContentSHA256)
	case !stored.IssuedAt.Equal(p.IssuedAt):
		v.Reason = fmt.Sprintf("issue time changed: the hub issued %s at %s", stored.Number, stored.IssuedAt.UTC().Format(time.RFC3339Nano))
	case !sigWellFormed:
		v.Reason = fmt.Sprintf("signature invalid: it is not base64 of a %d-byte Ed25519 signature", ed25519.SignatureSize)
	default:
		v.Reason = "signature invalid: it is not the hub's signature of this number, issue time and content"
	}
	return v
}

// CheckOffline verifies a presented report with the public key alone, as a
// holder of the report does without asking the hub: it tells whether the
// report is genuine, not what was changed.
func CheckOffline(pub ed25519.PublicKey, p Presented) Verification {
	if Verify(pub, p.Number, p.IssuedAt, []byte(p.Content), p.Signature) == nil {
		return Verification{Genuine: true}
	}
	return Verification{Reason: "signature invalid: the number, issue time, content or signature was changed, or another key signed it"}
}

// clipArg keeps a hostile argument from filling a message.
func clipArg(s string) string {
	r := []rune(s)
	if len(r) <= 40 {
		return s
	}
	return string(r[:40]) + "…"
}
