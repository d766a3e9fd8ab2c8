package app_test

// Live workshop mode (issue 4): the event stream as a client reads it.
// Events arrive for the matching actions and carry ids and counts, never
// names; a client that reconnects with Last-Event-ID gets exactly what it
// missed, from memory or, after a restart, from the database; two
// instances on one PostgreSQL database see each other's events and timer.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"werkstatt/app"
	"werkstatt/app/auth"
	"werkstatt/app/config"
	"werkstatt/app/handlers"
	"werkstatt/app/testutil"
)

// liveWait bounds every wait for an event. It is generous: tests never
// assert on speed, only that the event comes at all.
const liveWait = 15 * time.Second

// sseClient has no overall timeout, since streams stay open; each stream
// is ended by closing its body.
var sseClient = &http.Client{
	Transport:     &http.Transport{MaxIdleConnsPerHost: 50},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// sseEvent is one dispatched Server-Sent Event.
type sseEvent struct {
	ID   int64
	Name string
	Data string
}

// fields decodes the event's data as a JSON object.
func (e sseEvent) fields(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(e.Data), &m); err != nil {
		t.Fatalf("event %s (id %d): data is not a JSON object: %v\n%s", e.Name, e.ID, err, e.Data)
	}
	return m
}

// sseStream reads a text/event-stream in the background, as a browser's
// EventSource would: events with their id and name, comments apart.
type sseStream struct {
	resp     *http.Response
	events   chan sseEvent
	comments chan string
	ended    chan struct{} // closed when the server ends the stream
	mu       sync.Mutex
	readErr  error
	once     sync.Once
}

// openSSE connects to an event stream. token may be empty (a visitor);
// lastID, when not empty, is sent as the Last-Event-ID header.
func openSSE(t testing.TB, url, token, lastID string) *sseStream {
	t.Helper()
	s, status, body := tryOpenSSE(t, url, token, lastID)
	if s == nil {
		t.Fatalf("GET %s: status %d, want 200 text/event-stream\n%s", url, status, body)
	}
	t.Cleanup(s.close)
	return s
}

// tryOpenSSE returns the stream, or nil with the status and body of a
// response that is not one.
func tryOpenSSE(t testing.TB, url, token, lastID string) (*sseStream, int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := sseClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
		resp.Body.Close()
		return nil, resp.StatusCode, string(b)
	}
	s := &sseStream{resp: resp, events: make(chan sseEvent, 1000), comments: make(chan string, 1000), ended: make(chan struct{})}
	go s.read()
	return s, resp.StatusCode, ""
}

func (s *sseStream) read() {
	defer close(s.ended)
	sc := bufio.NewScanner(s.resp.Body)
	var e sseEvent
	var data []string
	for sc.Scan() {
		line := sc.Text()
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch {
		case line == "":
			if data != nil {
				e.Data = strings.Join(data, "\n")
				s.events <- e
			}
			e, data = sseEvent{ID: e.ID}, nil // the last id carries over, as in EventSource
		case field == "":
			select {
			case s.comments <- value:
			default:
			}
		case field == "id":
			e.ID, _ = strconv.ParseInt(value, 10, 64)
		case field == "event":
			e.Name = value
		case field == "data":
			data = append(data, value)
		}
	}
	s.mu.Lock()
	s.readErr = sc.Err()
	s.mu.Unlock()
}

func (s *sseStream) close() {
	s.once.Do(func() {
		s.resp.Body.Close()
		<-s.ended
	})
}

// next returns the next event, or fails the test when none comes in time
// or the stream ends.
func (s *sseStream) next(t testing.TB) sseEvent {
	t.Helper()
	select {
	case e := <-s.events:
		return e
	case <-s.ended:
		select {
		case e := <-s.events:
			return e
		default:
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		t.Fatalf("the stream ended while an event was expected (read error: %v)", s.readErr)
	case <-time.After(liveWait):
		t.Fatalf("no event within %s", liveWait)
	}
	return sseEvent{}
}

// expect returns the next event and fails unless it has the given name.
func (s *sseStream) expect(t testing.TB, name string) sseEvent {
	t.Helper()
	e := s.next(t)
	if e.Name != name {
		t.Fatalf("got event %s (id %d, %s), want %s", e.Name, e.ID, e.Data, name)
	}
	return e
}

// waitFor skips events until one named name satisfies ok.
func (s *sseStream) waitFor(t testing.TB, name string, ok func(map[string]any) bool) sseEvent {
	t.Helper()
	deadline := time.After(liveWait)
	for {
		select {
		case e := <-s.events:
			if e.Name == name && (ok == nil || ok(e.fields(t))) {
				return e
			}
		case <-s.ended:
			t.Fatalf("the stream ended while waiting for %s", name)
		case <-deadline:
			t.Fatalf("no matching %s event within %s", name, liveWait)
		}
	}
}

// idIs matches events about one idea.
func idIs(id uint64) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["idea_id"] == float64(id) }
}

