package services

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"gorm.io/gorm"

	"werkstatt/app/apperr"
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

	mu    sync.Mutex
	votes map[uint64]*voteRound // workshops with vote.changed events on their way
	delay time.Duration
}

// publishLock is the key of the PostgreSQL advisory lock held while events
// are stored and notified.
const publishLock = 0x7765726b73746174 // "werkstat"

// maxNotify bounds one notification's payload, below PostgreSQL's 8000 bytes.
const maxNotify = 7000

// NewLive wires event publication for db.
func NewLive(db *gorm.DB, hub *live.Hub, log interface{ Warn(string, ...any) }) *Live {
	return &Live{Hub: hub, db: db, notify: models.IsPostgres(db), log: log,
		votes: map[uint64]*voteRound{}, delay: 150 * time.Millisecond}
}

// Publish stores and sends one event. Failures are logged, never returned:
// the change itself is committed already, and clients catch up on reload.
func (l *Live) Publish(ctx context.Context, workshopID uint64, name string, data any) {
	if l == nil {
		return
	}
	l.publish(ctx, workshopID, name, func(*gorm.DB) ([]any, error) { return []any{data}, nil })
}

// publish stores the events whose data the function returns, in turn with
// every other publisher (see Live.pub); data reads within that turn. The
// events of one call reach the hubs together.
func (l *Live) publish(ctx context.Context, workshopID uint64, name string, data func(tx *gorm.DB) ([]any, error)) {
	ctx = context.WithoutCancel(ctx)
	l.pub.Lock()
	defer l.pub.Unlock()
	var events []live.Event
	err := models.WithTx(ctx, l.db, func(tx *gorm.DB) error {
		events = events[:0]
		if l.notify {
			// Held until commit; notifications are delivered in commit order.
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", publishLock).Error; err != nil {
				return err
			}
		}
		ds, err := data(tx)
		if err != nil {
			return err
		}
		for _, d := range ds {
			raw, err := json.Marshal(d)
			if err != nil {
				return err
			}
			row := models.LiveEvent{WorkshopID: workshopID, Name: name, Data: string(raw), CreatedAt: time.Now().UTC()}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
			events = append(events, live.Event{ID: row.ID, Workshop: workshopID, Name: name, Data: raw})
		}
		if !l.notify {
			return nil
		}
		return notify(tx, events)
	})
	if err != nil {
		l.log.Warn("live: publish events", "name", name, "err", err)
		return
	}
	if !l.notify && len(events) > 0 {
		l.Hub.Deliver(events...)
	}
}

// Ready waits until this instance hears the events it is to pass on: on
// PostgreSQL, until its listener is listening, which follows the start by
// moments; a follower who came earlier would miss what was said meanwhile.
func (l *Live) Ready(ctx context.Context) error {
	if !l.notify {
		return nil
	}
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case <-l.Hub.Listening():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return apperr.New(apperr.Unavailable, "error.unavailable")
	}
}

// notify sends events as JSON arrays of at most maxNotify bytes.
func notify(tx *gorm.DB, events []live.Event) error {
	for len(events) > 0 {
		n := len(events)
		payload, err := json.Marshal(events[:n])
		for err == nil && len(payload) > maxNotify && n > 1 {
			n /= 2
			payload, err = json.Marshal(events[:n])
		}
		if err != nil {
			return err
		}
		if err := tx.Exec("SELECT pg_notify("+live.ChannelSQL+", ?)", string(payload)).Error; err != nil {
			return err
		}
		events = events[n:]
	}
	return nil
}

// voteRound gathers a workshop's ideas whose votes changed. While one
// round is scheduled or being published, further votes only join the next:
// a burst of votes becomes one vote.changed event per idea per delay,
// carrying the latest numbers, and all of a round's events travel
// together, so 2,000 followers are woken once per round, not once per idea.
type voteRound struct {
	scheduled bool                // a round is scheduled or being published
	ideas     map[uint64]struct{} // ideas voted on since their counts were read
}

// VoteChanged announces an idea's new counts within delay.
func (l *Live) VoteChanged(workshopID, ideaID uint64) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.votes[workshopID]
	if r == nil {
		r = &voteRound{ideas: map[uint64]struct{}{}}
		l.votes[workshopID] = r
	}
	r.ideas[ideaID] = struct{}{}
	if !r.scheduled {
		r.scheduled = true
		time.AfterFunc(l.delay, func() { l.announceVotes(workshopID, r) })
	}
}

// announceVotes publishes a round. The counts are read in the publisher's
// turn, after every vote of the round was committed, so a later event
// never carries older counts than an earlier one, on any instance.
func (l *Live) announceVotes(workshopID uint64, r *voteRound) {
	l.mu.Lock()
	ids := make([]uint64, 0, len(r.ideas))
	for id := range r.ideas {
		ids = append(ids, id)
	}
	r.ideas = map[uint64]struct{}{} // votes from now on join the next round
	l.mu.Unlock()
	l.publish(context.Background(), workshopID, live.VoteChanged, func(tx *gorm.DB) ([]any, error) {
		var ideas []models.Idea
		if err := tx.Select("id", "votes_count", "dots_count").Where("id IN ?", ids).Order("id").Find(&ideas).Error; err != nil {
			return nil, err
		}
		out := make([]any, len(ideas)) // deleted ideas have nothing to say
		for i, idea := range ideas {
			out[i] = map[string]any{"idea_id": idea.ID, "votes": idea.VotesCount, "dots": idea.DotsCount}
		}
		return out, nil
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(r.ideas) > 0 {
		time.AfterFunc(l.delay, func() { l.announceVotes(workshopID, r) })
		return
	}
	r.scheduled = false
	delete(l.votes, workshopID)
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
