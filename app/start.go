package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"werkstatt/app/config"
	"werkstatt/app/live"
	"werkstatt/app/server"
	"werkstatt/app/services"
	"werkstatt/app/storage"
	"werkstatt/models"
	"werkstatt/models/migrations"
)

// Instance is a running Werkstatt server.
type Instance struct {
	Addr string // host:port it listens on
	URL  string // http://host:port
	Svc  *services.Services
	DB   *gorm.DB
	done chan error
	stop context.CancelFunc

	once sync.Once
	err  error
}

// Wait blocks until the server has stopped; it may be called many times.
func (i *Instance) Wait() error {
	i.once.Do(func() { i.err = <-i.done })
	return i.err
}

// Stop shuts the server down and waits for it; calling it again is harmless.
func (i *Instance) Stop() error { i.stop(); return i.Wait() }

// StartOptions tune Start for tests and the CLI.
type StartOptions struct {
	Migrate bool // apply pending migrations on PostgreSQL too
}

// Start opens everything, applies or checks migrations, seeds an empty
// database if configured, and serves until ctx ends.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger, opt StartOptions) (*Instance, error) {
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Instance, error) { _ = models.Close(db); return nil, err }
	if err := ensureSchema(ctx, db, cfg, log, opt.Migrate); err != nil {
		return fail(err)
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return fail(err)
	}
	secret, err := loadSecret(cfg)
	if err != nil {
		return fail(err)
	}
	svc := services.New(db, store, log, cfg.SessionMaxAge)
	hub := live.NewHub(500, 256)
	svc.Live = services.NewLive(db, hub, log)
	if cfg.Seed {
		if err := seedIfEmpty(ctx, svc, log); err != nil {
			return fail(err)
		}
	}
	ctx, stop := context.WithCancel(ctx)
	srv, err := server.New(server.Deps{Cfg: cfg, Svc: svc, Log: log, Secret: secret,
		Metrics: server.NewMetrics(models.SQL(db)), Done: ctx.Done()})
	if err != nil {
		stop()
		return fail(err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		stop()
		return fail(fmt.Errorf("listen on %s: %w", cfg.Addr, err))
	}
	if cfg.UsesPostgres() {
		// Events of every instance reach this one's subscribers.
		go func() {
			if err := live.Listen(ctx, cfg.DatabaseURL, hub, log); err != nil && ctx.Err() == nil {
				log.Error("live listener stopped", "err", err)
			}
		}()
	}
	inst := &Instance{Addr: ln.Addr().String(), Svc: svc, DB: db, done: make(chan error, 1), stop: stop}
	inst.URL = "http://" + strings.Replace(inst.Addr, "[::]", "localhost", 1)
	go func() {
		errc := make(chan error, 1)
		go func() { errc <- srv.Listener(ln) }()
		var err error
		select {
		case err = <-errc:
		case <-ctx.Done():
			err = srv.ShutdownWithTimeout(10 * time.Second)
		}
		_ = models.Close(db)
		inst.done <- err
	}()
	go sweep(ctx, svc, log)
	log.Info("werkstatt serving", "addr", inst.Addr, "base_url", cfg.BaseURL, "database", db.Dialector.Name(), "store", store.Name())
	return inst, nil
}

func openDB(ctx context.Context, cfg config.Config, log *slog.Logger) (*gorm.DB, error) {
	if cfg.DatabaseURL != "" && !cfg.UsesPostgres() {
		return nil, fmt.Errorf("DATABASE_URL must start with postgres:// (leave it empty for SQLite)")
	}
	return models.Open(ctx, models.Options{PostgresURL: cfg.DatabaseURL, SQLitePath: cfg.SQLitePath(), Log: log})
}

// ensureSchema migrates SQLite by itself; on PostgreSQL, a schema that is
// behind stops the start unless migrating was asked for, because several
// instances may share it and migrating is an operator's decision.
func ensureSchema(ctx context.Context, db *gorm.DB, cfg config.Config, log *slog.Logger, migrate bool) error {
	if !cfg.UsesPostgres() || migrate {
		applied, err := migrations.Up(ctx, db)
		if len(applied) > 0 {
			log.Info("migrations applied", "steps", applied)
		}
		return err
	}
	pending, err := migrations.Pending(ctx, db)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("the PostgreSQL schema is behind by %d migration(s) (%s): run `werkstatt migrate` first, or `werkstatt serve --migrate`",
			len(pending), strings.Join(pending, ", "))
	}
	return nil
}

func openStore(ctx context.Context, cfg config.Config) (storage.Store, error) {
	if cfg.S3Endpoint == "" {
		return storage.NewLocal(cfg.UploadsDir)
	}
	return storage.NewS3(ctx, storage.S3Config{Endpoint: cfg.S3Endpoint, AccessKey: cfg.S3AccessKey,
		SecretKey: cfg.S3SecretKey, Bucket: cfg.S3Bucket, UseSSL: cfg.S3UseSSL, Region: cfg.S3Region})
}

// loadSecret returns WERKSTATT_SECRET, or a random key kept in the data
// folder so that sessions and forms survive a restart.
func loadSecret(cfg config.Config) ([]byte, error) {
	if cfg.Secret != "" {
		if len(cfg.Secret) < 32 {
			return nil, errors.New("WERKSTATT_SECRET must be at least 32 characters")
		}
		return []byte(cfg.Secret), nil
	}
	path := filepath.Join(cfg.DataDir, "secret")
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return b, nil
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	secret := []byte(hex.EncodeToString(buf))
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	if err := os.WriteFile(path, secret, 0o600); err != nil {
		return nil, fmt.Errorf("keep secret: %w", err)
	}
	return secret, nil
}

// sweep removes expired sessions every hour until ctx ends.
func sweep(ctx context.Context, svc *services.Services, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := svc.Live.SweepEvents(ctx); err != nil {
				log.Warn("sweep live events", "err", err)
			}
			if n, err := svc.SweepObjects(ctx, 24*time.Hour); err != nil {
				log.Warn("sweep objects", "err", err)
			} else if n > 0 {
				log.Info("unreferenced objects removed", "count", n)
			}
			if n, err := svc.SweepSessions(ctx); err != nil {
				log.Warn("sweep sessions", "err", err)
			} else if n > 0 {
				log.Info("expired sessions removed", "count", n)
			}
		}
	}
}
