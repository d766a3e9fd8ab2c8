package handlers

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/live"
)

// heartbeat keeps proxies from closing a quiet stream and lets the server
// notice clients that went away. It is a variable only for tests.
var heartbeat atomic.Int64

func init() { heartbeat.Store(int64(15 * time.Second)) }

// SetHeartbeat sets the heartbeat interval of streams opened from now on
// and returns the previous one. Tests use it; the server never changes it.
func SetHeartbeat(d time.Duration) time.Duration {
	return time.Duration(heartbeat.Swap(int64(d)))
}

// writeWait is how long one write to a stream's client may take. The
// server's WriteTimeout is a deadline for a whole response, set once when
// it starts; a stream lives longer than that, so each write moves the
// deadline on instead. A client that stops reading still fails by it.
const writeWait = time.Minute

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
		if err := d.Svc.Live.Ready(c.UserContext()); err != nil {
			return err
		}
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
		conn := c.Context().Conn()
		c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
			defer hub.Unsubscribe(sub)
			stream(ctx, d.Done, conn, bw, sub, backlog, lastID)
		})
		return nil
	}
}

// flushGap paces a stream's writes: an event after a quiet spell goes out
// at once, but events that follow each other closely are written together,
// at most one write per flushGap. With 2,000 followers each write is a
// system call on the server and a wake-up on the phone; pacing them keeps
// a busy workshop from spending its CPU on them.
const flushGap = 40 * time.Millisecond

func stream(ctx context.Context, done <-chan struct{}, conn net.Conn, bw *bufio.Writer, sub *live.Sub, backlog []live.Event, sent int64) {
	var last time.Time // of the latest flush
	flush := func() error {
		last = time.Now()
		_ = conn.SetWriteDeadline(last.Add(writeWait))
		return bw.Flush()
	}
	// Ask browsers to wait a little before reconnecting, spreading a room's
	// reconnections after a restart.
	bw.WriteString("retry: 3000\n: connected\n\n")
	for _, e := range backlog {
		if e.ID > sent {
			writeEvent(bw, e)
			sent = e.ID
		}
	}
	if flush() != nil {
		return
	}
	tick := time.NewTicker(time.Duration(heartbeat.Load()))
	defer tick.Stop()
	pace := time.NewTimer(time.Hour)
	pace.Stop()
	paced := false // pace is running: what is buffered goes out when it fires
	for {
		select {
		case <-ctx.Done():
			return
		case <-done:
			return
		case e, open := <-sub.C:
			// Take what else is waiting too: events published together
			// arrive together, and go out in one write.
			for more := true; more; {
				if !open {
					return // too slow: dropped; the client reconnects and catches up
				}
				if e.ID > sent { // else sent already from the backlog
					writeEvent(bw, e)
					sent = e.ID
				}
				select {
				case e, open = <-sub.C:
				default:
					more = false
				}
			}
		case <-tick.C:
			bw.WriteString(": ping\n\n")
		case <-pace.C:
			paced = false
		}
		if paced {
			continue
		}
		if wait := flushGap - time.Since(last); wait > 0 {
			pace.Reset(wait)
			paced = true
			continue
		}
		if flush() != nil {
			return // the client went away
		}
	}
}

// writeEvent writes one event in the text/event-stream format. Event
// names are fixed words and data is compact JSON, so neither holds a line
// break.
func writeEvent(bw *bufio.Writer, e live.Event) {
	var num [20]byte
	bw.WriteString("id: ")
	bw.Write(strconv.AppendInt(num[:0], e.ID, 10))
	bw.WriteString("\nevent: ")
	bw.WriteString(e.Name)
	bw.WriteString("\ndata: ")
	bw.Write(e.Data)
	bw.WriteString("\n\n")
}
