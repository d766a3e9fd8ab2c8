package live

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
)

// Channel is the PostgreSQL notification channel of Werkstatt's events
// in the schema "public".
const Channel = "werkstatt_live"

// ChannelSQL names the notification channel of the connection's schema.
// Notifications are per database, not per schema: instances that share a
// database but keep their data in different schemas (as the tests do)
// must not hear each other's events, whose workshop ids mean other rows.
const ChannelSQL = "CASE current_schema() WHEN 'public' THEN '" + Channel + "' ELSE '" + Channel + "_' || md5(current_schema()) END"

// Forget is for a gap in what this instance heard (its listener lost the
// connection, or had none yet): the remembered windows are emptied, so
// resuming clients read from the database, and the followers are dropped,
// so they reconnect with Last-Event-ID and get what fell into the gap.
func (h *Hub) Forget() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recent = map[uint64][]Event{}
	for _, subs := range h.subs {
		for s := range subs {
			h.drop(s)
		}
	}
}

// Listen delivers every event notified on the channel of databaseURL's
// schema to the hub until ctx ends, reconnecting by itself when the
// connection is lost.
func Listen(ctx context.Context, databaseURL string, h *Hub, log *slog.Logger) error {
	connect := func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, databaseURL) }
	channel, err := channelOf(ctx, connect, log)
	if err != nil {
		return err
	}
	l := &pgxlisten.Listener{
		Connect:        connect,
		ReconnectDelay: time.Second,
		LogError: func(ctx context.Context, err error) {
			log.Warn("live listener", "err", err)
		},
	}
	l.Handle(channel, &notifyHandler{hub: h})
	return l.Listen(ctx)
}

// channelOf asks the database for the channel's name, trying again every
// second while it cannot be reached, until ctx ends.
func channelOf(ctx context.Context, connect func(context.Context) (*pgx.Conn, error), log *slog.Logger) (string, error) {
	for {
		conn, err := connect(ctx)
		if err == nil {
			var channel string
			err = conn.QueryRow(ctx, "SELECT "+ChannelSQL).Scan(&channel)
			_ = conn.Close(context.WithoutCancel(ctx))
			if err == nil {
				return channel, nil
			}
		}
		log.Warn("live listener: find the channel", "err", err)
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

type notifyHandler struct{ hub *Hub }

// HandleNotification delivers a notification's events: a JSON array of
// the events published together, or a single event.
func (n *notifyHandler) HandleNotification(ctx context.Context, msg *pgconn.Notification, _ *pgx.Conn) error {
	payload := bytes.TrimSpace([]byte(msg.Payload))
	var events []Event
	if len(payload) > 0 && payload[0] == '[' {
		if err := json.Unmarshal(payload, &events); err != nil {
			return fmt.Errorf("live: bad notification: %w", err)
		}
	} else {
		var e Event
		if err := json.Unmarshal(payload, &e); err != nil {
			return fmt.Errorf("live: bad notification: %w", err)
		}
		events = []Event{e}
	}
	n.hub.Deliver(events...)
	return nil
}

// HandleBacklog runs at every (re)connect, once listening: what was said
// before was not heard here.
func (n *notifyHandler) HandleBacklog(context.Context, string, *pgx.Conn) error {
	n.hub.Forget()
	n.hub.once.Do(func() { close(n.hub.listening) })
	return nil
}
