// Package testutil gives tests the real parts Werkstatt runs on: a database
// (SQLite in a temporary folder, or a fresh schema on the PostgreSQL server
// named by TEST_DATABASE_URL), an object store (a temporary folder, or a
// fresh bucket on the S3 server named by TEST_S3_ENDPOINT), and a whole
// running server. A test that needs a service it cannot find skips, unless
// WERKSTATT_TEST_ALL=1, where it fails.
package testutil

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for schema setup
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"werkstatt/app"
	"werkstatt/app/config"
)

// All reports whether every real service must be present.
func All() bool { return os.Getenv("WERKSTATT_TEST_ALL") == "1" }

// Need skips the test (or fails it under WERKSTATT_TEST_ALL) when a service
// is missing.
func Need(t testing.TB, ok bool, reason string) {
	t.Helper()
	if ok {
		return
	}
	if All() {
		t.Fatalf("required service missing (WERKSTATT_TEST_ALL=1): %s", reason)
	}
	t.Skip(reason)
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Postgres reports whether the suite runs on PostgreSQL.
func Postgres() bool { return os.Getenv("TEST_DATABASE_URL") != "" }

// DatabaseURL returns "" for SQLite, or the URL of a fresh, empty schema on
// the test PostgreSQL server, dropped when the test ends.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		return ""
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	schema := randomName("t_")
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema on TEST_DATABASE_URL: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// S3 returns the S3 settings of a fresh bucket when TEST_S3_ENDPOINT is set,
// and ok=false otherwise. The bucket and its objects are removed after.
func S3(t testing.TB) (cfg config.Config, ok bool) {
	t.Helper()
	endpoint := os.Getenv("TEST_S3_ENDPOINT")
	if endpoint == "" {
		return cfg, false
	}
	cfg.S3Endpoint = endpoint
	cfg.S3AccessKey = os.Getenv("TEST_S3_ACCESS_KEY")
	cfg.S3SecretKey = os.Getenv("TEST_S3_SECRET_KEY")
	cfg.S3UseSSL = os.Getenv("TEST_S3_USE_SSL") == "true"
	cfg.S3Bucket = randomName("werkstatt-t-")
	t.Cleanup(func() { removeBucket(cfg) })
	return cfg, true
}

func removeBucket(cfg config.Config) {
	c, err := minio.New(cfg.S3Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.S3AccessKey, cfg.S3SecretKey, ""), Secure: cfg.S3UseSSL})
	if err != nil {
		return
	}
	ctx := context.Background()
	for obj := range c.ListObjects(ctx, cfg.S3Bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err == nil {
			_ = c.RemoveObject(ctx, cfg.S3Bucket, obj.Key, minio.RemoveObjectOptions{})
		}
	}
	_ = c.RemoveBucket(ctx, cfg.S3Bucket)
}

// Config returns a configuration for a test server: a temporary data and
// uploads folder, the test database and, when configured, the test S3
// server. The demo data is not loaded unless the test asks for it.
func Config(t testing.TB) config.Config {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{
		"WERKSTATT_ADDR":     "127.0.0.1:0",
		"WERKSTATT_DATA_DIR": dir + "/data",
		"UPLOADS_DIR":        dir + "/uploads",
		"WERKSTATT_SEED":     "false",
		"WERKSTATT_SECRET":   strings.Repeat("s", 40),
		"DATABASE_URL":       DatabaseURL(t),
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	if s3, ok := S3(t); ok {
		cfg.S3Endpoint, cfg.S3AccessKey, cfg.S3SecretKey = s3.S3Endpoint, s3.S3AccessKey, s3.S3SecretKey
		cfg.S3Bucket, cfg.S3UseSSL = s3.S3Bucket, s3.S3UseSSL
	}
	return cfg
}

// Start runs a whole Werkstatt server for the test and stops it after.
// Pass a function to change the configuration first.
func Start(t testing.TB, tweak ...func(*config.Config)) *app.Instance {
	t.Helper()
	cfg := Config(t)
	for _, f := range tweak {
		f(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() && os.Getenv("WERKSTATT_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	inst, err := app.Start(context.Background(), cfg, log, app.StartOptions{Migrate: true})
	if err != nil {
		t.Fatalf("start werkstatt: %v", err)
	}
	t.Cleanup(func() { _ = inst.Stop() })
	return inst
}
