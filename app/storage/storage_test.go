package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// backend opens a store for the contract test and, for the Ping check, one
// whose backing (folder or bucket) is gone.
type backend struct {
	name   string
	open   func(t *testing.T) Store
	broken func(t *testing.T, s Store) Store
}

// TestStoreContract runs the same checks against every backend: local
// always, S3 against a real server when TEST_S3_ENDPOINT is set (see
// scripts/s3server.sh). WERKSTATT_TEST_ALL=1 turns a missing server into a
// failure so CI cannot pass by skipping.
func TestStoreContract(t *testing.T) {
	for _, b := range []backend{
		{name: "local", open: openLocal, broken: brokenLocal},
		{name: "s3", open: openS3, broken: brokenS3},
	} {
		t.Run(b.name, func(t *testing.T) {
			s := b.open(t)
			if got := s.Name(); got != b.name {
				t.Fatalf("Name() = %q, want %q", got, b.name)
			}
			// A fresh root per run keeps repeated runs against one
			// long-lived bucket from seeing each other's objects.
			root := "contract-" + randHex(t, 6) + "/"
			t.Cleanup(func() { cleanup(t, s, root) })
			runContract(t, s, b, root)
		})
	}
}

func runContract(t *testing.T, s Store, b backend, root string) {
	ctx := t.Context()
	k := func(rel string) string { return root + rel }

	t.Run("ping", func(t *testing.T) {
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		if err := b.broken(t, s).Ping(ctx); err == nil {
			t.Fatal("Ping on a store whose backing is gone: want error, got nil")
		}
	})

	t.Run("round trip", func(t *testing.T) {
		key, body, ct := k("rt/hello.txt"), []byte("hello, werkstatt\n"), "text/plain; charset=utf-8"
		put(t, s, key, body, ct)
		got, info := get(t, s, key)
		if !bytes.Equal(got, body) {
			t.Errorf("Get body = %q, want %q", got, body)
		}
		checkInfo(t, "Get", info, key, int64(len(body)), ct)
		st, err := s.Stat(ctx, key)
		if err != nil {
			t.Fatalf("Stat: %v", err)
		}
		checkInfo(t, "Stat", st, key, int64(len(body)), ct)
		if st.ETag != info.ETag {
			t.Errorf("Stat ETag %q != Get ETag %q", st.ETag, info.ETag)
		}
	})

	t.Run("empty object and default content type", func(t *testing.T) {
		key := k("empty")
		put(t, s, key, nil, "")
		got, info := get(t, s, key)
		if len(got) != 0 {
			t.Errorf("Get body = %q, want empty", got)
		}
		checkInfo(t, "Get", info, key, 0, DefaultContentType)
	})

	t.Run("missing", func(t *testing.T) {
		put(t, s, k("dir/child"), []byte("x"), "")
		for _, key := range []string{k("no/such/key"), k("dir")} { // a prefix is not an object
			rc, _, err := s.Get(ctx, key)
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("Get(%q) err = %v, want ErrNotFound", key, err)
			}
			if rc != nil {
				t.Errorf("Get(%q) returned a reader with an error", key)
				_ = rc.Close()
			}
			if _, err := s.Stat(ctx, key); !errors.Is(err, ErrNotFound) {
				t.Errorf("Stat(%q) err = %v, want ErrNotFound", key, err)
			}
		}
	})

	t.Run("overwrite", func(t *testing.T) {
		key := k("over")
		put(t, s, key, []byte("first version"), "text/plain")
		before := stat(t, s, key)
		v2 := []byte(`{"second":"version, longer"}`)
		put(t, s, key, v2, "application/json")
		got, info := get(t, s, key)
		if !bytes.Equal(got, v2) {
			t.Errorf("Get after overwrite = %q, want %q", got, v2)
		}
		checkInfo(t, "Get", info, key, int64(len(v2)), "application/json")
		if info.ETag == before.ETag {
			t.Errorf("ETag unchanged after overwrite with different content: %q", info.ETag)
		}
	})

	t.Run("delete", func(t *testing.T) {
		key := k("del/me")
		put(t, s, key, []byte("bye"), "")
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := s.Stat(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Stat after Delete err = %v, want ErrNotFound", err)
		}
		if _, _, err := s.Get(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get after Delete err = %v, want ErrNotFound", err)
		}
		if keys := listKeys(t, s, k("del/")); len(keys) != 0 {
			t.Errorf("List after Delete = %q, want none", keys)
		}
		for _, missing := range []string{key, k("never/existed")} {
			if err := s.Delete(ctx, missing); err != nil {
				t.Errorf("Delete(missing %q) = %v, want nil", missing, err)
			}
		}
	})

	t.Run("list", func(t *testing.T) {
		// Put out of order, with distinct sizes to tell entries apart. No key
		// is a "/"-prefix of another: MinIO cannot list both (see Store).
		// Byte order puts "l/a-" and "l/a.e" before "l/a/1" ('-' < '.' < '/'),
		// which a directory walk does not.
		sizes := map[string]int{"l/b": 2, "l/a/2": 3, "l/ab": 4, "l/a/1": 5, "l/c": 6, "l/a-": 7, "l/a.e": 8, "lx/a": 9, "k/l": 10}
		for _, rel := range []string{"l/b", "l/a/2", "l/ab", "l/a/1", "l/c", "l/a-", "l/a.e", "lx/a", "k/l"} {
			put(t, s, k(rel), bytes.Repeat([]byte("z"), sizes[rel]), "")
		}
		cases := map[string][]string{
			"l/":      {"l/a-", "l/a.e", "l/a/1", "l/a/2", "l/ab", "l/b", "l/c"}, // excludes lx/ and k/
			"l/a":     {"l/a-", "l/a.e", "l/a/1", "l/a/2", "l/ab"},               // plain string prefix
			"l/a/":    {"l/a/1", "l/a/2"},
			"l/nope":  {},
			"nothere": {},
		}
		for prefix, wantRel := range cases {
			infos, err := s.List(ctx, k(prefix))
			if err != nil {
				t.Fatalf("List(%q): %v", prefix, err)
			}
			want := make([]string, len(wantRel))
			for i, rel := range wantRel {
				want[i] = k(rel)
			}
			var got []string
			for _, in := range infos {
				got = append(got, in.Key)
				if rel := strings.TrimPrefix(in.Key, root); in.Size != int64(sizes[rel]) {
					t.Errorf("List(%q): %s Size = %d, want %d", prefix, in.Key, in.Size, sizes[rel])
				}
				if in.ETag == "" || in.ModTime.IsZero() {
					t.Errorf("List(%q): %s has empty ETag or ModTime: %+v", prefix, in.Key, in)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("List(%q) = %q, want %q", prefix, got, want)
			}
		}
	})

	t.Run("invalid keys", func(t *testing.T) {
		for _, key := range []string{
			"", "/abs", "..", "../escape", "a/../b", "a/..", "./a", "a/./b", "a//b", "a/",
			`a\b`, "nul\x00byte", "tab\tkey", "bad\xffutf8", strings.Repeat("k", MaxKeyLen+1),
		} {
			if err := s.Put(ctx, key, strings.NewReader("x"), 1, ""); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("Put(%q) err = %v, want ErrInvalidKey", key, err)
			}
			if _, _, err := s.Get(ctx, key); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("Get(%q) err = %v, want ErrInvalidKey", key, err)
			}
			if _, err := s.Stat(ctx, key); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("Stat(%q) err = %v, want ErrInvalidKey", key, err)
			}
			if err := s.Delete(ctx, key); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("Delete(%q) err = %v, want ErrInvalidKey", key, err)
			}
		}
		for _, prefix := range []string{"/abs", "../", "a/../", `a\`, "a//"} {
			if _, err := s.List(ctx, prefix); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("List(%q) err = %v, want ErrInvalidKey", prefix, err)
			}
		}
		// The longest legal key (in segments short enough for any file
		// system) and odd-but-legal names still work.
		longest := []byte(root + strings.Repeat("kkkkkkkkk/", MaxKeyLen/10+1))[:MaxKeyLen]
		longest[len(longest)-1] = 'k'
		for _, key := range []string{string(longest), k("a..b/..c/d.."), k("ünï cödé & spaces.txt")} {
			put(t, s, key, []byte("ok"), "")
			if got, _ := get(t, s, key); string(got) != "ok" {
				t.Errorf("Get(%q) = %q, want %q", key, got, "ok")
			}
		}
	})

	t.Run("unknown size", func(t *testing.T) {
		key, body := k("stream.bin"), randBytes(t, 300<<10)
		// hideLen keeps minio-go and io.Copy from discovering the length.
		if err := s.Put(ctx, key, hideLen{bytes.NewReader(body)}, -1, "application/octet-stream"); err != nil {
			t.Fatalf("Put(size -1): %v", err)
		}
		got, info := get(t, s, key)
		if !bytes.Equal(got, body) {
			t.Errorf("Get body differs: got %d bytes, want %d", len(got), len(body))
		}
		if info.Size != int64(len(body)) || stat(t, s, key).Size != int64(len(body)) {
			t.Errorf("Size = %d, want %d", info.Size, len(body))
		}
	})

	t.Run("short body rejected", func(t *testing.T) {
		key := k("short")
		put(t, s, key, []byte("old"), "")
		if err := s.Put(ctx, key, strings.NewReader("12345"), 10, ""); err == nil {
			t.Fatal("Put with 5 of 10 promised bytes: want error, got nil")
		}
		if got, _ := get(t, s, key); string(got) != "old" {
			t.Errorf("after failed Put, Get = %q, want previous %q", got, "old")
		}
	})

	t.Run("cancelled put", func(t *testing.T) {
		key := k("cancelled")
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := s.Put(cctx, key, strings.NewReader("never"), 5, ""); err == nil {
			t.Fatal("Put with cancelled context: want error, got nil")
		}
		if _, err := s.Stat(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Stat after cancelled Put err = %v, want ErrNotFound", err)
		}
	})

	if l, ok := s.(*Local); ok {
		t.Run("local layout", func(t *testing.T) { checkLocalLayout(t, l, k("lay/sub/obj")) })
	}
	if p, ok := s.(interface {
		PresignedGet(context.Context, string, time.Duration) (*url.URL, error)
	}); ok {
		t.Run("presigned get", func(t *testing.T) { checkPresigned(t, s, p.PresignedGet, k("signed.txt")) })
	}
}

// checkPresigned fetches a presigned URL with a plain HTTP client: it must
// serve the object, and the same URL without its signature must be refused.
func checkPresigned(t *testing.T, s Store, presign func(context.Context, string, time.Duration) (*url.URL, error), key string) {
	put(t, s, key, []byte("signed content"), "text/plain")
	u, err := presign(t.Context(), key, 5*time.Minute)
	if err != nil {
		t.Fatalf("PresignedGet: %v", err)
	}
	if code, body := httpGet(t, u.String()); code != http.StatusOK || body != "signed content" {
		t.Errorf("GET presigned URL = %d %q, want 200 %q", code, body, "signed content")
	}
	unsigned := *u
	unsigned.RawQuery = ""
	if code, _ := httpGet(t, unsigned.String()); code != http.StatusForbidden {
		t.Errorf("GET without signature = %d, want 403", code)
	}
}

// checkLocalLayout covers what only the local backend can get wrong: a lost
// metadata sidecar (crash between the two renames) must degrade to derived
// metadata rather than an error, and Delete must not leave empty folders.
func checkLocalLayout(t *testing.T, l *Local, key string) {
	body := []byte("sidecar test")
	put(t, l, key, body, "text/plain")
	want := stat(t, l, key)
	dataPath, metaPath := l.paths(key)
	if err := os.Remove(metaPath); err != nil {
		t.Fatalf("remove sidecar: %v", err)
	}
	got := stat(t, l, key)
	if got.ContentType != DefaultContentType || got.ETag != want.ETag || got.Size != int64(len(body)) {
		t.Errorf("Stat without sidecar = %+v, want default content type, ETag %q, size %d", got, want.ETag, len(body))
	}
	if err := l.Delete(t.Context(), key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	lay := filepath.Dir(filepath.Dir(dataPath)) // ".../lay.d", held only this object
	if _, err := os.Stat(lay); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Delete, %s still exists (err %v); empty folders should be pruned", lay, err)
	}
	if _, err := os.Stat(filepath.Dir(lay)); err != nil {
		t.Errorf("Delete pruned %s, which still holds other objects: %v", filepath.Dir(lay), err)
	}
}

func openLocal(t *testing.T) Store {
	s, err := NewLocal(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatalf("NewLocal: %v", err)
	}
	return s
}

func brokenLocal(t *testing.T, _ Store) Store {
	dir := filepath.Join(t.TempDir(), "gone")
	s, err := NewLocal(dir)
	if err != nil {
		t.Fatalf("NewLocal: %v", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatalf("remove %s: %v", dir, err)
	}
	return s
}

func openS3(t *testing.T) Store {
	endpoint := os.Getenv("TEST_S3_ENDPOINT")
	if endpoint == "" {
		if os.Getenv("WERKSTATT_TEST_ALL") == "1" {
			t.Fatal("S3: TEST_S3_ENDPOINT not set and WERKSTATT_TEST_ALL=1; start a server with: eval \"$(scripts/s3server.sh start)\"")
		}
		t.Skip("S3: TEST_S3_ENDPOINT not set")
	}
	useSSL := false
	if v := os.Getenv("TEST_S3_USE_SSL"); v != "" {
		var err error
		if useSSL, err = strconv.ParseBool(v); err != nil {
			t.Fatalf("TEST_S3_USE_SSL=%q: %v", v, err)
		}
	}
	bucket, ownBucket := os.Getenv("TEST_S3_BUCKET"), false
	if bucket == "" {
		bucket, ownBucket = "werkstatt-test-"+randHex(t, 6), true
	}
	s, err := NewS3(t.Context(), S3Config{
		Endpoint:  endpoint,
		AccessKey: os.Getenv("TEST_S3_ACCESS_KEY"),
		SecretKey: os.Getenv("TEST_S3_SECRET_KEY"),
		Bucket:    bucket,
		UseSSL:    useSSL,
	})
	if err != nil {
		t.Fatalf("NewS3: %v", err)
	}
	if ownBucket { // registered before the object cleanup, so it runs after it
		t.Cleanup(func() {
			if err := s.client.RemoveBucket(context.Background(), bucket); err != nil {
				t.Errorf("remove bucket %s: %v", bucket, err)
			}
		})
	}
	return s
}

func brokenS3(t *testing.T, s Store) Store {
	good := s.(*S3)
	return &S3{client: good.client, bucket: "werkstatt-missing-" + randHex(t, 6)}
}

// cleanup deletes everything under root. It uses a fresh context because
// t.Context() is already cancelled when cleanups run.
func cleanup(t *testing.T, s Store, root string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	infos, err := s.List(ctx, root)
	if err != nil {
		t.Errorf("cleanup: list %s: %v", root, err)
		return
	}
	for _, in := range infos {
		if err := s.Delete(ctx, in.Key); err != nil {
			t.Errorf("cleanup: delete %s: %v", in.Key, err)
		}
	}
}

func put(t *testing.T, s Store, key string, body []byte, ct string) {
	t.Helper()
	if err := s.Put(t.Context(), key, bytes.NewReader(body), int64(len(body)), ct); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func get(t *testing.T, s Store, key string) ([]byte, Info) {
	t.Helper()
	rc, info, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer func() { _ = rc.Close() }()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return b, info
}

func stat(t *testing.T, s Store, key string) Info {
	t.Helper()
	info, err := s.Stat(t.Context(), key)
	if err != nil {
		t.Fatalf("Stat(%q): %v", key, err)
	}
	return info
}

func listKeys(t *testing.T, s Store, prefix string) []string {
	t.Helper()
	infos, err := s.List(t.Context(), prefix)
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	var keys []string
	for _, in := range infos {
		keys = append(keys, in.Key)
	}
	return keys
}

// checkInfo checks every Info field; ModTime must be recent, allowing for
// S3's one-second resolution and clock skew with the server.
func checkInfo(t *testing.T, op string, in Info, key string, size int64, ct string) {
	t.Helper()
	if in.Key != key || in.Size != size || in.ContentType != ct {
		t.Errorf("%s info = {Key:%q Size:%d ContentType:%q}, want {%q %d %q}", op, in.Key, in.Size, in.ContentType, key, size, ct)
	}
	if in.ETag == "" {
		t.Errorf("%s info: empty ETag", op)
	}
	if d := time.Since(in.ModTime); d < -time.Minute || d > 5*time.Minute {
		t.Errorf("%s info: ModTime %v is not recent", op, in.ModTime)
	}
}

func httpGet(t *testing.T, u string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatalf("request %s: %v", u, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", u, err)
	}
	return resp.StatusCode, string(b)
}

// hideLen wraps a reader so that only Read is visible.
type hideLen struct{ r io.Reader }

func (h hideLen) Read(p []byte) (int, error) { return h.r.Read(p) }

func randBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("rand: %v", err)
	}
	return b
}

func randHex(t *testing.T, n int) string { return hex.EncodeToString(randBytes(t, n)) }

// Compile-time check that S3 keeps the method the presign subtest looks for.
var _ interface {
	PresignedGet(context.Context, string, time.Duration) (*url.URL, error)
} = (*S3)(nil)
