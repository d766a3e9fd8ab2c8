package app_test

// Helpers shared by the black-box tests of this package: a small JSON API
// client and fixtures that build workshops, guests and ideas through the API.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"werkstatt/app"
	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/app/testutil"
)

// httpClient talks to the test server; it never follows redirects so tests
// can see them. Generous idle connections keep concurrency tests from
// exhausting ports.
var httpClient = &http.Client{
	Timeout:       60 * time.Second,
	Transport:     &http.Transport{MaxIdleConns: 300, MaxIdleConnsPerHost: 300},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// reply is a finished HTTP response with its body read.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r reply) String() string {
	b := string(r.Body)
	if len(b) > 600 {
		b = b[:600] + "…"
	}
	return fmt.Sprintf("%d %s", r.Status, b)
}

// JSON decodes the body into a generic map.
func (r reply) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, r)
	}
	return m
}

// Decode decodes the body into out.
func (r reply) Decode(t testing.TB, out any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, out); err != nil {
		t.Fatalf("decode response: %v\n%s", err, r)
	}
}

// call sends a request to the API. body may be nil, a string or []byte (sent
// as is, as JSON), or anything else (marshalled to JSON).
func call(t testing.TB, inst *app.Instance, method, path, token string, body any) reply {
	t.Helper()
	return callHeaders(t, inst, method, path, token, body, nil)
}

func callHeaders(t testing.TB, inst *app.Instance, method, path, token string, body any, headers map[string]string) reply {
	t.Helper()
	r, err := request(inst, method, path, token, body, headers)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// tryCall is call for goroutines: it reports failures instead of ending
// the test.
func tryCall(inst *app.Instance, method, path, token string) (reply, error) {
	return request(inst, method, path, token, nil, nil)
}

func request(inst *app.Instance, method, path, token string, body any, headers map[string]string) (reply, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return reply{}, fmt.Errorf("marshal body: %w", err)
		}
		rd = bytes.NewReader(data)
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = inst.URL + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return reply{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, fmt.Errorf("read body: %w", err)
	}
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// want fails the test unless r has the given status.
func want(t testing.TB, r reply, status int, what string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.Status, status, r)
	}
}

// problemDoc is an RFC 9457 problem document as the API sends it.
type problemDoc struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// wantProblem checks that r is a problem+json document with the status.
func wantProblem(t testing.TB, r reply, status int, what string) problemDoc {
	t.Helper()
	want(t, r, status, what)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("%s: Content-Type %q, want application/problem+json", what, ct)
	}
	var p problemDoc
	r.Decode(t, &p)
	if p.Type == "" || p.Title == "" || p.Detail == "" || p.Status != status {
		t.Fatalf("%s: incomplete problem document (type, title, status, detail): %s", what, r)
	}
	return p
}

// fields returns the fields named in a 422 problem.
func (p problemDoc) fields() map[string]string {
	out := map[string]string{}
	for _, e := range p.Errors {
		out[e.Field] = e.Message
	}
	return out
}

var seq atomic.Int64

// unique returns a string unique within the test binary.
func unique(prefix string) string { return fmt.Sprintf("%s%d", prefix, seq.Add(1)) }

// staffToken creates an account with role and returns an API token for it.
func staffToken(t testing.TB, inst *app.Instance, role auth.Role) (token string, userID uint64) {
	t.Helper()
	ctx := context.Background()
	email := unique(string(role)) + "@stadt.example"
	u, err := inst.Svc.CreateUser(ctx, forms.Register{Email: email, Name: "Staff " + string(role), Password: "ein-langes-passwort"}, role)
	if err != nil {
		t.Fatalf("create %s: %v", role, err)
	}
	token, err = inst.Svc.IssueAPIToken(ctx, u)
	if err != nil {
		t.Fatalf("token for %s: %v", role, err)
	}
	return token, u.ID
}

// workshopJSON is the part of a workshop the tests look at.
type workshopJSON struct {
	Slug            string `json:"slug"`
	Title           string `json:"title"`
	Phase           string `json:"phase"`
	JoinCode        string `json:"join_code"`
	DescriptionHTML string `json:"description_html"`
}

