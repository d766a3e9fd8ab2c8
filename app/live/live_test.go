package live

import (
	"encoding/json"
	"testing"
)

func ev(id int64, w uint64) Event {
	return Event{ID: id, Workshop: w, Name: VoteChanged, Data: json.RawMessage(`{}`)}
}

func TestDeliverToWorkshopSubscribersOnly(t *testing.T) {
	h := NewHub(10, 4)
	a, b := h.Subscribe(1), h.Subscribe(2)
	h.Deliver(ev(1, 1))
	select {
	case e := <-a.C:
		if e.ID != 1 {
			t.Fatalf("got event %d, want 1", e.ID)
		}
	default:
		t.Fatal("subscriber of workshop 1 got nothing")
	}
	select {
	case e := <-b.C:
		t.Fatalf("subscriber of workshop 2 got event %d of workshop 1", e.ID)
	default:
	}
}

func TestSlowSubscriberIsDroppedNotBlocking(t *testing.T) {
	h := NewHub(100, 2)
	slow, fast := h.Subscribe(1), h.Subscribe(1)
	for i := int64(1); i <= 5; i++ {
		h.Deliver(ev(i, 1))
		<-fast.C // the fast one reads everything
	}
	n := 0
	for range slow.C { // closed after two buffered events
		n++
	}
	if n != 2 {
		t.Fatalf("slow subscriber kept %d events before being dropped, want 2", n)
	}
	if got := h.Subscribers(1); got != 1 {
		t.Fatalf("%d subscribers left, want only the fast one", got)
	}
}

func TestSinceWindow(t *testing.T) {
	h := NewHub(3, 10)
	for _, id := range []int64{10, 12, 15, 20} { // gaps: ids are shared by all workshops
		h.Deliver(ev(id, 7))
	}
	// The window now holds 12, 15, 20.
	got, ok := h.Since(7, 12)
	if !ok || len(got) != 2 || got[0].ID != 15 || got[1].ID != 20 {
		t.Fatalf("Since(12) = %v, %v; want [15 20], true", got, ok)
	}
	if _, ok := h.Since(7, 10); ok {
		t.Fatal("Since(10) claimed completeness though event 12's predecessors were evicted")
	}
	if got, ok := h.Since(7, 20); !ok || len(got) != 0 {
		t.Fatalf("Since(20) = %v, %v; want nothing, true", got, ok)
	}
	if _, ok := h.Since(8, 0); ok {
		t.Fatal("Since on an unknown workshop must ask the database")
	}
}

func TestUnsubscribeTwice(t *testing.T) {
	h := NewHub(1, 1)
	s := h.Subscribe(1)
	h.Unsubscribe(s)
	h.Unsubscribe(s)
	if _, open := <-s.C; open {
		t.Fatal("channel still open after unsubscribe")
	}
}
