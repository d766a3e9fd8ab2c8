// Package migrations holds Werkstatt's schema as numbered steps, one file
// each. A step carries its own frozen copy of the structs it creates or
// changes, never the live models, so old steps mean the same forever. Each
// step runs in its own transaction and is recorded in schema_migrations.
package migrations

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Migration is one versioned step.
type Migration struct {
	ID string // sortable: "0001_initial"
	Up func(tx *gorm.DB) error
}

// all lists the steps in order; append, never edit or reorder.
var all = []Migration{
	{ID: "0001_initial", Up: up0001Initial},
	{ID: "0002_prototypes", Up: up0002Prototypes},
	{ID: "0003_live", Up: up0003Live},
}

type schemaMigration struct {
	ID        string `gorm:"primaryKey;size:100"`
	AppliedAt time.Time
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// Latest is the id of the newest step.
func Latest() string { return all[len(all)-1].ID }

// Pending lists the steps not yet applied to db.
func Pending(ctx context.Context, db *gorm.DB) ([]string, error) {
	db = db.WithContext(ctx)
	if !db.Migrator().HasTable(&schemaMigration{}) {
		ids := make([]string, len(all))
		for i, m := range all {
			ids[i] = m.ID
		}
		return ids, nil
	}
	var done []string
	if err := db.Model(&schemaMigration{}).Pluck("id", &done).Error; err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	applied := make(map[string]bool, len(done))
	for _, id := range done {
		applied[id] = true
	}
	var pending []string
	for _, m := range all {
		if !applied[m.ID] {
			pending = append(pending, m.ID)
		}
	}
	return pending, nil
}

// Up applies every pending step and returns their ids. On PostgreSQL an
// advisory lock keeps two instances from migrating at the same time.
func Up(ctx context.Context, db *gorm.DB) ([]string, error) {
	db = db.WithContext(ctx)
	if db.Dialector.Name() == "postgres" {
		conn, err := db.DB()
		if err != nil {
			return nil, err
		}
		c, err := conn.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		defer c.Close()
		const lockKey = 7_451_223_001 // any constant unique to Werkstatt
		if _, err := c.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		defer c.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey) //nolint:errcheck
	}
	if err := db.Migrator().AutoMigrate(&schemaMigration{}); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	pending, err := Pending(ctx, db)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Migration, len(all))
	for _, m := range all {
		byID[m.ID] = m
	}
	for _, id := range pending {
		m := byID[id]
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := m.Up(tx); err != nil {
				return err
			}
			return tx.Create(&schemaMigration{ID: m.ID, AppliedAt: time.Now().UTC()}).Error
		})
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", m.ID, err)
		}
	}
	return pending, nil
}
