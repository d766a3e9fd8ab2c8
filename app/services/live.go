package services

import (
	"context"
	"encoding/json"
	"errors"
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

	// pub makes this instance's publishers take turns, and on PostgreSQL an
	// advisory lock makes all instances' publishers take turns: ids are then
	// stored, committed and delivered in one order. A stream skips ids it
	// has passed and a resuming client asks for ids above the last it saw,
	// so an event overtaken by a younger one would be lost to both.
	pub sync.Mutex

	mu      sync.Mutex
	pending map[uint64]*coalesced // ideas with a vote.changed on its way
	delay   time.Duration
}

// publishLock is the key of the PostgreSQL advisory lock held while an
// event is stored and notified.
const publishLock = 0x7765726b73746174 // "werkstat"

// errSkip ends a publication that has nothing to say.
var errSkip = errors.New("live: nothing to publish")

// NewLive wires event publication for db.
func NewLive(db *gorm.DB, hub *live.Hub, log interface{ Warn(string, ...any) }) *Live {
	return &Live{Hub: hub, db: db, notify: models.IsPostgres(db), log: log,
		pending: map[uint64]*coalesced{}, delay: 150 * time.Millisecond}
}

// Publish stores and sends one event. Failures are logged, never returned:
// the change itself is committed already, and clients catch up on reload.
func (l *Live) Publish(ctx context.Context, workshopID uint64, name string, data any) {
	if l == nil {
		return
	}
	l.publish(ctx, workshopID, name, func(*gorm.DB) (any, error) { return data, nil })
}

// publish stores the event that data returns, in turn with every other
// publisher (see Live.pub); data reads within that turn.
func (l *Live) publish(ctx context.Context, workshopID uint64, name string, data func(tx *gorm.DB) (any, error)) {
	ctx = context.WithoutCancel(ctx)
	l.pub.Lock()
	defer l.pub.Unlock()
	var e live.Event
	err := models.WithTx(ctx, l.db, func(tx *gorm.DB) error {
		if l.notify {
			// Held until commit; notifications are delivered in commit order.
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", publishLock).Error; err != nil {
				return err
			}
		}
		d, err := data(tx)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(d)
		if err != nil {
			return err
		}
		row := models.LiveEvent{WorkshopID: workshopID, Name: name, Data: string(raw), CreatedAt: time.Now().UTC()}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		e = live.Event{ID: row.ID, Workshop: workshopID, Name: name, Data: raw}
		if !l.notify {
			return nil
		}
		payload, err := json.Marshal(e)
		if err != nil {
			return err
		}
		return tx.Exec("SELECT pg_notify(?, ?)", live.Channel, string(payload)).Error
	})
	if errors.Is(err, errSkip) {
		return
	}
	if err != nil {
		l.log.Warn("live: publish event", "name", name, "err", err)
		return
	}
	if !l.notify {
		l.Hub.Deliver(e)
	}
}

// VoteChanged announces an idea's new counts, at most once per delay per
// idea: a burst of votes becomes one event carrying the latest numbers.
// The counts are read in the publisher's turn, so a later event never
// carries older counts than an earlier one, on any instance.
func (l *Live) VoteChanged(workshopID, ideaID uint64) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.pending[ideaID]
	if c == nil {
		c = &coalesced{}
		l.pending[ideaID] = c
	}
	c.dirty = true
	if !c.scheduled {
		c.scheduled = true
		time.AfterFunc(l.delay, func() { l.announceVotes(workshopID, ideaID, c) })
	}
}

// coalesced is the state of one idea's vote announcements. While one is
// scheduled or being published, further votes only mark it dirty: at most
// one announcement per idea is ever on its way, however slow publishing
// gets, and none is lost.
type coalesced struct {
	scheduled bool // an announcement is scheduled or being published
	dirty     bool // votes since the counts were last read
}

func (l *Live) announceVotes(workshopID, ideaID uint64, c *coalesced) {
	l.mu.Lock()
	c.dirty = false // votes from now on are either read below or mark it again
	l.mu.Unlock()
	l.publish(context.Background(), workshopID, live.VoteChanged, func(tx *gorm.DB) (any, error) {
		var idea models.Idea
		if err := tx.Select("id", "votes_count", "dots_count").Take(&idea, ideaID).Error; err != nil {
			if models.IsNotFound(err) {
				return nil, errSkip // deleted meanwhile
			}
			return nil, err
		}
		return map[string]any{"idea_id": ideaID, "votes": idea.VotesCount, "dots": idea.DotsCount}, nil
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.dirty {
		time.AfterFunc(l.delay, func() { l.announceVotes(workshopID, ideaID, c) })
		return
	}
	c.scheduled = false
	delete(l.pending, ideaID)
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