// keys returns the sorted keys of an event's data.
func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// wantKeys fails unless the event's data has exactly the keys given: ids,
// counts and states, nothing that names a person.
func wantKeys(t testing.TB, e sseEvent, want ...string) map[string]any {
	t.Helper()
	m := e.fields(t)
	slices.Sort(want)
	if got := keys(m); !slices.Equal(got, want) {
		t.Fatalf("event %s carries keys %v, want exactly %v\n%s", e.Name, got, want, e.Data)
	}
	return m
}

func eventsPath(slug string) string { return "/api/v1/workshops/" + slug + "/events" }

// liveStart runs a server on cfg, so a test can run two on one database or
// restart one on the same data. Stopping it twice is harmless.
func liveStart(t testing.TB, cfg config.Config) *app.Instance {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() && os.Getenv("WERKSTATT_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	inst, err := app.Start(context.Background(), cfg, log, app.StartOptions{Migrate: true})
	if err != nil {
		t.Fatalf("start werkstatt: %v", err)
	}
	t.Cleanup(func() { liveStop(inst) })
	return inst
}

// liveStop stops a server after closing the clients' idle connections, so
// the graceful shutdown does not wait for them.
func liveStop(inst *app.Instance) {
	httpClient.CloseIdleConnections()
	sseClient.CloseIdleConnections()
	_ = inst.Stop()
}

// timerJSON is a workshop's timer as the API reports it.
type timerJSON struct {
	State            string     `json:"state"`
	EndsAt           *time.Time `json:"ends_at"`
	RemainingSeconds int64      `json:"remaining_seconds"`
	DurationSeconds  int64      `json:"duration_seconds"`
}

func timerAction(t testing.TB, inst *app.Instance, token, slug, action string, seconds int) timerJSON {
	t.Helper()
	r := call(t, inst, "POST", "/api/v1/workshops/"+slug+"/timer", token, map[string]any{"action": action, "seconds": seconds})
	want(t, r, 200, "timer "+action)
	var out timerJSON
	r.Decode(t, &out)
	return out
}

// myWorkshop is GET /api/v1/workshops/:slug/me.
type myWorkshop struct {
	DotsLeft  int            `json:"dots_left"`
	DotBudget int            `json:"dot_budget"`
	Dots      map[string]int `json:"dots"`
	Timer     timerJSON      `json:"timer"`
	Phase     string         `json:"phase"`
}

func me(t testing.TB, inst *app.Instance, token, slug string) myWorkshop {
	t.Helper()
	r := call(t, inst, "GET", "/api/v1/workshops/"+slug+"/me", token, nil)
	want(t, r, 200, "GET me")
	var out myWorkshop
	r.Decode(t, &out)
	return out
}

func TestLiveEventsForEachAction(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Live-Werkstatt", "open")
	const guestName = "Henriette Vogelsang"
	guest, _ := joinGuest(t, inst, w, guestName)

	api := openSSE(t, inst.URL+eventsPath(w.Slug), guest, "")
	page := openSSE(t, inst.URL+"/w/"+w.Slug+"/events", "", "") // the HTML pages' stream, as a visitor
	var seen []sseEvent
	both := func(name string) sseEvent {
		t.Helper()
		e := api.expect(t, name)
		if p := page.expect(t, name); p != e {
			t.Fatalf("the page stream got %+v, the API stream %+v", p, e)
		}
		seen = append(seen, e)
		return e
	}

	idea := newIdea(t, inst, guest, w.Slug, "Termine per App buchen")
	e := both("idea.created")
	if m := wantKeys(t, e, "idea_id"); m["idea_id"] != float64(idea.ID) {
		t.Fatalf("idea.created for idea %v, want %d", m["idea_id"], idea.ID)
	}

	want(t, call(t, inst, "PUT", fmt.Sprintf("/api/v1/ideas/%d/vote", idea.ID), guest, nil), 200, "vote")
	e = both("vote.changed")
	m := wantKeys(t, e, "idea_id", "votes", "dots")
	if m["idea_id"] != float64(idea.ID) || m["votes"] != float64(1) || m["dots"] != float64(0) {
		t.Fatalf("vote.changed = %s, want idea %d with 1 vote and 0 dots", e.Data, idea.ID)
	}

	setPhase(t, inst, mod, w.Slug, "voting")
	e = both("phase.changed")
	if m := wantKeys(t, e, "phase"); m["phase"] != "voting" {
		t.Fatalf("phase.changed = %s, want voting", e.Data)
	}

	started := timerAction(t, inst, mod, w.Slug, "start", 300)
	e = both("timer.changed")
	m = wantKeys(t, e, "state", "ends_at", "remaining_seconds", "duration_seconds", "server_time")
	if m["state"] != "running" || m["duration_seconds"] != float64(300) {
		t.Fatalf("timer.changed = %s, want running for 300 s", e.Data)
	}
	if ends, _ := time.Parse(time.RFC3339Nano, m["ends_at"].(string)); !ends.Equal(*started.EndsAt) {
		t.Fatalf("timer.changed ends at %v, the API said %v", m["ends_at"], started.EndsAt)
	}

	want(t, call(t, inst, "POST", "/api/v1/workshops/"+w.Slug+"/spotlight", mod, map[string]any{"idea_id": idea.ID}), 200, "spotlight")
	e = both("spotlight.changed")
	if m := wantKeys(t, e, "idea_id"); m["idea_id"] != float64(idea.ID) {
		t.Fatalf("spotlight.changed = %s, want idea %d", e.Data, idea.ID)
	}
	want(t, call(t, inst, "POST", "/api/v1/workshops/"+w.Slug+"/spotlight", mod, map[string]any{"idea_id": nil}), 200, "clear spotlight")
	if m := wantKeys(t, both("spotlight.changed"), "idea_id"); m["idea_id"] != nil {
		t.Fatalf("cleared spotlight announced idea %v", m["idea_id"])
	}

	want(t, call(t, inst, "POST", fmt.Sprintf("/api/v1/ideas/%d/wall", idea.ID), mod, map[string]any{"hidden": true}), 200, "hide on wall")
	if m := wantKeys(t, both("idea.updated"), "idea_id", "hidden_on_wall"); m["idea_id"] != float64(idea.ID) || m["hidden_on_wall"] != true {
		t.Fatalf("idea.updated = %v, want idea %d hidden", m, idea.ID)
	}

	want(t, call(t, inst, "PATCH", "/api/v1/workshops/"+w.Slug, mod, map[string]any{"voting_mode": "dots", "dot_budget": 5, "dots_per_idea_max": 3}), 200, "dot voting")
	m = wantKeys(t, both("wall.changed"), "voting_mode", "dot_budget", "dots_per_idea_max", "wall_view", "hide_counts")
	if m["voting_mode"] != "dots" || m["dot_budget"] != float64(5) || m["dots_per_idea_max"] != float64(3) {
		t.Fatalf("wall.changed = %v, want dots 5/3", m)
	}
	r := call(t, inst, "PUT", fmt.Sprintf("/api/v1/ideas/%d/dots", idea.ID), guest, map[string]any{"count": 2})
	want(t, r, 200, "place dots")
	m = wantKeys(t, both("vote.changed"), "idea_id", "votes", "dots")
	if m["idea_id"] != float64(idea.ID) || m["dots"] != float64(2) {
		t.Fatalf("vote.changed after dots = %v, want idea %d with 2 dots", m, idea.ID)
	}

	// Ids rise, and nothing that names a person travels in any event.
	var modName, modEmail string
	if err := inst.DB.Table("users").Where("role = ?", "moderator").Select("name", "email").Row().Scan(&modName, &modEmail); err != nil {
		t.Fatal(err)
	}
	for i, e := range seen {
		if i > 0 && e.ID <= seen[i-1].ID {
			t.Errorf("event %s has id %d after id %d", e.Name, e.ID, seen[i-1].ID)
		}
		for _, secret := range []string{guestName, "Henriette", modName, modEmail, guest, mod} {
			if strings.Contains(e.Data, secret) {
				t.Errorf("event %s carries %q: %s", e.Name, secret, e.Data)
			}
		}
	}
}

func TestLiveHeartbeat(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Herzschlag", "open")
	prev := handlers.SetHeartbeat(50 * time.Millisecond)
	s := openSSE(t, inst.URL+eventsPath(w.Slug), "", "")
	handlers.SetHeartbeat(prev) // streams keep the interval they started with
	got := map[string]int{}
	deadline := time.After(liveWait)
	for got["ping"] < 3 {
		select {
		case c := <-s.comments:
			got[c]++
		case <-deadline:
			t.Fatalf("comments within %s: %v; want a connected comment and three pings", liveWait, got)
		}
	}
	if got["connected"] != 1 {
		t.Fatalf("comments %v: want one connected comment first", got)
	}
	select {
	case e := <-s.events:
		t.Fatalf("a quiet workshop sent event %+v; heartbeats must be comments", e)
	default:
	}
}

func TestLiveStreamAccess(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	draft := newWorkshop(t, inst, mod, "Noch geheim", "draft")
	open := newWorkshop(t, inst, mod, "Schon offen", "open")
	guest, _ := joinGuest(t, inst, open, "Gast")

	for _, c := range []struct{ what, url, token string }{
		{"visitor, API", inst.URL + eventsPath(draft.Slug), ""},
		{"visitor, page", inst.URL + "/w/" + draft.Slug + "/events", ""},
		{"guest of another workshop", inst.URL + eventsPath(draft.Slug), guest},
		{"unknown workshop", inst.URL + eventsPath("gibt-es-nicht"), ""},
	} {
		s, status, body := tryOpenSSE(t, c.url, c.token, "")
		if s != nil {
			s.close()
			t.Errorf("%s: the draft's stream opened", c.what)
			continue
		}
		if status != 404 {
			t.Errorf("%s: status %d, want 404\n%s", c.what, status, body)
		}
	}
	// The moderator who runs the draft may follow it.
	s := openSSE(t, inst.URL+eventsPath(draft.Slug), mod, "")
	want(t, call(t, inst, "POST", "/api/v1/workshops/"+draft.Slug+"/timer", mod, map[string]any{"action": "start", "seconds": 60}), 200, "timer on draft")
	s.expect(t, "timer.changed")
}

// TestLiveConcurrentPublishersLoseNothing: many changes at the same moment
// each reach a follower once, in the order of their ids. A stream skips
// ids it has passed, so an event delivered after a younger one would be
// lost.
func TestLiveConcurrentPublishersLoseNothing(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Gleichzeitig", "open")
	guests := joinMany(t, inst, w, 40)
	s := openSSE(t, inst.URL+eventsPath(w.Slug), "", "")
	errs := together(len(guests), func(i int) error {
		r, err := request(inst, "POST", "/api/v1/workshops/"+w.Slug+"/ideas", guests[i],
			map[string]any{"title": fmt.Sprintf("Idee Nummer %d", i), "body": "Text"}, nil)
		if err == nil && r.Status != 201 {
			err = fmt.Errorf("guest %d: %s", i, r)
		}
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// A marker after all of them: everything before it must have arrived.
	want(t, call(t, inst, "POST", "/api/v1/workshops/"+w.Slug+"/timer", mod, map[string]any{"action": "start", "seconds": 60}), 200, "marker")
	ideas := map[float64]bool{}
	var last int64
	for {
		e := s.next(t)
		if e.ID <= last {
			t.Fatalf("event id %d after %d", e.ID, last)
		}
		last = e.ID
		if e.Name == "timer.changed" {
			break
		}
		if e.Name != "idea.created" {
			t.Fatalf("unexpected event %s", e.Name)
		}
		id := e.fields(t)["idea_id"].(float64)
		if ideas[id] {
			t.Fatalf("idea %v announced twice", id)
		}
		ideas[id] = true
	}
	if len(ideas) != len(guests) {
		t.Fatalf("the follower heard of %d of %d new ideas", len(ideas), len(guests))
	}
}

// resumeCheck reads from s exactly the events listed (by name), in order,
// then the marker event; anything else, or an id at or below after, fails.
func resumeCheck(t *testing.T, s *sseStream, after int64, names []string, marker string) []sseEvent {
	t.Helper()
	var got []sseEvent
	last := after
	for {
		e := s.next(t)
		if e.ID <= last {
			t.Fatalf("event %s id %d again or out of order (after %d); got so far %v", e.Name, e.ID, last, got)
		}
		last = e.ID
		if e.Name == marker && len(got) >= len(names) {
			break
		}
		got = append(got, e)
	}
	gotNames := make([]string, len(got))
	for i, e := range got {
		gotNames[i] = e.Name
	}
	if !slices.Equal(gotNames, names) {
		t.Fatalf("after resuming got %v, want exactly %v", gotNames, names)
	}
	return got
}

func TestLiveResumeWithLastEventID(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Wieder verbunden", "open")
	guest, _ := joinGuest(t, inst, w, "Gast")
	url := inst.URL + eventsPath(w.Slug)
	// The watcher follows all along; the test waits on it for coalesced
	// vote events before the next change, so the order of events is known.
	watcher := openSSE(t, url, "", "")

	s := openSSE(t, url, "", "")
	first := newIdea(t, inst, guest, w.Slug, "Erste Idee")
	a := s.expect(t, "idea.created")
	want(t, call(t, inst, "PUT", fmt.Sprintf("/api/v1/ideas/%d/vote", first.ID), guest, nil), 200, "vote")
	b := s.expect(t, "vote.changed")
	s.close()

	// Missed while away: an idea, a vote, a phase change, a timer.
	second := newIdea(t, inst, guest, w.Slug, "Zweite Idee")
	want(t, call(t, inst, "PUT", fmt.Sprintf("/api/v1/ideas/%d/vote", second.ID), guest, nil), 200, "vote")
	watcher.waitFor(t, "vote.changed", idIs(second.ID))
	setPhase(t, inst, mod, w.Slug, "voting")
	timerAction(t, inst, mod, w.Slug, "start", 120)

	missed := []string{"idea.created", "vote.changed", "phase.changed", "timer.changed"}
	marker := func() {
		want(t, call(t, inst, "POST", "/api/v1/workshops/"+w.Slug+"/spotlight", mod, map[string]any{"idea_id": first.ID}), 200, "marker")
	}

	t.Run("header", func(t *testing.T) {
		r := openSSE(t, url, "", strconv.FormatInt(b.ID, 10))
		marker()
		got := resumeCheck(t, r, b.ID, missed, "spotlight.changed")
		if m := got[0].fields(t); m["idea_id"] != float64(second.ID) {
			t.Fatalf("resumed idea.created is about idea %v, want %d", m["idea_id"], second.ID)
		}
		if m := got[1].fields(t); m["idea_id"] != float64(second.ID) || m["votes"] != float64(1) {
			t.Fatalf("resumed vote.changed = %v, want idea %d with 1 vote", m, second.ID)
		}
	})
	t.Run("query parameter", func(t *testing.T) {
		// From the first event on: the vote on the first idea is missed too,
		// and so is the first marker.
		r := openSSE(t, url+"?last_event_id="+strconv.FormatInt(a.ID, 10), "", "")
		marker()
		resumeCheck(t, r, a.ID, append(append([]string{"vote.changed"}, missed...), "spotlight.changed"), "spotlight.changed")
	})
	t.Run("nothing missed", func(t *testing.T) {
		all := openSSE(t, url, "", "")
		marker()
		latest := all.expect(t, "spotlight.changed")
		r := openSSE(t, url, "", strconv.FormatInt(latest.ID, 10))
		marker()
		resumeCheck(t, r, latest.ID, nil, "spotlight.changed")
	})
}

// TestLiveResumeAfterRestart: the restarted server remembers nothing, so
// what a client missed comes from the database.
func TestLiveResumeAfterRestart(t *testing.T) {
	cfg := testutil.Config(t)
	inst := liveStart(t, cfg)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Neustart", "open")
	guest, _ := joinGuest(t, inst, w, "Gast")

	watcher := openSSE(t, inst.URL+eventsPath(w.Slug), "", "")
	s := openSSE(t, inst.URL+eventsPath(w.Slug), "", "")
	idea := newIdea(t, inst, guest, w.Slug, "Vor dem Neustart")
	seen := s.expect(t, "idea.created")
	s.close()

	// Missed, then the server goes down.
	want(t, call(t, inst, "PUT", fmt.Sprintf("/api/v1/ideas/%d/vote", idea.ID), guest, nil), 200, "vote")
	watcher.waitFor(t, "vote.changed", idIs(idea.ID))
	watcher.close()
	other := newIdea(t, inst, guest, w.Slug, "Kurz vor dem Neustart")
	timerAction(t, inst, mod, w.Slug, "start", 600)
	liveStop(inst)

	inst = liveStart(t, cfg)
	r := openSSE(t, inst.URL+eventsPath(w.Slug), "", strconv.FormatInt(seen.ID, 10))
	want(t, call(t, inst, "POST", "/api/v1/workshops/"+w.Slug+"/spotlight", mod, map[string]any{"idea_id": idea.ID}), 200, "marker")
	got := resumeCheck(t, r, seen.ID, []string{"vote.changed", "idea.created", "timer.changed"}, "spotlight.changed")
	if m := got[0].fields(t); m["idea_id"] != float64(idea.ID) || m["votes"] != float64(1) {
		t.Fatalf("backfilled vote.changed = %v, want idea %d with 1 vote", m, idea.ID)
	}
	if m := got[1].fields(t); m["idea_id"] != float64(other.ID) {
		t.Fatalf("backfilled idea.created = %v, want idea %d", m, other.ID)
	}
}

// TestLiveStreamOutlivesWriteTimeout: a stream stays open longer than the
// server's write timeout for a whole response (60 s), so a wall is not cut
// off every minute.
func TestLiveStreamOutlivesWriteTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("waits more than a minute")
	}
	t.Parallel()
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Langer Atem", "open")
	prev := handlers.SetHeartbeat(2 * time.Second)
	s := openSSE(t, inst.URL+eventsPath(w.Slug), "", "")
	handlers.SetHeartbeat(prev)
	select {
	case <-s.ended:
		t.Fatalf("the stream ended after less than 70 s (read error: %v)", s.readErr)
	case <-time.After(70 * time.Second):
	}
	want(t, call(t, inst, "POST", "/api/v1/workshops/"+w.Slug+"/timer", mod, map[string]any{"action": "start", "seconds": 60}), 200, "timer")
	s.expect(t, "timer.changed")
}

// TestLiveTwoInstances: two servers on one PostgreSQL database serve one
// workshop; what happens on one reaches the followers of the other.
func TestLiveTwoInstances(t *testing.T) {
	testutil.Need(t, testutil.Postgres(), "two instances share events through PostgreSQL LISTEN/NOTIFY; set TEST_DATABASE_URL")
	cfg := testutil.Config(t)
	a := liveStart(t, cfg)
	b := liveStart(t, cfg)
	mod, _ := staffToken(t, a, auth.RoleModerator)
	w := newWorkshop(t, a, mod, "Zwei Instanzen", "open")
	guest, _ := joinGuest(t, a, w, "Gast")
	idea := newIdea(t, a, guest, w.Slug, "Überall sichtbar")

	// B was started a moment ago: its stream answers once B listens, so
	// nothing said on A from then on can pass B by.
	onB := openSSE(t, b.URL+eventsPath(w.Slug), "", "")
	want(t, call(t, a, "PUT", fmt.Sprintf("/api/v1/ideas/%d/vote", idea.ID), guest, nil), 200, "vote on A")
	e := onB.waitFor(t, "vote.changed", idIs(idea.ID))
	if m := wantKeys(t, e, "idea_id", "votes", "dots"); m["votes"] != float64(1) {
		t.Fatalf("B reports %v votes, want 1", m["votes"])
	}

	started := timerAction(t, a, mod, w.Slug, "start", 300)
	onB.waitFor(t, "timer.changed", func(m map[string]any) bool { return m["state"] == "running" })
	onA := me(t, a, guest, w.Slug).Timer
	gotB := me(t, b, guest, w.Slug).Timer
	if gotB.State != "running" || gotB.EndsAt == nil || !gotB.EndsAt.Equal(*onA.EndsAt) || gotB.DurationSeconds != 300 {
		t.Fatalf("B reports timer %+v, A %+v (started %+v)", gotB, onA, started)
	}
	paused := timerAction(t, a, mod, w.Slug, "pause", 0)
	if gotB := me(t, b, "", w.Slug).Timer; gotB.State != "paused" || gotB.RemainingSeconds != paused.RemainingSeconds {
		t.Fatalf("after pause on A, B reports %+v, want %+v", gotB, paused)
	}

	// A client that followed A resumes on B (as behind a load balancer)
	// and misses nothing.
	fromA := openSSE(t, a.URL+eventsPath(w.Slug), "", "")
	want(t, call(t, a, "POST", "/api/v1/workshops/"+w.Slug+"/spotlight", mod, map[string]any{"idea_id": nil}), 200, "spotlight")
	last := fromA.expect(t, "spotlight.changed")
	fromA.close()
	other := newIdea(t, a, guest, w.Slug, "Während des Wechsels")
	timerAction(t, b, mod, w.Slug, "resume", 0)
	resumed := openSSE(t, b.URL+eventsPath(w.Slug), "", strconv.FormatInt(last.ID, 10))
	want(t, call(t, a, "POST", "/api/v1/workshops/"+w.Slug+"/spotlight", mod, map[string]any{"idea_id": other.ID}), 200, "marker")
	resumeCheck(t, resumed, last.ID, []string{"idea.created", "timer.changed"}, "spotlight.changed")
}

func TestLiveTimerStateMachine(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Uhr", "open")
	guest, _ := joinGuest(t, inst, w, "Gast")
	s := openSSE(t, inst.URL+eventsPath(w.Slug), guest, "")
	path := "/api/v1/workshops/" + w.Slug + "/timer"
	// announced checks that the stream reports the same state as the API.
	announced := func(got timerJSON) {
		t.Helper()
		var m timerJSON
		if err := json.Unmarshal([]byte(s.expect(t, "timer.changed").Data), &m); err != nil {
			t.Fatal(err)
		}
		if m.State != got.State || m.DurationSeconds != got.DurationSeconds || m.RemainingSeconds != got.RemainingSeconds ||
			(m.EndsAt == nil) != (got.EndsAt == nil) || m.EndsAt != nil && !m.EndsAt.Equal(*got.EndsAt) {
			t.Fatalf("timer.changed %+v differs from the API's answer %+v", m, got)
		}
	}

	if got := me(t, inst, guest, w.Slug).Timer; got.State != "stopped" || got.EndsAt != nil {
		t.Fatalf("a new workshop's timer: %+v, want stopped", got)
	}
	wantProblem(t, call(t, inst, "POST", path, mod, map[string]any{"action": "pause"}), 409, "pause a stopped timer")
	wantProblem(t, call(t, inst, "POST", path, mod, map[string]any{"action": "resume"}), 409, "resume a stopped timer")
	wantProblem(t, call(t, inst, "POST", path, mod, map[string]any{"action": "extend", "seconds": 10}), 409, "extend a stopped timer")

	got := timerAction(t, inst, mod, w.Slug, "start", 60)
	if got.State != "running" || got.EndsAt == nil || got.DurationSeconds != 60 || got.RemainingSeconds < 1 || got.RemainingSeconds > 60 {
		t.Fatalf("started: %+v, want running, 60 s", got)
	}
	announced(got)

	got = timerAction(t, inst, mod, w.Slug, "pause", 0)
	if got.State != "paused" || got.EndsAt != nil || got.RemainingSeconds < 1 || got.RemainingSeconds > 60 {
		t.Fatalf("paused: %+v", got)
	}
	announced(got)
	wantProblem(t, call(t, inst, "POST", path, mod, map[string]any{"action": "pause"}), 409, "pause twice")
	remaining := got.RemainingSeconds

	got = timerAction(t, inst, mod, w.Slug, "extend", 30)
	if got.State != "paused" || got.RemainingSeconds != remaining+30 || got.DurationSeconds != 90 {
		t.Fatalf("extended while paused: %+v, want paused with %d s left of 90", got, remaining+30)
	}
	announced(got)
	if m := me(t, inst, guest, w.Slug).Timer; m.State != "paused" || m.RemainingSeconds != remaining+30 {
		t.Fatalf("GET me while paused: %+v", m)
	}

	got = timerAction(t, inst, mod, w.Slug, "resume", 0)
	// Running, the seconds left are rounded; paused, they are cut off.
	if got.State != "running" || got.EndsAt == nil || got.RemainingSeconds > remaining+31 || got.RemainingSeconds < 1 {
		t.Fatalf("resumed: %+v", got)
	}
	announced(got)
	wantProblem(t, call(t, inst, "POST", path, mod, map[string]any{"action": "resume"}), 409, "resume twice")

	before := me(t, inst, guest, w.Slug).Timer
	got = timerAction(t, inst, mod, w.Slug, "extend", 15)
	announced(got)
	after := me(t, inst, guest, w.Slug).Timer
	if after.State != "running" || after.EndsAt.Sub(*before.EndsAt) != 15*time.Second || after.DurationSeconds != 105 {
		t.Fatalf("extended while running: %+v, before %+v; want 15 s later, 105 s in all", after, before)
	}

	got = timerAction(t, inst, mod, w.Slug, "start", 10) // starting again starts over
	if got.State != "running" || got.DurationSeconds != 10 || got.RemainingSeconds > 10 {
		t.Fatalf("restarted: %+v", got)
	}
	announced(got)
	got = timerAction(t, inst, mod, w.Slug, "stop", 0)
	if got.State != "stopped" || got.EndsAt != nil || got.RemainingSeconds != 0 {
		t.Fatalf("stopped: %+v", got)
	}
	announced(got)

	wantProblem(t, call(t, inst, "POST", path, mod, map[string]any{"action": "explode"}), 422, "unknown action")
	wantProblem(t, call(t, inst, "POST", path, mod, map[string]any{"action": "start", "seconds": 0}), 422, "start for 0 s")
	wantProblem(t, call(t, inst, "POST", path, guest, map[string]any{"action": "start", "seconds": 60}), 403, "guest")
	wantProblem(t, call(t, inst, "POST", path, "", map[string]any{"action": "start", "seconds": 60}), 401, "visitor")
	if m := me(t, inst, guest, w.Slug).Timer; m.State != "stopped" {
		t.Fatalf("refused requests changed the timer: %+v", m)
	}
}

// TestLiveTimerSurvivesRestart: the timer is stored, so a restarted server
// shows the same countdown.
func TestLiveTimerSurvivesRestart(t *testing.T) {
	cfg := testutil.Config(t)
	inst := liveStart(t, cfg)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Uhr und Neustart", "open")

	timerAction(t, inst, mod, w.Slug, "start", 600)
	paused := timerAction(t, inst, mod, w.Slug, "pause", 0)
	liveStop(inst)

	inst = liveStart(t, cfg)
	if got := me(t, inst, "", w.Slug).Timer; got.State != "paused" || got.RemainingSeconds != paused.RemainingSeconds || got.DurationSeconds != 600 {
		t.Fatalf("after a restart the paused timer reads %+v, want %+v", got, paused)
	}
	timerAction(t, inst, mod, w.Slug, "resume", 0)
	running := me(t, inst, "", w.Slug).Timer
	liveStop(inst)

	inst = liveStart(t, cfg)
	got := me(t, inst, "", w.Slug).Timer
	if got.State != "running" || got.EndsAt == nil || !got.EndsAt.Equal(*running.EndsAt) || got.DurationSeconds != 600 {
		t.Fatalf("after a restart the running timer reads %+v, want %+v", got, running)
	}
}

// TestLiveVoteBurstsAreCoalesced: a room voting at once becomes a few
// vote.changed events, not one per vote; their counts never go back, and
// the last one carries the final count.
func TestLiveVoteBurstsAreCoalesced(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Im Takt", "open")
	guests := joinMany(t, inst, w, 60)
	s := openSSE(t, inst.URL+eventsPath(w.Slug), "", "")
	idea := newIdea(t, inst, guests[0], w.Slug, "Alle auf einmal")
	s.expect(t, "idea.created")

	path := fmt.Sprintf("/api/v1/ideas/%d/vote", idea.ID)
	errs := together(len(guests), func(i int) error {
		status, body, err := send(inst, "PUT", path, guests[i])
		if err == nil && status != 200 {
			err = fmt.Errorf("guest %d: %d %s", i, status, body)
		}
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var counts []float64
	for len(counts) == 0 || counts[len(counts)-1] < float64(len(guests)) {
		m := wantKeys(t, s.expect(t, "vote.changed"), "idea_id", "votes", "dots")
		if m["idea_id"] != float64(idea.ID) {
			t.Fatalf("vote.changed for idea %v", m["idea_id"])
		}
		if n := len(counts); n > 0 && m["votes"].(float64) < counts[n-1] {
			t.Fatalf("counts went back: %v then %v", counts, m["votes"])
		}
		counts = append(counts, m["votes"].(float64))
	}
	if len(counts) >= len(guests)/2 {
		t.Fatalf("%d votes became %d events %v; bursts should be coalesced", len(guests), len(counts), counts)
	}
	// Nothing else follows: the marker is next.
	want(t, call(t, inst, "POST", "/api/v1/workshops/"+w.Slug+"/spotlight", mod, map[string]any{"idea_id": idea.ID}), 200, "marker")
	s.expect(t, "spotlight.changed")
	t.Logf("%d votes, events with counts %v", len(guests), counts)
}

// TestLiveSchemasKeepTheirEvents: two servers on one PostgreSQL database
// but in different schemas are different sites; their workshops share ids
// but not events.
func TestLiveSchemasKeepTheirEvents(t *testing.T) {
	testutil.Need(t, testutil.Postgres(), "schemas only exist on PostgreSQL; set TEST_DATABASE_URL")
	a := liveStart(t, testutil.Config(t))
	b := liveStart(t, testutil.Config(t))
	modA, _ := staffToken(t, a, auth.RoleModerator)
	modB, _ := staffToken(t, b, auth.RoleModerator)
	wa := newWorkshop(t, a, modA, "Werkstatt A", "open")
	wb := newWorkshop(t, b, modB, "Werkstatt B", "open")
	var idA, idB uint64
	a.DB.Table("workshops").Select("id").Where("slug = ?", wa.Slug).Row().Scan(&idA)
	b.DB.Table("workshops").Select("id").Where("slug = ?", wb.Slug).Row().Scan(&idB)
	if idA == 0 || idA != idB {
		t.Fatalf("the test needs workshops with the same id in both schemas, got %d and %d", idA, idB)
	}

	onB := openSSE(t, b.URL+eventsPath(wb.Slug), "", "")
	timerAction(t, a, modA, wa.Slug, "start", 60)
	setPhase(t, a, modA, wa.Slug, "voting")
	timerAction(t, b, modB, wb.Slug, "start", 30) // the marker
	e := onB.expect(t, "timer.changed")
	if m := e.fields(t); m["duration_seconds"] != float64(30) {
		t.Fatalf("B's follower got A's timer: %s", e.Data)
	}
}
