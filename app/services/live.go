package services

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"gorm.io/gorm"

	"werkstatt/app/live"
	"werkstatt/models"
)

// Live publishes workshop events after commit: stored in live_events (the
// id orders them and lets clients resume), then handed to this instance's
// hub on SQLite, or notified through PostgreSQL to every instance's hub.
type Live struct {
	Hub    *live.Hub
	db     *gorm.DB
	notify bool // PostgreSQL: deliver through NOTIFY, heard by every instance
	log    interface{ Warn(string, ...any) }

	mu      sync.Mutex
	pending map[uint64]bool // ideas with a coalesced vote.changed on its way
	delay   time.Duration
}

// NewLive wires event publication for db.
func NewLive(db *gorm.DB, hub *live.Hub, log interface{ Warn(string, ...any) }) *Live {
	return &Live{Hub: hub, db: db, notify: models.IsPostgres(db), log: log,
		pending: map[uint64]bool{}, delay: 150 * time.Millisecond}
}

// Publish stores and sends one event. Failures are logged, never returned:
// the change itself is committed already, and clients catch up on reload.
func (l *Live) Publish(ctx context.Context, workshopID uint64, name string, data any) {
	if l == nil {
		return
	}
	raw, err := json.Marshal(data)
	if err != nil {
		l.log.Warn("live: encode event", "name", name, "err", err)
		return
	}
	ctx = context.WithoutCancel(ctx)
	row := models.LiveEvent{WorkshopID: workshopID, Name: name, Data: string(raw), CreatedAt: time.Now().UTC()}
	if err := l.db.WithContext(ctx).Create(&row).Error; err != nil {
		l.log.Warn("live: store event", "name", name, "err", err)
		return
	}
	e := live.Event{ID: row.ID, Workshop: workshopID, Name: name, Data: raw}
	if !l.notify {
		l.Hub.Deliver(e)
		return
	}
	payload, _ := json.Marshal(e)
	if err := l.db.WithContext(ctx).Exec("SELECT pg_notify(?, ?)", live.Channel, string(payload)).Error; err != nil {
		l.log.Warn("live: notify", "name", name, "err", err)
	}
}

// VoteChanged announces an idea's new counts, at most once per delay per
// idea: a burst of votes becomes one event carrying the latest numbers.
func (l *Live) VoteChanged(workshopID, ideaID uint64) {
	if l == nil {
		return
	}
	l.mu.Lock()
	if l.pending[ideaID] {
		l.mu.Unlock()
		return
	}
	l.pending[ideaID] = true
	l.mu.Unlock()
	time.AfterFunc(l.delay, func() {
		l.mu.Lock()
		delete(l.pending, ideaID)
		l.mu.Unlock()
		var idea models.Idea
		if err := l.db.Select("id", "votes_count", "dots_count").Take(&idea, ideaID).Error; err != nil {
			return // deleted meanwhile
		}
		l.Publish(context.Background(), workshopID, live.VoteChanged,
			map[string]any{"idea_id": ideaID, "votes": idea.VotesCount, "dots": idea.DotsCount})
	})
}

// Backlog reads stored events of a workshop after lastID, oldest first,
// bounded to what a reconnecting client may reasonably have missed.
func (l *Live) Backlog(ctx context.Context, workshopID uint64, lastID int64) ([]live.Event, error) {
	var rows []models.LiveEvent
	err := l.db.WithContext(ctx).Where("workshop_id = ? AND id > ? AND created_at > ?", workshopID, lastID,
		time.Now().UTC().Add(-time.Hour)).Order("id").Limit(1000).Find(&rows).Error
	out := make([]live.Event, len(rows))
	for i, r := range rows {
		out[i] = live.Event{ID: r.ID, Workshop: r.WorkshopID, Name: r.Name, Data: json.RawMessage(r.Data)}
	}
	return out, dbErr(err)
}

// SweepEvents deletes stored events older than a day.
func (l *Live) SweepEvents(ctx context.Context) error {
	return dbErr(l.db.WithContext(ctx).Where("created_at < ?", time.Now().UTC().Add(-24*time.Hour)).Delete(&models.LiveEvent{}).Error)
}
