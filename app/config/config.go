// Package config reads Werkstatt's settings from the environment once, at
// start, into one Config value that is passed explicitly to whoever needs it.
// Nothing else in the program reads environment variables.
package config

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting of a running Werkstatt.
type Config struct {
	Addr        string // WERKSTATT_ADDR, default ":3000"
	BaseURL     string // WERKSTATT_BASE_URL, default "http://localhost:3000"
	BaseURLSet  bool   // false: links in API answers follow the request's host
	DataDir     string // WERKSTATT_DATA_DIR, default "data"
	UploadsDir  string // UPLOADS_DIR, default "uploads"
	DatabaseURL string // DATABASE_URL; empty means SQLite under DataDir
	Secret      string // WERKSTATT_SECRET; generated and kept in DataDir when empty

	S3Endpoint  string // S3_ENDPOINT; empty means the local folder UploadsDir
	S3AccessKey string
	S3SecretKey string
	S3Bucket    string
	S3UseSSL    bool
	S3Region    string

	// Behind a reverse proxy: the header with the client address, and the
	// proxies allowed to set it (WERKSTATT_PROXY_HEADER, WERKSTATT_TRUSTED_PROXIES).
	ProxyHeader    string
	TrustedProxies []string

	Seed          bool          // WERKSTATT_SEED: load demo data on first start (default true)
	SessionMaxAge time.Duration // WERKSTATT_SESSION_HOURS, default 14 days
	LogLevel      string        // WERKSTATT_LOG_LEVEL: debug, info, warn, error
}

// Load builds a Config from getenv (os.Getenv in production, a map in tests).
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		Addr:        or(getenv("WERKSTATT_ADDR"), ":3000"),
		BaseURL:     strings.TrimRight(or(getenv("WERKSTATT_BASE_URL"), "http://localhost:3000"), "/"),
		BaseURLSet:  getenv("WERKSTATT_BASE_URL") != "",
		DataDir:     or(getenv("WERKSTATT_DATA_DIR"), "data"),
		UploadsDir:  or(getenv("UPLOADS_DIR"), "uploads"),
		DatabaseURL: getenv("DATABASE_URL"),
		Secret:      getenv("WERKSTATT_SECRET"),
		S3Endpoint:  getenv("S3_ENDPOINT"),
		S3AccessKey: getenv("S3_ACCESS_KEY"),
		S3SecretKey: getenv("S3_SECRET_KEY"),
		S3Bucket:    or(getenv("S3_BUCKET"), "werkstatt"),
		S3Region:    getenv("S3_REGION"),
		LogLevel:    or(getenv("WERKSTATT_LOG_LEVEL"), "info"),
		ProxyHeader: getenv("WERKSTATT_PROXY_HEADER"),
	}
	for _, p := range strings.Split(getenv("WERKSTATT_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	if c.ProxyHeader != "" && len(c.TrustedProxies) == 0 {
		return c, fmt.Errorf("WERKSTATT_PROXY_HEADER is set: list the proxies in WERKSTATT_TRUSTED_PROXIES, or anyone could forge their address")
	}
	var err error
	if c.S3UseSSL, err = boolOr(getenv("S3_USE_SSL"), false); err != nil {
		return c, fmt.Errorf("S3_USE_SSL: %w", err)
	}
	if c.Seed, err = boolOr(getenv("WERKSTATT_SEED"), true); err != nil {
		return c, fmt.Errorf("WERKSTATT_SEED: %w", err)
	}
	hours := 14 * 24
	if v := getenv("WERKSTATT_SESSION_HOURS"); v != "" {
		if hours, err = strconv.Atoi(v); err != nil || hours <= 0 {
			return c, fmt.Errorf("WERKSTATT_SESSION_HOURS: want a positive number of hours, got %q", v)
		}
	}
	c.SessionMaxAge = time.Duration(hours) * time.Hour
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("WERKSTATT_BASE_URL: want an absolute http(s) URL, got %q", c.BaseURL)
	}
	if c.S3Endpoint != "" && (c.S3AccessKey == "" || c.S3SecretKey == "") {
		return c, fmt.Errorf("S3_ENDPOINT is set: S3_ACCESS_KEY and S3_SECRET_KEY are needed too")
	}
	return c, nil
}

// Secure reports whether cookies must carry the Secure flag.
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// UsesPostgres reports whether the database is PostgreSQL rather than SQLite.
func (c Config) UsesPostgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// SQLitePath is the database file used when DATABASE_URL is empty.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "werkstatt.db") }

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func boolOr(v string, def bool) (bool, error) {
	if v == "" {
		return def, nil
	}
	return strconv.ParseBool(v)
}
