package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"sync"
	"time"
)

// StaticKeys is a fixed set of keys (from files, or the development key).
type StaticKeys map[string]Key

// Key returns the key with the given kid, or the only key for an empty kid.
func (s StaticKeys) Key(_ context.Context, kid string) (Key, error) {
	if kid == "" {
		if len(s) == 1 {
			for _, k := range s {
				return k, nil
			}
		}
		return Key{}, errors.New("the token has no kid and the issuer has several keys")
	}
	k, ok := s[kid]
	if !ok {
		return Key{}, fmt.Errorf("no key %q", kid)
	}
	return k, nil
}

// LoadKeyFile reads a PEM public key and pins its algorithm: RS256 for RSA,
// ES256 for P-256 ECDSA, EdDSA for Ed25519.
func LoadKeyFile(kid, path string) (Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Key{}, err
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PUBLIC KEY" {
		return Key{}, fmt.Errorf("%s: not a PEM PUBLIC KEY", path)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return Key{}, fmt.Errorf("%s: %w", path, err)
	}
	alg, err := algorithmOf(pub)
	if err != nil {
		return Key{}, fmt.Errorf("%s: %w", path, err)
	}
	return Key{ID: kid, Alg: alg, Public: pub}, nil
}

func algorithmOf(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return "", errors.New("RSA keys must have at least 2048 bits")
		}
		return "RS256", nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return "", errors.New("ECDSA keys must be on P-256 (ES256)")
		}
		return "ES256", nil
	case ed25519.PublicKey:
		return "EdDSA", nil
	}
	return "", fmt.Errorf("unsupported key type %T", pub)
}

// JWKS fetches an issuer's keys from a JWKS URL, caches them, refreshes them
// every Refresh, and refetches early when a token names an unknown kid (a
// key rotation), at most once per MinRefetch so that tokens with made-up
// kids cannot make the hub hammer the issuer.
type JWKS struct {
	URL        string
	Client     *http.Client
	Refresh    time.Duration
	MinRefetch time.Duration
	Now        func() time.Time

	mu      sync.Mutex
	keys    StaticKeys
	fetched time.Time
	tried   time.Time
}

// Key returns the key with the given kid.
func (j *JWKS) Key(ctx context.Context, kid string) (Key, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	now := j.now()
	stale := j.keys == nil || now.Sub(j.fetched) > j.refresh()
	if !stale {
		if k, err := j.keys.Key(ctx, kid); err == nil {
			return k, nil
		}
	}
	// Stale, or an unknown kid: fetch again, unless we just tried.
	if now.Sub(j.tried) >= j.minRefetch() || j.keys == nil {
		j.tried = now
		keys, err := j.fetch(ctx)
		if err == nil {
			j.keys, j.fetched = keys, now
		} else if j.keys == nil {
			return Key{}, err
		}
		// On a failed refresh, keep serving the keys we had.
	}
	return j.keys.Key(ctx, kid)
}

func (j *JWKS) now() time.Time {
	if j.Now != nil {
		return j.Now()
	}
	return time.Now()
}

func (j *JWKS) refresh() time.Duration {
	if j.Refresh > 0 {
		return j.Refresh
	}
	return 10 * time.Minute
}

func (j *JWKS) minRefetch() time.Duration {
	if j.MinRefetch > 0 {
		return j.MinRefetch
	}
	return 30 * time.Second
}

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

func (j *JWKS) fetch(ctx context.Context) (StaticKeys, error) {
	client := j.Client
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.URL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching JWKS: status %d", resp.StatusCode)
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return nil, fmt.Errorf("decoding JWKS: %w", err)
	}
	keys := StaticKeys{}
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		pub, err := k.public()
		if err != nil {
			continue // a key we cannot use is not trusted
		}
		alg, err := algorithmOf(pub)
		if err != nil || (k.Alg != "" && k.Alg != alg) {
			continue
		}
		keys[k.Kid] = Key{ID: k.Kid, Alg: alg, Public: pub}
	}
	if len(keys) == 0 {
		return nil, errors.New("the JWKS holds no usable signing key")
	}
	return keys, nil
}

func b64(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

func (k jwk) public() (crypto.PublicKey, error) {
	switch k.Kty {
	case "RSA":
		n, err1 := b64(k.N)
		e, err2 := b64(k.E)
		if err1 != nil || err2 != nil || len(e) > 4 {
			return nil, errors.New("bad RSA key")
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
	case "EC":
		if k.Crv != "P-256" {
			return nil, errors.New("unsupported curve")
		}
		x, err1 := b64(k.X)
		y, err2 := b64(k.Y)
		if err1 != nil || err2 != nil {
			return nil, errors.New("bad EC key")
		}
		pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
		if !pub.Curve.IsOnCurve(pub.X, pub.Y) {
			return nil, errors.New("EC point not on curve")
		}
		return pub, nil
	case "OKP":
		x, err := b64(k.X)
		if err != nil || k.Crv != "Ed25519" || len(x) != ed25519.PublicKeySize {
			return nil, errors.New("bad OKP key")
		}
		return ed25519.PublicKey(x), nil
	}
	return nil, fmt.Errorf("unsupported kty %q", k.Kty)
}
