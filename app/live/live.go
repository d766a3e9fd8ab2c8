// Package live fans workshop events out to the pages and API clients that
// follow a workshop (Server-Sent Events). Events are stored with an id by
// the services after their transaction commits; this package keeps the
// subscribers of this instance, a short window of recent events per
// workshop so a client that reconnects with Last-Event-ID misses nothing,
// and drops clients that cannot keep up instead of letting them slow the
// others. Across instances, PostgreSQL LISTEN/NOTIFY (listen.go) carries
// each event to every instance's Hub. It is a leaf: it imports nothing of ours.
package live

import (
	"encoding/json"
	"sync"
)

// Event is one change in a workshop. Data carries ids and counts, never
// personal data.
type Event struct {
	ID       int64           `json:"id"`
	Workshop uint64          `json:"workshop"`
	Name     string          `json:"name"`
	Data     json.RawMessage `json:"data"`
}

// Event names.
const (
	IdeaCreated      = "idea.created"
	IdeaUpdated      = "idea.updated"
	VoteChanged      = "vote.changed"
	PhaseChanged     = "phase.changed"
	TimerChanged     = "timer.changed"
	SpotlightChanged = "spotlight.changed"
	WallChanged      = "wall.changed"
)

// Sub is one follower of a workshop. Its channel is closed when the hub
// drops it for being too slow, or when it unsubscribes.
type Sub struct {
	C        <-chan Event
	c        chan Event
	workshop uint64
	closed   bool
}

// Hub holds the subscribers of this instance.
type Hub struct {
	mu      sync.Mutex
	subs    map[uint64]map[*Sub]struct{}
	recent  map[uint64][]Event
	keep    int // recent events kept per workshop
	bufSize int // events a subscriber may fall behind before it is dropped

	listening chan struct{} // closed once a listener hears for this hub
	once      sync.Once
}

// NewHub returns a hub keeping keep recent events per workshop and letting
// each subscriber fall behind by at most buf events.
func NewHub(keep, buf int) *Hub {
	return &Hub{subs: map[uint64]map[*Sub]struct{}{}, recent: map[uint64][]Event{}, keep: keep, bufSize: buf,
		listening: make(chan struct{})}
}

// Listening is closed once Listen has started hearing events for this hub.
// Where events travel through PostgreSQL, a follower who subscribes before
// then would miss what is said meanwhile.
func (h *Hub) Listening() <-chan struct{} { return h.listening }

// Subscribe follows a workshop.
func (h *Hub) Subscribe(workshop uint64) *Sub {
	c := make(chan Event, h.bufSize)
	s := &Sub{C: c, c: c, workshop: workshop}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[workshop] == nil {
		h.subs[workshop] = map[*Sub]struct{}{}
	}
	h.subs[workshop][s] = struct{}{}
	return s
}

// Unsubscribe stops following; safe to call twice.
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(s)
}

func (h *Hub) drop(s *Sub) {
	if s.closed {
		return
	}
	s.closed = true
	delete(h.subs[s.workshop], s)
	if len(h.subs[s.workshop]) == 0 {
		delete(h.subs, s.workshop)
	}
	close(s.c)
}

// Deliver hands events to this instance's subscribers of their workshops
// and remembers them. Events published together are delivered together, so
// a follower is woken once for them. It never blocks: a subscriber whose
// buffer is full is dropped; it reconnects and catches up from Since.
func (h *Hub) Deliver(events ...Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range events {
		r := append(h.recent[e.Workshop], e)
		if len(r) > h.keep {
			r = r[len(r)-h.keep:]
		}
		h.recent[e.Workshop] = r
		for s := range h.subs[e.Workshop] {
			select {
			case s.c <- e:
			default:
				h.drop(s)
			}
		}
	}
}

// Since returns the remembered events of a workshop after lastID. ok is
// false when events after lastID may have been forgotten already (the
// caller then reads them from the database).
func (h *Hub) Since(workshop uint64, lastID int64) (events []Event, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	// Ids come from one sequence for all workshops, so they have gaps. The
	// window holds every event of the workshop from its first entry on; what
	// came before it can only be answered by the database.
	r := h.recent[workshop]
	if len(r) == 0 || lastID < r[0].ID {
		return nil, false
	}
	for _, e := range r {
		if e.ID > lastID {
			events = append(events, e)
		}
	}
	return events, true
}

// Subscribers counts this instance's followers of a workshop.
func (h *Hub) Subscribers(workshop uint64) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[workshop])
}
