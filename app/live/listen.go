package live

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
)

// Channel is the PostgreSQL notification channel of Werkstatt's events.
const Channel = "werkstatt_live"

// Forget empties the remembered windows: after a gap in what this instance
// heard, resuming clients must read from the database.
func (h *Hub) Forget() {
	h.mu.Lock()
	h.recent = map[uint64][]Event{}
	h.mu.Unlock()
}

// Listen delivers every event notified on Channel to the hub until ctx
// ends, reconnecting by itself when the connection is lost.
func Listen(ctx context.Context, databaseURL string, h *Hub, log *slog.Logger) error {
	l := &pgxlisten.Listener{
		Connect:        func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, databaseURL) },
		ReconnectDelay: time.Second,
		LogError: func(ctx context.Context, err error) {
			log.Warn("live listener", "err", err)
		},
	}
	l.Handle(Channel, &notifyHandler{hub: h})
	return l.Listen(ctx)
}

type notifyHandler struct{ hub *Hub }

func (n *notifyHandler) HandleNotification(ctx context.Context, msg *pgconn.Notification, _ *pgx.Conn) error {
	var e Event
	if err := json.Unmarshal([]byte(msg.Payload), &e); err != nil {
		return fmt.Errorf("live: bad notification: %w", err)
	}
	n.hub.Deliver(e)
	return nil
}

// HandleBacklog runs at every (re)connect: what was said meanwhile was not
// heard here, so the windows can no longer be trusted.
func (n *notifyHandler) HandleBacklog(context.Context, string, *pgx.Conn) error {
	n.hub.Forget()
	return nil
}