// newWorkshop creates a workshop through the API and moves it to phase.
func newWorkshop(t testing.TB, inst *app.Instance, modToken, title, phase string) workshopJSON {
	t.Helper()
	r := call(t, inst, "POST", "/api/v1/workshops", modToken, map[string]any{"title": title, "description": "Worum es **geht**."})
	want(t, r, 201, "create workshop")
	var w workshopJSON
	r.Decode(t, &w)
	for _, p := range []string{"open", "voting", "closed"} {
		if w.Phase == phase {
			break
		}
		r := call(t, inst, "PATCH", "/api/v1/workshops/"+w.Slug, modToken, map[string]any{"phase": p})
		want(t, r, 200, "move workshop to "+p)
		var moved workshopJSON
		r.Decode(t, &moved)
		w.Phase = moved.Phase
	}
	if w.Phase != phase {
		t.Fatalf("workshop ended in phase %q, want %q", w.Phase, phase)
	}
	return w
}

// setPhase moves a workshop through the API.
func setPhase(t testing.TB, inst *app.Instance, modToken, slug, phase string) {
	t.Helper()
	body := map[string]any{"phase": phase}
	if phase == "voting" {
		body["reason"] = "Nachzügler aus der Präsenzsitzung"
	}
	want(t, call(t, inst, "PATCH", "/api/v1/workshops/"+slug, modToken, body), 200, "phase "+phase)
}

// joinGuest joins a workshop with its code and returns the guest's token.
func joinGuest(t testing.TB, inst *app.Instance, w workshopJSON, name string) (token string, userID uint64) {
	t.Helper()
	r := call(t, inst, "POST", "/api/v1/workshops/"+w.Slug+"/join", "", map[string]any{"code": w.JoinCode, "display_name": name})
	want(t, r, 201, "join "+w.Slug)
	var out struct {
		Token string `json:"token"`
		User  struct {
			ID uint64 `json:"id"`
		} `json:"user"`
	}
	r.Decode(t, &out)
	if out.Token == "" || out.User.ID == 0 {
		t.Fatalf("join: no token or user id: %s", r)
	}
	return out.Token, out.User.ID
}

// ideaJSON is the part of an idea the tests look at.
type ideaJSON struct {
	ID       uint64 `json:"id"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	BodyHTML string `json:"body_html"`
	Votes    int64  `json:"votes"`
	Comments int64  `json:"comments"`
	Voted    bool   `json:"voted"`
}

// newIdea posts an idea through the API.
func newIdea(t testing.TB, inst *app.Instance, token, slug, title string) ideaJSON {
	t.Helper()
	r := call(t, inst, "POST", "/api/v1/workshops/"+slug+"/ideas", token, map[string]any{"title": title, "body": "Beschreibung"})
	want(t, r, 201, "post idea")
	var i ideaJSON
	r.Decode(t, &i)
	return i
}

// getIdea reads an idea through the API as token's owner.
func getIdea(t testing.TB, inst *app.Instance, token string, id uint64) ideaJSON {
	t.Helper()
	r := call(t, inst, "GET", fmt.Sprintf("/api/v1/ideas/%d", id), token, nil)
	want(t, r, 200, "get idea")
	var i ideaJSON
	r.Decode(t, &i)
	return i
}

// ideaCount is the number of ideas the API lists for a workshop.
func ideaCount(t testing.TB, inst *app.Instance, token, slug string) int {
	t.Helper()
	r := call(t, inst, "GET", "/api/v1/workshops/"+slug+"/ideas", token, nil)
	want(t, r, 200, "list ideas")
	var out struct {
		Items []ideaJSON `json:"items"`
	}
	r.Decode(t, &out)
	return len(out.Items)
}

// commentCount is the number of comments the API lists for an idea.
func commentCount(t testing.TB, inst *app.Instance, token string, id uint64) int {
	t.Helper()
	r := call(t, inst, "GET", fmt.Sprintf("/api/v1/ideas/%d/comments", id), token, nil)
	want(t, r, 200, "list comments")
	var out struct {
		Items []map[string]any `json:"items"`
	}
	r.Decode(t, &out)
	return len(out.Items)
}

// start runs a whole server for the test. The client's idle keep-alive
// connections are closed before the server stops: fasthttp's graceful
// shutdown otherwise may wait its whole timeout (10 s) for a connection the
// client opened but never used.
func start(t testing.TB) *app.Instance {
	t.Helper()
	inst := testutil.Start(t)
	t.Cleanup(httpClient.CloseIdleConnections)
	return inst
}
