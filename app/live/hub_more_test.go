package live

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestForgetSendsEveryoneToTheDatabase(t *testing.T) {
	h := NewHub(10, 10)
	s, other := h.Subscribe(1), h.Subscribe(2)
	h.Deliver(ev(5, 1))
	if got, ok := h.Since(1, 5); !ok || len(got) != 0 {
		t.Fatalf("Since(5) = %v, %v before Forget; want nothing, true", got, ok)
	}
	h.Forget()
	if _, ok := h.Since(1, 5); ok {
		t.Fatal("after Forget the window still claims to be complete")
	}
	// Followers may have missed something too: they are dropped, to
	// reconnect and catch up from the database.
	if e := <-s.C; e.ID != 5 {
		t.Fatalf("follower got %d, want what it had been sent before (5)", e.ID)
	}
	for _, c := range []<-chan Event{s.C, other.C} {
		if _, open := <-c; open {
			t.Fatal("a follower is still following after Forget")
		}
	}
	if h.Subscribers(1)+h.Subscribers(2) != 0 {
		t.Fatal("followers left after Forget")
	}
	// New followers and a new window start afresh.
	n := h.Subscribe(1)
	h.Deliver(ev(9, 1))
	if e := <-n.C; e.ID != 9 {
		t.Fatalf("new follower got %d, want 9", e.ID)
	}
	if got, ok := h.Since(1, 9); !ok || len(got) != 0 {
		t.Fatalf("Since(9) = %v, %v; the new window starts at 9", got, ok)
	}
	if _, ok := h.Since(1, 8); ok {
		t.Fatal("Since(8) claimed completeness though event 8 could have been missed")
	}
	h.Unsubscribe(s) // dropped already: harmless
}

func TestWindowIsPerWorkshop(t *testing.T) {
	h := NewHub(2, 10)
	h.Deliver(ev(1, 1))
	for id := int64(2); id <= 10; id++ {
		h.Deliver(ev(id, 2)) // a busy workshop does not push out a quiet one's events
	}
	if got, ok := h.Since(1, 0); ok {
		t.Fatalf("Since(0) on workshop 1 = %v, true; event ids before 1 are unknown", got)
	}
	got, ok := h.Since(1, 1)
	if !ok || len(got) != 0 {
		t.Fatalf("workshop 1's window: %v, %v", got, ok)
	}
	got, ok = h.Since(2, 9)
	if !ok || len(got) != 1 || got[0].ID != 10 {
		t.Fatalf("workshop 2's window after 9: %v, %v; want 10", got, ok)
	}
	if _, ok := h.Since(2, 8); ok {
		t.Fatal("workshop 2's window claims to know what followed its evicted event 8")
	}
}

func TestDeliveryKeepsOrder(t *testing.T) {
	h := NewHub(1000, 1000)
	s := h.Subscribe(3)
	for id := int64(1); id <= 500; id++ {
		h.Deliver(ev(id, 3))
	}
	for want := int64(1); want <= 500; want++ {
		if e := <-s.C; e.ID != want {
			t.Fatalf("got event %d, want %d", e.ID, want)
		}
	}
}

func TestDeliverBatch(t *testing.T) {
	h := NewHub(10, 3)
	a, b := h.Subscribe(1), h.Subscribe(2)
	h.Deliver(ev(1, 1), ev(2, 2), ev(3, 1))
	if e1, e3 := <-a.C, <-a.C; e1.ID != 1 || e3.ID != 3 {
		t.Fatalf("workshop 1 got %d, %d; want 1, 3", e1.ID, e3.ID)
	}
	if e := <-b.C; e.ID != 2 {
		t.Fatalf("workshop 2 got %d, want 2", e.ID)
	}
	// A batch larger than a follower's buffer drops it, and only it.
	h.Unsubscribe(a)
	c, d := h.Subscribe(1), h.Subscribe(2)
	h.Deliver(ev(4, 1), ev(5, 1), ev(6, 1), ev(7, 1))
	n := 0
	for range c.C {
		n++
	}
	if n != 3 || h.Subscribers(1) != 0 || h.Subscribers(2) != 2 {
		t.Fatalf("the overrun follower read %d events; followers left: %d and %d; want 3, 0 and 2",
			n, h.Subscribers(1), h.Subscribers(2))
	}
	h.Unsubscribe(d)
	if got, ok := h.Since(1, 3); !ok || len(got) != 4 {
		t.Fatalf("Since(3) = %v, %v; want the batch's 4 events", got, ok)
	}
}

