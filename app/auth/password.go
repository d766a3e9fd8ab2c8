package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/alexedwards/argon2id"
)

// Argon2 parameters as recommended by RFC 9106's second choice for memory
// constrained machines (64 MiB, 1 pass, 2 lanes on our 2-core servers).
var params = &argon2id.Params{Memory: 64 * 1024, Iterations: 1, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// MinPasswordLength is the shortest password accepted (NIST SP 800-63B).
const MinPasswordLength = 10

// HashPassword returns the argon2id hash of password in PHC string form.
func HashPassword(password string) (string, error) {
	h, err := argon2id.CreateHash(password, params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// CheckPassword reports whether password matches hash. An empty hash (guest
// accounts, single sign-on) never matches.
func CheckPassword(password, hash string) bool {
	if hash == "" {
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}

// dummyHash makes failed logins for unknown accounts take as long as real
// ones, so response times do not reveal which e-mail addresses exist.
var dummyHash, _ = HashPassword("werkstatt-dummy-password")

// BurnPasswordCheck spends the time of one password check.
func BurnPasswordCheck(password string) { _ = CheckPassword(password, dummyHash) }

// NewToken returns a random token of 32 bytes, URL-safe.
func NewToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return strings.TrimRight(base32.StdEncoding.EncodeToString(b), "=")
}

// HashToken is how tokens are stored: a database leak does not reveal usable
// session cookies or API tokens.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// joinAlphabet has no easily confused characters (0/O, 1/I/L).
const joinAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// NewJoinCode returns a short code people can read aloud and type on a phone.
func NewJoinCode() string {
	const n, limit = 6, 256 - 256%len(joinAlphabet) // reject bytes that would bias the draw
	out := make([]byte, 0, n)
	b := make([]byte, 1)
	for len(out) < n {
		_, _ = rand.Read(b)
		if int(b[0]) < limit {
			out = append(out, joinAlphabet[int(b[0])%len(joinAlphabet)])
		}
	}
	return string(out)
}

// NormalizeJoinCode upper-cases a typed code and drops spaces and dashes.
func NormalizeJoinCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r == ' ' || r == '-' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
