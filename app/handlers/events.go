package handlers

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/live"
)

// heartbeat keeps proxies from closing a quiet stream and lets the server
// notice clients that went away.
const heartbeat = 15 * time.Second

// Events streams a workshop's events as Server-Sent Events, at
// /w/:slug/events and /api/v1/workshops/:slug/events. A client that
// reconnects with Last-Event-ID gets what it missed first.
func Events(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, err := d.Svc.Workshop(c.UserContext(), Actor(c), param(c, "slug"))
		if err != nil {
			return err
		}
		lastID, _ := strconv.ParseInt(c.Get("Last-Event-ID", c.Query("last_event_id")), 10, 64)
		hub := d.Svc.Live.Hub
		sub := hub.Subscribe(w.ID) // before reading the backlog, so nothing falls between
		backlog, ok := hub.Since(w.ID, lastID)
		if !ok && lastID > 0 {
			if backlog, err = d.Svc.Live.Backlog(c.UserContext(), w.ID, lastID); err != nil {
				hub.Unsubscribe(sub)
				return err
			}
		}
		c.Set(fiber.HeaderContentType, "text/event-stream")
		c.Set(fiber.HeaderCacheControl, "no-cache")
		c.Set("X-Accel-Buffering", "no")
		ctx := c.UserContext()
		c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
			defer hub.Unsubscribe(sub)
			stream(ctx, d.Done, bw, sub, backlog, lastID)
		})
		return nil
	}
}

func stream(ctx context.Context, done <-chan struct{}, bw *bufio.Writer, sub *live.Sub, backlog []live.Event, sent int64) {
	// Ask browsers to wait a little before reconnecting, spreading a room's
	// reconnections after a restart.
	fmt.Fprintf(bw, "retry: 3000\n: connected\n\n")
	for _, e := range backlog {
		if e.ID > sent {
			writeEvent(bw, e)
			sent = e.ID
		}
	}
	if bw.Flush() != nil {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-done:
			return
		case e, open := <-sub.C:
			if !open {
				return // too slow: dropped; the client reconnects and catches up
			}
			if e.ID <= sent {
				continue // already sent from the backlog
			}
			writeEvent(bw, e)
			sent = e.ID
		case <-tick.C:
			fmt.Fprint(bw, ": ping\n\n")
		}
		if bw.Flush() != nil {
			return // the client went away
		}
	}
}

func writeEvent(bw *bufio.Writer, e live.Event) {
	fmt.Fprintf(bw, "id: %d\nevent: %s\ndata: %s\n\n", e.ID, e.Name, e.Data)
}