func TestDeliverAfterDropDoesNotPanic(t *testing.T) {
	h := NewHub(10, 1)
	s := h.Subscribe(1)
	h.Deliver(ev(1, 1))
	h.Deliver(ev(2, 1)) // buffer full: dropped, channel closed
	h.Deliver(ev(3, 1)) // must not send on the closed channel
	h.Unsubscribe(s)    // and unsubscribing the dropped one is harmless
	n := 0
	for range s.C {
		n++
	}
	if n != 1 || h.Subscribers(1) != 0 {
		t.Fatalf("dropped subscriber read %d events and %d remain; want 1 and 0", n, h.Subscribers(1))
	}
}

// TestHubUnderConcurrency is for the race detector: followers come and go
// while events are delivered, and every follower that stays to the end
// gets every event after it subscribed, in order.
func TestHubUnderConcurrency(t *testing.T) {
	h := NewHub(50, 1000)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s := h.Subscribe(1)
				h.Since(1, 0)
				h.Unsubscribe(s)
			}
		}()
	}
	keep := h.Subscribe(1)
	for id := int64(1); id <= 300; id++ {
		h.Deliver(ev(id, 1))
	}
	close(stop)
	wg.Wait()
	for want := int64(1); want <= 300; want++ {
		if e := <-keep.C; e.ID != want {
			t.Fatalf("got %d, want %d", e.ID, want)
		}
	}
	if n := h.Subscribers(1); n != 1 {
		t.Fatalf("%d subscribers left, want 1", n)
	}
}

// TestListenDeliversNotifications runs the listener against the test
// PostgreSQL server: a notification on the channel reaches the hub's
// followers, one that is not an event is skipped, and connecting forgets
// the window and drops the followers (what was said before was not heard).
func TestListenDeliversNotifications(t *testing.T) {
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		if os.Getenv("WERKSTATT_TEST_ALL") == "1" {
			t.Fatal("required service missing (WERKSTATT_TEST_ALL=1): TEST_DATABASE_URL")
		}
		t.Skip("needs PostgreSQL: set TEST_DATABASE_URL")
	}
	h := NewHub(10, 10)
	h.Deliver(ev(1, 77)) // heard "before" the listener connected
	s := h.Subscribe(77)
	select {
	case <-h.Listening():
		t.Fatal("the hub says it is listening before Listen ran")
	default:
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Listen(ctx, url, h, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	defer func() {
		cancel()
		<-done
	}()

	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// The listener connects in the background: notify until it hears.
	deadline := time.After(15 * time.Second)
	dropped := false
	for id := int64(1_000_000); ; id++ {
		if _, err := conn.Exec(context.Background(), "SELECT pg_notify("+ChannelSQL+", $1)", "not json"); err != nil {
			t.Fatal(err)
		}
		payload, _ := json.Marshal(Event{ID: id, Workshop: 77, Name: TimerChanged, Data: json.RawMessage(`{"state":"running"}`)})
		if _, err := conn.Exec(context.Background(), "SELECT pg_notify("+ChannelSQL+", $1)", string(payload)); err != nil {
			t.Fatal(err)
		}
		select {
		case e, open := <-s.C:
			if !open { // dropped when the listener connected: follow again
				dropped = true
				s = h.Subscribe(77)
				continue
			}
			if !dropped {
				t.Fatal("the follower from before the listener connected was not dropped")
			}
			select {
			case <-h.Listening():
			default:
				t.Fatal("the hub hears events but does not say it is listening")
			}
			if e.Name != TimerChanged || e.Workshop != 77 || string(e.Data) != `{"state":"running"}` {
				t.Fatalf("heard %+v", e)
			}
			if _, ok := h.Since(77, 1); ok {
				t.Fatal("the window from before the listener connected is still trusted")
			}
			if got, ok := h.Since(77, e.ID); !ok || len(got) != 0 {
				t.Fatalf("Since(%d) = %v, %v; the window starts at the first event heard", e.ID, got, ok)
			}
			for len(s.C) > 0 { // later rounds of the loop may have been heard too
				e = <-s.C
			}
			// Events published together come as one array.
			batch, _ := json.Marshal([]Event{
				{ID: e.ID + 10, Workshop: 77, Name: VoteChanged, Data: json.RawMessage(`{"idea_id":1}`)},
				{ID: e.ID + 11, Workshop: 77, Name: VoteChanged, Data: json.RawMessage(`{"idea_id":2}`)},
			})
			if _, err := conn.Exec(context.Background(), "SELECT pg_notify("+ChannelSQL+", $1)", string(batch)); err != nil {
				t.Fatal(err)
			}
			for _, want := range []int64{e.ID + 10, e.ID + 11} {
				select {
				case got := <-s.C:
					if got.ID != want || got.Name != VoteChanged {
						t.Fatalf("from the batch got %+v, want id %d", got, want)
					}
				case <-time.After(15 * time.Second):
					t.Fatalf("event %d of the batch never came", want)
				}
			}
			return
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatalf("the listener heard nothing within 15 s (notified up to id %d)", id)
		}
	}
}
