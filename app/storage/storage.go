// Package storage is Werkstatt's blob store abstraction: uploaded files and
// other opaque byte streams are written and read through the Store interface,
// so the rest of the app does not care whether they live in a local folder
// (development, single-node installs) or in an S3-compatible bucket (MinIO in
// production). Both backends obey one contract, checked by TestStoreContract
// against a real S3 server. It is a leaf package: it imports nothing of ours,
// so any layer may depend on it without creating import cycles.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Info describes a stored object.
type Info struct {
	Key         string
	Size        int64
	ContentType string // empty in List results from backends that cannot list it cheaply (S3)
	ETag        string // opaque; changes when the content changes
	ModTime     time.Time
}

// ErrNotFound is returned (possibly wrapped; test with errors.Is) when an
// object does not exist.
var ErrNotFound = errors.New("storage: object not found")

// ErrInvalidKey is returned (wrapped) for keys that could escape the store's
// root on disk or that S3 and a file system would interpret differently.
var ErrInvalidKey = errors.New("storage: invalid key")

// DefaultContentType is stored when Put is given an empty content type, so
// every backend reports the same thing for such objects.
const DefaultContentType = "application/octet-stream"

// MaxKeyLen is S3's limit on object key length in bytes.
const MaxKeyLen = 1024

// Store is a flat namespace of objects addressed by "/"-separated keys.
//
// Callers must not make one key a "/"-prefix of another ("a" and "a/b"):
// MinIO stores both, but then lists only "a" and hides "a/b". The store
// does not enforce this, since checking would cost extra requests per Put.
type Store interface {
	// Put stores exactly size bytes from r under key, replacing any previous
	// object; size -1 means unknown (read r to EOF). A reader that ends before
	// size bytes is an error and leaves the previous object untouched; bytes
	// after the first size are not read.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Get opens an object; the caller must close the reader. Missing keys
	// yield an error matching ErrNotFound.
	Get(ctx context.Context, key string) (io.ReadCloser, Info, error)
	// Stat describes an object without reading it (ErrNotFound if missing).
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes an object; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List returns all objects whose key starts with prefix, sorted by key.
	// The prefix is a plain string prefix, not a directory: "a/b" matches
	// "a/b", "a/b/c" and "a/bc".
	List(ctx context.Context, prefix string) ([]Info, error)
	// Ping reports whether the backend is usable; it backs /readyz.
	Ping(ctx context.Context) error
	// Name identifies the backend: "local" or "s3".
	Name() string
}

// ValidateKey reports whether key is acceptable to every backend. Beyond
// the obvious (not empty, no leading "/", no backslash, no ".." segment) it
// rejects empty and "." segments and control characters, because S3 would
// store "a//b" or "a/./b" verbatim while a file system would collapse them,
// and the two backends must agree on what a key means.
func ValidateKey(key string) error {
	if err := checkKeyText(key); err != nil {
		return fmt.Errorf("%w %q: %s", ErrInvalidKey, key, err)
	}
	return nil
}

// validatePrefix checks a List prefix. A prefix may end anywhere, even
// mid-segment or right after a "/", so it is valid when some key extending
// it is valid: appending one ordinary character turns "a/" into the key
// "a/x", while "../" still fails as "../x" does.
func validatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := checkKeyText(prefix + "x"); err != nil {
		return fmt.Errorf("%w: prefix %q: %s", ErrInvalidKey, prefix, err)
	}
	return nil
}

// checkKeyText holds the key rules; it returns a reason, not a wrapped error.
func checkKeyText(key string) error {
	switch {
	case key == "":
		return errors.New("empty")
	case len(key) > MaxKeyLen:
		return fmt.Errorf("longer than %d bytes", MaxKeyLen)
	case !utf8.ValidString(key):
		return errors.New("not valid UTF-8")
	case strings.HasPrefix(key, "/"):
		return errors.New("leading slash")
	case strings.Contains(key, `\`):
		return errors.New("backslash")
	}
	for _, c := range key {
		if c < 0x20 || c == 0x7f {
			return errors.New("control character")
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch seg {
		case "":
			return errors.New(`empty segment ("//" or trailing "/")`)
		case ".", "..":
			return fmt.Errorf("%q segment", seg)
		}
	}
	return nil
}

// orDefault returns the content type to store for contentType.
func orDefault(contentType string) string {
	if contentType == "" {
		return DefaultContentType
	}
	return contentType
}
