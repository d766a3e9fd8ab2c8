// Package models holds Werkstatt's GORM models, the queries on them, WithTx,
// and the versioned schema steps in models/migrations. Models know nothing of
// HTTP; services own transactions and call the queries here.
package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Options says which database to open.
type Options struct {
	PostgresURL string // when set, PostgreSQL; otherwise SQLite at SQLitePath
	SQLitePath  string
	Log         *slog.Logger
}

// Open connects to the database and tunes the pool for its kind.
func Open(ctx context.Context, o Options) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		TranslateError:         true,
		SkipDefaultTransaction: true, // services open transactions themselves
		NowFunc:                func() time.Time { return time.Now().UTC() },
		PrepareStmt:            true,
	}
	var dialector gorm.Dialector
	if o.PostgresURL != "" {
		dialector = postgres.Open(o.PostgresURL)
	} else {
		if err := os.MkdirAll(filepath.Dir(o.SQLitePath), 0o750); err != nil {
			return nil, fmt.Errorf("create data folder: %w", err)
		}
		// WAL lets readers run beside the writer; IMMEDIATE transactions take
		// the write lock at BEGIN, so concurrent writers wait for the busy
		// timeout instead of failing on a lock upgrade.
		dsn := o.SQLitePath + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
			"&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		dialector = sqlite.Open(dsn)
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("database handle: %w", err)
	}
	if o.PostgresURL != "" {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(20)
	} else {
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("reach database: %w", err)
	}
	return db, nil
}

// Close closes the pool.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers, for /readyz.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// SQL returns the underlying pool, e.g. for pool metrics.
func SQL(db *gorm.DB) *sql.DB {
	sqlDB, _ := db.DB()
	return sqlDB
}

// IsPostgres reports whether db talks to PostgreSQL.
func IsPostgres(db *gorm.DB) bool { return db.Dialector.Name() == "postgres" }

// WithTx runs fn in a transaction: committed when fn returns nil, rolled back
// otherwise. Nothing that leaves the process may happen inside fn.
func WithTx(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	return db.WithContext(ctx).Transaction(fn)
}

// ErrNotFound is returned by queries whose row must exist.
var ErrNotFound = gorm.ErrRecordNotFound

// ErrDuplicate is returned when a unique constraint refuses a row.
var ErrDuplicate = gorm.ErrDuplicatedKey

// IsNotFound reports whether err means "no such row".
func IsNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }

// IsDuplicate reports whether err is a unique constraint violation.
func IsDuplicate(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }
