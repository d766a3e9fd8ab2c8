package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/app/testutil"
)

func TestIntAfter(t *testing.T) {
	data := []byte(`{"dots":0,"idea_id":1234,"votes":-7}`)
	if n, ok := intAfter(data, `"idea_id":`); !ok || n != 1234 {
		t.Errorf("idea_id = %d, %v", n, ok)
	}
	if n, ok := intAfter(data, `"votes":`); !ok || n != -7 {
		t.Errorf("votes = %d, %v", n, ok)
	}
	if _, ok := intAfter(data, `"missing":`); ok {
		t.Error("a missing key was found")
	}
}

func TestHistQuantiles(t *testing.T) {
	h := newHist()
	for i := 1; i <= 100; i++ {
		h.add(time.Duration(i) * time.Millisecond)
	}
	s := h.summary()
	if s.Samples != 100 || s.P50 < 50 || s.P50 > 51 || s.P99 < 99 || s.P99 > 100 || s.Max != 100 {
		t.Fatalf("summary of 1..100 ms: %+v", s)
	}
}

// TestMeasureMatchesTheFirstReflectingEvent: a vote that left an idea at
// count V is delivered by the first event with a count at or beyond V in
// the direction the idea moves.
func TestMeasureMatchesTheFirstReflectingEvent(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	s := newSubscriber("", nil, time.Now(), map[uint64]int{10: 0, 11: 1})
	s.hist[0] = []obs{{5, ms(100)}, {7, ms(250)}, {9, ms(400)}} // votes added
	s.hist[1] = []obs{{20, ms(120)}, {17, ms(300)}}             // votes taken back
	ops := []op{
		{idea: 0, votes: 6, at: ms(150), ok: true},  // first event ≥ 6 is 7 at 250: 100 ms
		{idea: 0, votes: 9, at: ms(380), ok: true},  // 9 at 400: 20 ms
		{idea: 0, votes: 10, at: ms(390), ok: true}, // never shown: undelivered
		{idea: 1, votes: 18, at: ms(200), ok: true}, // first ≤ 18 is 17 at 300: 100 ms
		{idea: 1, votes: 20, at: ms(130), ok: true}, // shown at 120, before the answer: early
		{idea: 0, votes: 1, at: ms(1), ok: false},   // failed votes are not measured
	}
	var r report
	r.measure(ops, []*subscriber{s}, []bool{true, false})
	if r.Delivery.Samples != 4 || r.Undelivered != 1 || r.Early != 1 {
		t.Fatalf("samples %d, undelivered %d, early %d; want 4, 1, 1", r.Delivery.Samples, r.Undelivered, r.Early)
	}
	if r.Delivery.Max != 100 || r.Delivery.P50 < 20 || r.Delivery.P50 > 100 {
		t.Fatalf("delivery %+v; want a maximum of 100 ms", r.Delivery)
	}
	s.hist[0] = append(s.hist[0], obs{8, ms(500)})
	r = report{}
	r.measure(nil, []*subscriber{s}, []bool{true, false})
	if r.Backwards != 1 {
		t.Fatalf("a count moving against its idea's direction was not noticed: %d", r.Backwards)
	}
}

// TestRunAgainstAServer runs the tool briefly against a real server: every
// vote reaches every stream, in order, and nothing fails.
func TestRunAgainstAServer(t *testing.T) {
	inst := testutil.Start(t)
	ctx := context.Background()
	mod, err := inst.Svc.CreateUser(ctx, forms.Register{Email: "last@stadt.example", Name: "Moderation", Password: "ein-langes-passwort"}, auth.RoleModerator)
	if err != nil {
		t.Fatal(err)
	}
	token, err := inst.Svc.IssueAPIToken(ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	a := newAPI(inst.URL, 8)
	var w struct {
		Slug     string `json:"slug"`
		JoinCode string `json:"join_code"`
	}
	if err := a.do(ctx, "POST", "/api/v1/workshops", token, map[string]string{"title": "Lasttest"}, &w, 201); err != nil {
		t.Fatal(err)
	}
	if err := a.do(ctx, "PATCH", "/api/v1/workshops/"+w.Slug, token, map[string]string{"phase": "open"}, nil, 200); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if err := a.do(ctx, "POST", "/api/v1/workshops/"+w.Slug+"/ideas", token,
			map[string]string{"title": fmt.Sprintf("Idee %d", i), "body": "Text"}, nil, 201); err != nil {
			t.Fatal(err)
		}
	}

	o := options{url: inst.URL, workshop: w.Slug, token: token, subscribers: 20, rate: 40, duration: 2 * time.Second,
		settle: 15 * time.Second, maxInFlight: 64}
	if err := o.check(); err != nil {
		t.Fatal(err)
	}
	r, err := run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	r.print(&out)
	t.Log("\n" + out.String())
	if r.Sent == 0 || r.Failed != 0 || r.Skipped != 0 || r.PreVotes == 0 {
		t.Fatalf("sent %d, failed %d, skipped %d, pre-votes %d", r.Sent, r.Failed, r.Skipped, r.PreVotes)
	}
	if r.Delivery.Samples+r.Undelivered != r.Sent*20 || r.Undelivered != 0 {
		t.Fatalf("%d votes × 20 streams: %d delivered, %d undelivered", r.Sent, r.Delivery.Samples, r.Undelivered)
	}
	if r.StreamsEnded != 0 || r.Reorders != 0 || r.Backwards != 0 || r.ConnectErrors != 0 {
		t.Fatalf("streams ended %d, out of order %d, backwards %d, connect errors %d",
			r.StreamsEnded, r.Reorders, r.Backwards, r.ConnectErrors)
	}
}
