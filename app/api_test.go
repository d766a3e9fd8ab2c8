package app_test

// Black-box tests of the JSON API under /api/v1 as issue 2 lists it: each
// test starts a whole server (SQLite, or PostgreSQL with TEST_DATABASE_URL)
// and talks to it over HTTP.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"werkstatt/app/auth"
)

func TestAPIRegister(t *testing.T) {
	inst := start(t)
	admin, _ := staffToken(t, inst, auth.RoleAdmin)
	users := func() int {
		r := call(t, inst, "GET", "/api/v1/admin/users", admin, nil)
		want(t, r, 200, "list users")
		var out struct{ Items []map[string]any }
		r.Decode(t, &out)
		return len(out.Items)
	}

	r := call(t, inst, "POST", "/api/v1/auth/register", "", map[string]any{"email": "anna@example.org", "name": "Anna", "password": "sehr-geheim-123"})
	want(t, r, 201, "register")
	var reg struct {
		Token string
		User  struct {
			ID   any
			Name string
			Role string
		}
	}
	r.Decode(t, &reg)
	if reg.Token == "" || reg.User.ID == nil || reg.User.Name != "Anna" || reg.User.Role != "participant" {
		t.Fatalf("register: want {token, user:{id, name:Anna, role:participant}}, got %s", r)
	}
	me := call(t, inst, "GET", "/api/v1/me", reg.Token, nil)
	want(t, me, 200, "token of a new account works")
	if me.JSON(t)["name"] != "Anna" {
		t.Fatalf("/me with the new token: %s", me)
	}
	before := users()

	// Same address, other case: still taken.
	for _, email := range []string{"anna@example.org", "Anna@Example.org"} {
		r = call(t, inst, "POST", "/api/v1/auth/register", "", map[string]any{"email": email, "name": "Anna 2", "password": "sehr-geheim-456"})
		p := wantProblem(t, r, 409, "duplicate e-mail "+email)
		if _, ok := p.fields()["email"]; !ok {
			t.Errorf("duplicate e-mail: problem names no email field: %s", r)
		}
	}

	cases := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"bad e-mail", map[string]any{"email": "keine-adresse", "name": "Bert", "password": "sehr-geheim-123"}, []string{"email"}},
		{"e-mail without dot in domain", map[string]any{"email": "bert@localhost", "name": "Bert", "password": "sehr-geheim-123"}, []string{"email"}},
		{"short password", map[string]any{"email": "bert@example.org", "name": "Bert", "password": "kurz"}, []string{"password"}},
		{"nine characters", map[string]any{"email": "bert@example.org", "name": "Bert", "password": "123456789"}, []string{"password"}},
		{"everything missing", map[string]any{}, []string{"email", "name", "password"}},
	}
	for _, c := range cases {
		r := call(t, inst, "POST", "/api/v1/auth/register", "", c.body)
		p := wantProblem(t, r, 422, c.name)
		got := p.fields()
		for _, f := range c.fields {
			if got[f] == "" {
				t.Errorf("%s: errors lack a message for %q: %s", c.name, f, r)
			}
		}
		if len(got) != len(c.fields) {
			t.Errorf("%s: errors name %v, want exactly %v", c.name, got, c.fields)
		}
	}
	if n := users(); n != before {
		t.Fatalf("failed registrations stored accounts: %d users before, %d after", before, n)
	}
}

func TestAPIToken(t *testing.T) {
	inst := start(t)
	r := call(t, inst, "POST", "/api/v1/auth/register", "", map[string]any{"email": "carla@example.org", "name": "Carla", "password": "carlas-passwort"})
	want(t, r, 201, "register")

	r = call(t, inst, "POST", "/api/v1/auth/token", "", map[string]any{"email": "carla@example.org", "password": "carlas-passwort"})
	if r.Status != 200 && r.Status != 201 {
		t.Fatalf("token: status %d, want 200 or 201: %s", r.Status, r)
	}
	m := r.JSON(t)
	token, _ := m["token"].(string)
	user, _ := m["user"].(map[string]any)
	if token == "" || user["name"] != "Carla" || user["role"] != "participant" || user["id"] == nil {
		t.Fatalf("token: want {token, user:{id, name, role}}: %s", r)
	}
	want(t, call(t, inst, "GET", "/api/v1/me", token, nil), 200, "/me with the issued token")

	wantProblem(t, call(t, inst, "POST", "/api/v1/auth/token", "", map[string]any{"email": "carla@example.org", "password": "falsches-passwort"}), 401, "wrong password")
	wantProblem(t, call(t, inst, "POST", "/api/v1/auth/token", "", map[string]any{"email": "niemand@example.org", "password": "carlas-passwort"}), 401, "unknown account")
	wantProblem(t, call(t, inst, "POST", "/api/v1/auth/token", "", map[string]any{"email": "carla@example.org"}), 422, "no password")
}

func TestAPILoginRateLimitPerAccount(t *testing.T) {
	inst := start(t)
	for _, who := range []string{"dora", "emil"} {
		want(t, call(t, inst, "POST", "/api/v1/auth/register", "", map[string]any{"email": who + "@example.org", "name": who, "password": who + "-passwort-lang"}), 201, "register "+who)
	}
	wrong := map[string]any{"email": "dora@example.org", "password": "falsch-falsch"}
	var r reply
	for i := 0; i < 30; i++ {
		r = call(t, inst, "POST", "/api/v1/auth/token", "", wrong)
		if r.Status == 429 {
			break
		}
		wantProblem(t, r, 401, fmt.Sprintf("failed login %d", i+1))
	}
	if r.Status != 429 {
		t.Fatalf("30 failed logins for one account were never limited")
	}
	wantProblem(t, r, 429, "rate limited login")
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs <= 0 {
		t.Fatalf("429 without a positive Retry-After: %q", r.Header.Get("Retry-After"))
	}
	// The locked account stays locked even with the right password ...
	r = call(t, inst, "POST", "/api/v1/auth/token", "", map[string]any{"email": "dora@example.org", "password": "dora-passwort-lang"})
	wantProblem(t, r, 429, "right password while locked")
	// ... while another account from the same address is unaffected.
	wantProblem(t, call(t, inst, "POST", "/api/v1/auth/token", "", map[string]any{"email": "emil@example.org", "password": "falsch-falsch"}), 401, "other account, wrong password")
	r = call(t, inst, "POST", "/api/v1/auth/token", "", map[string]any{"email": "emil@example.org", "password": "emil-passwort-lang"})
	if r.Status != 200 && r.Status != 201 {
		t.Fatalf("other account from the same address was limited too: %s", r)
	}
}

// Parallel guesses must not slip past the per-account limit while the
// password hash is being checked.
func TestAPILoginRateLimitParallel(t *testing.T) {
	inst := start(t)
	want(t, call(t, inst, "POST", "/api/v1/auth/register", "", map[string]any{"email": "fritz@example.org", "name": "Fritz", "password": "fritz-passwort-lang"}), 201, "register")
	statuses := make([]int, 20)
	errs := together(len(statuses), func(i int) error {
		r, err := request(inst, "POST", "/api/v1/auth/token", "", map[string]any{"email": "fritz@example.org", "password": fmt.Sprintf("rate-mal-%d", i)}, nil)
		statuses[i] = r.Status
		return err
	})
	checked := 0
	for i, s := range statuses {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		switch s {
		case 401:
			checked++
		case 429:
		default:
			t.Errorf("guess %d: status %d, want 401 or 429", i, s)
		}
	}
	if checked > 5 {
		t.Fatalf("%d of 20 parallel guesses were checked, the per-account limit is 5", checked)
	}
	wantProblem(t, call(t, inst, "POST", "/api/v1/auth/token", "", map[string]any{"email": "fritz@example.org", "password": "fritz-passwort-lang"}), 429, "right password after the parallel guesses")
}

func TestAPIWorkshopsCreateAndAccess(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	admin, _ := staffToken(t, inst, auth.RoleAdmin)
	r := call(t, inst, "POST", "/api/v1/auth/register", "", map[string]any{"email": "p@example.org", "name": "Paula", "password": "paulas-passwort"})
	want(t, r, 201, "register participant")
	participant := r.JSON(t)["token"].(string)

	r = call(t, inst, "POST", "/api/v1/workshops", mod, map[string]any{"title": "Bürgerservice-App", "description": "Ein *Termin* online."})
	want(t, r, 201, "moderator creates workshop")
	var w workshopJSON
	r.Decode(t, &w)
	if w.Slug != "buergerservice-app" || w.Title != "Bürgerservice-App" || w.Phase != "draft" || len(w.JoinCode) < 4 {
		t.Fatalf("created workshop: want slug buergerservice-app, phase draft and a join code: %s", r)
	}
	r = call(t, inst, "POST", "/api/v1/workshops", admin, map[string]any{"title": "Bürgerservice-App"})
	want(t, r, 201, "admin creates workshop with the same title")
	var w2 workshopJSON
	r.Decode(t, &w2)
	if w2.Slug == w.Slug || w2.JoinCode == w.JoinCode {
		t.Fatalf("second workshop reuses slug or join code: %q/%q vs %q/%q", w2.Slug, w2.JoinCode, w.Slug, w.JoinCode)
	}

	open := newWorkshop(t, inst, mod, "Offene Werkstatt", "open")
	guest, _ := joinGuest(t, inst, open, "Gast Gustav")

	// Creating: participants and guests are refused, visitors must log in.
	wantProblem(t, call(t, inst, "POST", "/api/v1/workshops", participant, map[string]any{"title": "Nicht erlaubt"}), 403, "participant creates")
	wantProblem(t, call(t, inst, "POST", "/api/v1/workshops", guest, map[string]any{"title": "Nicht erlaubt"}), 403, "guest creates")
	wantProblem(t, call(t, inst, "POST", "/api/v1/workshops", "", map[string]any{"title": "Nicht erlaubt"}), 401, "no token")
	wantProblem(t, call(t, inst, "POST", "/api/v1/workshops", "falsches-token", map[string]any{"title": "Nicht erlaubt"}), 401, "invalid bearer")
	wantProblem(t, callHeaders(t, inst, "GET", "/api/v1/workshops", "", nil, map[string]string{"Authorization": "Basic YTpi"}), 401, "not a bearer token")
	wantProblem(t, call(t, inst, "GET", "/api/v1/workshops", "falsches-token", nil), 401, "invalid bearer on a public read")
	p := wantProblem(t, call(t, inst, "POST", "/api/v1/workshops", mod, map[string]any{"description": "ohne Titel"}), 422, "no title")
	if p.fields()["title"] == "" {
		t.Errorf("missing title: no error for field title: %+v", p)
	}

	// Listing: drafts for staff only.
	slugs := func(token string) map[string]string {
		r := call(t, inst, "GET", "/api/v1/workshops", token, nil)
		want(t, r, 200, "list workshops")
		var out struct{ Items []workshopJSON }
		r.Decode(t, &out)
		m := map[string]string{}
		for _, it := range out.Items {
			m[it.Slug] = it.Phase
		}
		return m
	}
	for name, token := range map[string]string{"visitor": "", "participant": participant, "guest": guest} {
		got := slugs(token)
		if _, ok := got[w.Slug]; ok {
			t.Errorf("%s sees draft workshop %q in the list", name, w.Slug)
		}
		if got[open.Slug] != "open" {
			t.Errorf("%s does not see open workshop %q: %v", name, open.Slug, got)
		}
	}
	for name, token := range map[string]string{"moderator": mod, "admin": admin} {
		got := slugs(token)
		if got[w.Slug] != "draft" || got[w2.Slug] != "draft" || got[open.Slug] != "open" {
			t.Errorf("%s should see drafts and open workshops: %v", name, got)
		}
	}

	// One workshop.
	for name, token := range map[string]string{"visitor": "", "participant": participant, "guest": guest} {
		wantProblem(t, call(t, inst, "GET", "/api/v1/workshops/"+w.Slug, token, nil), 404, name+" opens a draft")
	}
	r = call(t, inst, "GET", "/api/v1/workshops/"+w.Slug, mod, nil)
	want(t, r, 200, "moderator opens draft")
	var got workshopJSON
	r.Decode(t, &got)
	if got.Slug != w.Slug || got.Phase != "draft" || !strings.Contains(got.DescriptionHTML, "<em>Termin</em>") {
		t.Fatalf("moderator's view of the draft: %s", r)
	}
	r = call(t, inst, "GET", "/api/v1/workshops/"+open.Slug, "", nil)
	want(t, r, 200, "visitor opens open workshop")
	m := r.JSON(t)
	if m["slug"] != open.Slug || m["title"] != "Offene Werkstatt" || m["phase"] != "open" || !strings.Contains(m["description_html"].(string), "<strong>geht</strong>") {
		t.Fatalf("visitor's view: want slug, title, phase, description_html: %s", r)
	}
	if code, ok := m["join_code"]; ok && code != "" {
		t.Errorf("visitor sees the join code: %v", code)
	}
	wantProblem(t, call(t, inst, "GET", "/api/v1/workshops/gibt-es-nicht", "", nil), 404, "unknown slug")
}

func TestAPIWorkshopPhases(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Phasen", "draft")
	guest := func() string {
		// A guest of another, open workshop: known, but no staff.
		o := newWorkshop(t, inst, mod, unique("Andere "), "open")
		tok, _ := joinGuest(t, inst, o, "Gast")
		return tok
	}()
	path := "/api/v1/workshops/" + w.Slug
	phase := func(token string, body map[string]any) reply { return call(t, inst, "PATCH", path, token, body) }
	current := func() string {
		r := call(t, inst, "GET", path, mod, nil)
		want(t, r, 200, "get workshop")
		return r.JSON(t)["phase"].(string)
	}

	wantProblem(t, phase(mod, map[string]any{"phase": "voting"}), 409, "draft → voting skips open")
	wantProblem(t, phase(mod, map[string]any{"phase": "closed"}), 409, "draft → closed")
	wantProblem(t, phase(mod, map[string]any{"phase": "archiviert"}), 422, "unknown phase")
	if p := current(); p != "draft" {
		t.Fatalf("refused moves changed the phase to %q", p)
	}
	r := phase(mod, map[string]any{"phase": "open"})
	want(t, r, 200, "draft → open")
	if r.JSON(t)["phase"] != "open" {
		t.Fatalf("PATCH answer does not show the new phase: %s", r)
	}
	wantProblem(t, phase("", map[string]any{"phase": "voting"}), 401, "visitor moves phase")
	wantProblem(t, phase(guest, map[string]any{"phase": "voting"}), 403, "guest moves phase")
	wantProblem(t, phase(mod, map[string]any{"phase": "closed"}), 409, "open → closed skips voting")
	wantProblem(t, phase(mod, map[string]any{"phase": "draft"}), 409, "open → draft")
	want(t, phase(mod, map[string]any{"phase": "voting"}), 200, "open → voting")
	wantProblem(t, phase(mod, map[string]any{"phase": "open"}), 409, "voting → open")
	want(t, phase(mod, map[string]any{"phase": "closed"}), 200, "voting → closed")
	p := wantProblem(t, phase(mod, map[string]any{"phase": "voting"}), 422, "closed → voting without reason")
	if p.fields()["reason"] == "" {
		t.Errorf("closed → voting without reason: no error for field reason: %+v", p)
	}
	wantProblem(t, phase(mod, map[string]any{"phase": "voting", "reason": "   "}), 422, "closed → voting with a blank reason")
	if got := current(); got != "closed" {
		t.Fatalf("refused reopening changed the phase to %q", got)
	}
	r = phase(mod, map[string]any{"phase": "voting", "reason": "Stimmen aus der Papierrunde fehlen"})
	want(t, r, 200, "closed → voting with reason")
	if r.JSON(t)["phase"] != "voting" {
		t.Fatalf("reopened workshop: %s", r)
	}

	// Other fields.
	r = phase(mod, map[string]any{"title": "Neuer Titel", "regenerate_join_code": true})
	want(t, r, 200, "edit title and code")
	m := r.JSON(t)
	if m["title"] != "Neuer Titel" || m["join_code"] == w.JoinCode || m["join_code"] == "" {
		t.Fatalf("title or join code not changed: %s", r)
	}

	// Every move is logged: open, voting, closed, voting.
	var logged []struct{ FromPhase, ToPhase, Reason string }
	if err := inst.DB.Table("phase_changes").Where("workshop_id = (SELECT id FROM workshops WHERE slug = ?)", w.Slug).
		Order("id").Find(&logged).Error; err != nil {
		t.Fatal(err)
	}
	var moves []string
	for _, l := range logged {
		moves = append(moves, l.FromPhase+"→"+l.ToPhase)
	}
	if strings.Join(moves, " ") != "draft→open open→voting voting→closed closed→voting" {
		t.Fatalf("phase log %v, want the four allowed moves", moves)
	}
	if logged[3].Reason != "Stimmen aus der Papierrunde fehlen" {
		t.Errorf("reopening reason not logged: %q", logged[3].Reason)
	}
}

func TestAPIJoin(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	open := newWorkshop(t, inst, mod, "Offen", "open")
	other := newWorkshop(t, inst, mod, "Andere", "open")
	draft := newWorkshop(t, inst, mod, "Entwurf", "draft")
	closed := newWorkshop(t, inst, mod, "Vorbei", "closed")
	guestRows := func() int64 {
		var n int64
		if err := inst.DB.Table("users").Where("guest = ?", true).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}

	r := call(t, inst, "POST", "/api/v1/workshops/"+open.Slug+"/join", "", map[string]any{"code": strings.ToLower(open.JoinCode), "display_name": "Fritz"})
	want(t, r, 201, "join with (lower-case) code")
	m := r.JSON(t)
	user, _ := m["user"].(map[string]any)
	if m["token"] == "" || user["id"] == nil || user["name"] != "Fritz" || user["role"] != "participant" {
		t.Fatalf("join: want {token, user:{id, name, role}}: %s", r)
	}
	want(t, call(t, inst, "GET", "/api/v1/me", m["token"].(string), nil), 200, "guest token works")
	before := guestRows()

	refused := []struct {
		name string
		slug string
		body map[string]any
		want []int
	}{
		{"wrong code", open.Slug, map[string]any{"code": "ZZZZZZ", "display_name": "Fritz"}, []int{403, 404}},
		{"code of another workshop", open.Slug, map[string]any{"code": other.JoinCode, "display_name": "Fritz"}, []int{403, 404}},
		{"unknown workshop", "gibt-es-nicht", map[string]any{"code": open.JoinCode, "display_name": "Fritz"}, []int{403, 404}},
		{"draft workshop", draft.Slug, map[string]any{"code": draft.JoinCode, "display_name": "Fritz"}, []int{403, 404, 409}},
		{"closed workshop", closed.Slug, map[string]any{"code": closed.JoinCode, "display_name": "Fritz"}, []int{403, 409}},
		{"name too short", open.Slug, map[string]any{"code": open.JoinCode, "display_name": "F"}, []int{422}},
		{"no code", open.Slug, map[string]any{"display_name": "Fritz"}, []int{422}},
	}
	for _, c := range refused {
		r := call(t, inst, "POST", "/api/v1/workshops/"+c.slug+"/join", "", c.body)
		ok := false
		for _, s := range c.want {
			ok = ok || r.Status == s
		}
		if !ok {
			t.Errorf("%s: status %d, want one of %v: %s", c.name, r.Status, c.want, r)
			continue
		}
		wantProblem(t, r, r.Status, c.name)
	}
	if n := guestRows(); n != before {
		t.Fatalf("refused joins created %d guest accounts", n-before)
	}
}

func TestAPIIdeasListAndCreate(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Ideen", "open")
	other := newWorkshop(t, inst, mod, "Nachbar", "open")
	g1, _ := joinGuest(t, inst, w, "Erste")
	g2, _ := joinGuest(t, inst, w, "Zweite")
	stranger, _ := joinGuest(t, inst, other, "Fremde")

	r := call(t, inst, "POST", "/api/v1/workshops/"+w.Slug+"/ideas", g1, map[string]any{"title": "Online-Termine", "body": "Termine **online** buchen"})
	want(t, r, 201, "create idea")
	m := r.JSON(t)
	for _, k := range []string{"id", "title", "body", "body_html", "votes"} {
		if _, ok := m[k]; !ok {
			t.Errorf("created idea lacks %q: %s", k, r)
		}
	}
	if m["title"] != "Online-Termine" || m["body"] != "Termine **online** buchen" || !strings.Contains(m["body_html"].(string), "<strong>online</strong>") || m["votes"] != 0.0 {
		t.Fatalf("created idea: %s", r)
	}
	a := uint64(m["id"].(float64))
	b := newIdea(t, inst, g2, w.Slug, "Barrierefreie Formulare").ID
	c := newIdea(t, inst, mod, w.Slug, "Chat mit dem Amt").ID
	// Votes: b 2, c 1, a 0.
	for _, v := range []struct {
		tok string
		id  uint64
	}{{g1, b}, {g2, b}, {g1, c}} {
		want(t, call(t, inst, "PUT", fmt.Sprintf("/api/v1/ideas/%d/vote", v.id), v.tok, nil), 200, "vote")
	}
	order := func(query, token string) []uint64 {
		r := call(t, inst, "GET", "/api/v1/workshops/"+w.Slug+"/ideas"+query, token, nil)
		want(t, r, 200, "list "+query)
		var out struct{ Items []ideaJSON }
		r.Decode(t, &out)
		var ids []uint64
		for _, it := range out.Items {
			ids = append(ids, it.ID)
		}
		return ids
	}
	eq := func(got, want []uint64) bool { return fmt.Sprint(got) == fmt.Sprint(want) }
	if got := order("?sort=top", ""); !eq(got, []uint64{b, c, a}) {
		t.Errorf("sort=top: %v, want %v (most votes first)", got, []uint64{b, c, a})
	}
	if got := order("", ""); !eq(got, []uint64{b, c, a}) {
		t.Errorf("default sort: %v, want top %v", got, []uint64{b, c, a})
	}
	if got := order("?sort=new", ""); !eq(got, []uint64{c, b, a}) {
		t.Errorf("sort=new: %v, want %v (newest first)", got, []uint64{c, b, a})
	}
	r = call(t, inst, "GET", "/api/v1/workshops/"+w.Slug+"/ideas?sort=top", g1, nil)
	var list struct{ Items []ideaJSON }
	r.Decode(t, &list)
	if len(list.Items) != 3 || list.Items[0].Votes != 2 || list.Items[1].Votes != 1 || list.Items[2].Votes != 0 || !list.Items[0].Voted || list.Items[2].Voted {
		t.Fatalf("listed votes/voted for the first guest: %+v", list.Items)
	}
	if _, ok := r.JSON(t)["items"].([]any)[0].(map[string]any)["comments"]; !ok {
		t.Errorf("list items lack the comments count: %s", r)
	}
	p := wantProblem(t, call(t, inst, "GET", "/api/v1/workshops/"+w.Slug+"/ideas?sort=beliebt", "", nil), 422, "unknown sort")
	if p.fields()["sort"] == "" {
		t.Errorf("unknown sort: no error for field sort: %+v", p)
	}

	// Validation and policy: nothing stored.
	before := ideaCount(t, inst, "", w.Slug)
	post := func(token, slug string, body any) reply {
		return call(t, inst, "POST", "/api/v1/workshops/"+slug+"/ideas", token, body)
	}
	for name, title := range map[string]string{"empty title": "", "blank title": "   ", "141 characters": strings.Repeat("ä", 141)} {
		p := wantProblem(t, post(g1, w.Slug, map[string]any{"title": title, "body": "x"}), 422, name)
		if p.fields()["title"] == "" {
			t.Errorf("%s: no error for field title: %+v", name, p)
		}
	}
	wantProblem(t, post(g1, w.Slug, map[string]any{"title": "Langer Text", "body": strings.Repeat("x", 5001)}), 422, "body over 5000 characters")
	wantProblem(t, post(stranger, w.Slug, map[string]any{"title": "Von nebenan"}), 403, "guest of another workshop")
	wantProblem(t, post("", w.Slug, map[string]any{"title": "Anonym"}), 401, "visitor")
	if n := ideaCount(t, inst, "", w.Slug); n != before {
		t.Fatalf("refused ideas were stored: %d before, %d after", before, n)
	}
	want(t, post(g1, w.Slug, map[string]any{"title": strings.Repeat("ä", 140)}), 201, "140 characters")

	setPhase(t, inst, mod, w.Slug, "voting")
	wantProblem(t, post(g1, w.Slug, map[string]any{"title": "Zu spät"}), 409, "idea while voting")
	setPhase(t, inst, mod, w.Slug, "closed")
	wantProblem(t, post(g1, w.Slug, map[string]any{"title": "Viel zu spät"}), 409, "idea when closed")
	draft := newWorkshop(t, inst, mod, "Noch nicht", "draft")
	wantProblem(t, post(mod, draft.Slug, map[string]any{"title": "Zu früh"}), 409, "idea in a draft")
	wantProblem(t, post(g1, draft.Slug, map[string]any{"title": "Zu früh"}), 404, "guest posts into a hidden draft")
	if n := ideaCount(t, inst, "", w.Slug); n != before+1 {
		t.Fatalf("ideas after the wrong-phase posts: %d, want %d", n, before+1)
	}
}

func TestAPIIdeaAndVotes(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Stimmen", "open")
	voter, _ := joinGuest(t, inst, w, "Wähler")
	other, _ := joinGuest(t, inst, w, "Andere")
	idea := newIdea(t, inst, other, w.Slug, "Mehr Bänke")
	vote := fmt.Sprintf("/api/v1/ideas/%d/vote", idea.ID)

	r := call(t, inst, "GET", fmt.Sprintf("/api/v1/ideas/%d", idea.ID), voter, nil)
	want(t, r, 200, "get idea")
	m := r.JSON(t)
	for _, k := range []string{"id", "title", "body", "body_html", "votes", "comments", "voted"} {
		if _, ok := m[k]; !ok {
			t.Errorf("idea lacks %q: %s", k, r)
		}
	}
	if m["voted"] != false || m["votes"] != 0.0 {
		t.Fatalf("fresh idea: %s", r)
	}

	for i := 1; i <= 2; i++ {
		r := call(t, inst, "PUT", vote, voter, nil)
		want(t, r, 200, fmt.Sprintf("vote #%d", i))
		m := r.JSON(t)
		if m["votes"] != 1.0 || m["voted"] != true {
			t.Fatalf("vote #%d: want {votes:1, voted:true}: %s", i, r)
		}
	}
	if got := getIdea(t, inst, voter, idea.ID); got.Votes != 1 || !got.Voted {
		t.Fatalf("voter's view after voting twice: %+v", got)
	}
	if got := getIdea(t, inst, other, idea.ID); got.Votes != 1 || got.Voted {
		t.Fatalf("other guest's view: %+v (voted must be false)", got)
	}
	if got := getIdea(t, inst, "", idea.ID); got.Votes != 1 || got.Voted {
		t.Fatalf("visitor's view: %+v", got)
	}
	r = call(t, inst, "PUT", vote, other, nil)
	if r.JSON(t)["votes"] != 2.0 {
		t.Fatalf("second voter: %s", r)
	}
	for i := 1; i <= 2; i++ {
		r := call(t, inst, "DELETE", vote, voter, nil)
		want(t, r, 200, fmt.Sprintf("unvote #%d", i))
		m := r.JSON(t)
		if m["votes"] != 1.0 || m["voted"] != false {
			t.Fatalf("unvote #%d: want {votes:1, voted:false}: %s", i, r)
		}
	}
	if got := getIdea(t, inst, voter, idea.ID); got.Votes != 1 || got.Voted {
		t.Fatalf("after unvoting: %+v", got)
	}
	wantProblem(t, call(t, inst, "PUT", vote, "", nil), 401, "visitor votes")
	stranger := func() string {
		o := newWorkshop(t, inst, mod, "Nebenan", "open")
		tok, _ := joinGuest(t, inst, o, "Fremd")
		return tok
	}()
	wantProblem(t, call(t, inst, "PUT", vote, stranger, nil), 403, "guest of another workshop votes")
	wantProblem(t, call(t, inst, "PUT", "/api/v1/ideas/999999/vote", voter, nil), 404, "unknown idea")
	wantProblem(t, call(t, inst, "GET", "/api/v1/ideas/999999", "", nil), 404, "get unknown idea")
	wantProblem(t, call(t, inst, "GET", "/api/v1/ideas/abc", "", nil), 404, "non-numeric id")

	setPhase(t, inst, mod, w.Slug, "voting")
	want(t, call(t, inst, "PUT", vote, voter, nil), 200, "vote while voting")
	setPhase(t, inst, mod, w.Slug, "closed")
	wantProblem(t, call(t, inst, "PUT", vote, other, nil), 409, "vote when closed")
	wantProblem(t, call(t, inst, "DELETE", vote, voter, nil), 409, "unvote when closed")
	if got := getIdea(t, inst, voter, idea.ID); got.Votes != 2 || !got.Voted {
		t.Fatalf("closed workshop's votes changed: %+v", got)
	}
}

func TestAPIComments(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Kommentare", "open")
	g, gid := joinGuest(t, inst, w, "Kommentatorin")
	idea := newIdea(t, inst, g, w.Slug, "Längere Öffnungszeiten")
	path := fmt.Sprintf("/api/v1/ideas/%d/comments", idea.ID)

	r := call(t, inst, "GET", path, "", nil)
	want(t, r, 200, "empty comment list")
	if items, ok := r.JSON(t)["items"].([]any); !ok || len(items) != 0 {
		t.Fatalf("empty list: want {items:[]}: %s", r)
	}
	r = call(t, inst, "POST", path, g, map[string]any{"body": "Gute Idee, _vor allem_ samstags."})
	want(t, r, 201, "comment while open")
	m := r.JSON(t)
	if m["id"] == nil || !strings.Contains(m["body_html"].(string), "<em>vor allem</em>") {
		t.Fatalf("created comment: %s", r)
	}
	wantProblem(t, call(t, inst, "POST", path, g, map[string]any{"body": "  "}), 422, "empty comment")
	wantProblem(t, call(t, inst, "POST", path, "", map[string]any{"body": "anonym"}), 401, "visitor comments")

	setPhase(t, inst, mod, w.Slug, "voting")
	want(t, call(t, inst, "POST", path, g, map[string]any{"body": "Noch ein Gedanke."}), 201, "comment while voting")
	setPhase(t, inst, mod, w.Slug, "closed")
	wantProblem(t, call(t, inst, "POST", path, g, map[string]any{"body": "Zu spät."}), 409, "comment when closed")

	r = call(t, inst, "GET", path, "", nil)
	want(t, r, 200, "comment list")
	var list struct {
		Items []struct {
			ID       any    `json:"id"`
			BodyHTML string `json:"body_html"`
			Author   struct {
				ID   uint64 `json:"id"`
				Name string `json:"name"`
			} `json:"author"`
			CreatedAt string `json:"created_at"`
		} `json:"items"`
	}
	r.Decode(t, &list)
	if len(list.Items) != 2 {
		t.Fatalf("comments: %d, want 2: %s", len(list.Items), r)
	}
	for _, c := range list.Items {
		if c.ID == nil || c.BodyHTML == "" || c.Author.Name != "Kommentatorin" || c.Author.ID != gid || c.CreatedAt == "" {
			t.Errorf("comment lacks id, body_html, author or created_at: %+v", c)
		}
	}
	if !strings.Contains(list.Items[0].BodyHTML, "vor allem") || !strings.Contains(list.Items[1].BodyHTML, "Noch ein Gedanke") {
		t.Errorf("comments not oldest first: %+v", list.Items)
	}
	if got := getIdea(t, inst, "", idea.ID); got.Comments != 2 {
		t.Errorf("idea's comment count %d, want 2", got.Comments)
	}
	wantProblem(t, call(t, inst, "GET", "/api/v1/ideas/424242/comments", "", nil), 404, "comments of unknown idea")
}

func TestAPIBadBodies(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Grenzen", "open")
	g, _ := joinGuest(t, inst, w, "Grenzgängerin")
	idea := newIdea(t, inst, g, w.Slug, "Eine Idee")
	ideas := ideaCount(t, inst, "", w.Slug)
	workshops := func() int {
		r := call(t, inst, "GET", "/api/v1/workshops", mod, nil)
		var out struct{ Items []any }
		r.Decode(t, &out)
		return len(out.Items)
	}
	wsBefore := workshops()

	big := `{"title":"Zu groß","body":"` + strings.Repeat("x", 1<<20) + `"}`
	for _, c := range []struct{ method, path string }{
		{"POST", "/api/v1/workshops/" + w.Slug + "/ideas"},
		{"POST", fmt.Sprintf("/api/v1/ideas/%d/comments", idea.ID)},
		{"POST", "/api/v1/workshops"},
		{"POST", "/api/v1/auth/register"},
	} {
		token := g
		if c.path == "/api/v1/workshops" {
			token = mod
		}
		wantProblem(t, call(t, inst, c.method, c.path, token, big), 413, "over 1 MiB to "+c.path)
	}

	malformed := []struct {
		name, body, ctype string
	}{
		{"truncated JSON", `{"title": "Halb`, "application/json"},
		{"array instead of object", `["title"]`, "application/json"},
		{"string instead of object", `"title"`, "application/json"},
		{"number for a string field", `{"title": 12345, "body": "x"}`, "application/json"},
		{"garbage", "\x00\x01\x02", "application/json"},
		{"text/plain", "title=Hallo", "text/plain"},
		{"empty JSON body", "", "application/json"},
	}
	for _, c := range malformed {
		r := callHeaders(t, inst, "POST", "/api/v1/workshops/"+w.Slug+"/ideas", g, c.body, map[string]string{"Content-Type": c.ctype})
		if r.Status < 400 || r.Status >= 500 {
			t.Errorf("%s: status %d, want 4xx: %s", c.name, r.Status, r)
			continue
		}
		wantProblem(t, r, r.Status, c.name)
	}
	r := callHeaders(t, inst, "POST", "/api/v1/auth/register", "", `{"email":`, map[string]string{"Content-Type": "application/json"})
	if r.Status < 400 || r.Status >= 500 {
		t.Errorf("malformed register: %s", r)
	}
	r = callHeaders(t, inst, "PATCH", "/api/v1/workshops/"+w.Slug, mod, `{"phase": ["voting"]}`, map[string]string{"Content-Type": "application/json"})
	if r.Status < 400 || r.Status >= 500 {
		t.Errorf("malformed PATCH: %s", r)
	}

	if n := ideaCount(t, inst, "", w.Slug); n != ideas {
		t.Errorf("bad bodies stored ideas: %d before, %d after", ideas, n)
	}
	if n := commentCount(t, inst, "", idea.ID); n != 0 {
		t.Errorf("bad bodies stored %d comments", n)
	}
	if n := workshops(); n != wsBefore {
		t.Errorf("bad bodies stored workshops: %d before, %d after", wsBefore, n)
	}
	if got := call(t, inst, "GET", "/api/v1/workshops/"+w.Slug, "", nil).JSON(t)["phase"]; got != "open" {
		t.Errorf("malformed PATCH changed the phase to %v", got)
	}
	wantProblem(t, call(t, inst, "GET", "/api/v1/gibt-es-nicht", "", nil), 404, "unknown API path")
}

func TestAPIUserTextIsEscaped(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Sicherheit", "open")
	g, _ := joinGuest(t, inst, w, `<b onmouseover="alert(4)">Mallory</b>`)
	body := "Hallo <script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[klick](javascript:alert(3))\n\n<iframe src=\"https://evil.example\"></iframe>"
	title := `<script>alert("titel")</script> Idee`
	r := call(t, inst, "POST", "/api/v1/workshops/"+w.Slug+"/ideas", g, map[string]any{"title": title, "body": body})
	want(t, r, 201, "post idea with HTML")
	var idea ideaJSON
	r.Decode(t, &idea)
	if idea.Body != body {
		t.Errorf("raw body not kept as written: %q", idea.Body)
	}
	unsafeHTML(t, "body_html", idea.BodyHTML)
	if !strings.Contains(idea.BodyHTML, "Hallo") {
		t.Errorf("body_html lost the harmless text: %s", idea.BodyHTML)
	}
	want(t, call(t, inst, "POST", fmt.Sprintf("/api/v1/ideas/%d/comments", idea.ID), g, map[string]any{"body": "<script>alert(5)</script> Kommentar"}), 201, "comment with HTML")

	for _, path := range []string{fmt.Sprintf("/ideas/%d", idea.ID), "/w/" + w.Slug} {
		r := callHeaders(t, inst, "GET", path, "", nil, map[string]string{"Accept": "text/html"})
		want(t, r, 200, "page "+path)
		page := string(r.Body)
		unsafeHTML(t, path, page)
		if strings.Contains(page, "<script>alert") {
			t.Errorf("%s contains an inline script", path)
		}
		if !strings.Contains(page, "&lt;script&gt;alert(&#34;titel&#34;)&lt;/script&gt; Idee") {
			t.Errorf("%s does not show the title escaped", path)
		}
		if !strings.Contains(page, "&lt;b onmouseover=") {
			t.Errorf("%s does not show the author name escaped", path)
		}
	}
}

// Tags that would run script or load foreign content, and event handler
// attributes on any real tag; escaped text (&lt;…) does not match.
var (
	dangerousTag  = regexp.MustCompile(`(?i)<(script|iframe|img|object|embed|svg)\b[^>]*>`)
	handlerAttr   = regexp.MustCompile(`(?i)<[a-z][^>]*\son[a-z]+\s*=`)
	scriptURLAttr = regexp.MustCompile(`(?i)(href|src)\s*=\s*["']?\s*javascript:`)
)

// unsafeHTML fails when html holds markup that could run script. The
// layout's own script and images from /static/ are allowed.
func unsafeHTML(t *testing.T, what, html string) {
	t.Helper()
	for _, m := range dangerousTag.FindAllString(html, -1) {
		if strings.Contains(m, ` src="/static/`) {
			continue
		}
		t.Errorf("%s contains %s", what, m)
	}
	if m := handlerAttr.FindString(html); m != "" {
		t.Errorf("%s contains an event handler: %s", what, m)
	}
	if m := scriptURLAttr.FindString(html); m != "" {
		t.Errorf("%s contains a javascript: URL: %s", what, m)
	}
}

func TestAPIHealthAndMetrics(t *testing.T) {
	inst := start(t)
	r := callHeaders(t, inst, "GET", "/healthz", "", nil, nil)
	want(t, r, 200, "/healthz")
	r = callHeaders(t, inst, "GET", "/readyz", "", nil, nil)
	want(t, r, 200, "/readyz")
	if r.JSON(t)["status"] != "ok" {
		t.Errorf("/readyz: %s", r)
	}
	want(t, call(t, inst, "GET", "/api/v1/workshops", "", nil), 200, "an API request to count")
	want(t, call(t, inst, "GET", "/api/v1/workshops", "", nil), 200, "an API request to count")
	r = callHeaders(t, inst, "GET", "/metrics", "", nil, map[string]string{"Accept": "text/plain"})
	want(t, r, 200, "/metrics")
	m := string(r.Body)
	for _, s := range []string{
		"werkstatt_http_requests_total",
		`werkstatt_http_requests_total{method="GET",route="/api/v1/workshops",status="200"} 2`,
		"werkstatt_http_request_duration_seconds_bucket",
		`go_sql_max_open_connections{db_name="werkstatt"}`,
		`go_sql_open_connections{db_name="werkstatt"}`,
		`go_sql_in_use_connections{db_name="werkstatt"}`,
	} {
		if !strings.Contains(m, s) {
			t.Errorf("/metrics lacks %s", s)
		}
	}
	r = call(t, inst, "GET", "/api/v1/openapi.json", "", nil)
	want(t, r, 200, "openapi.json")
	if _, ok := r.JSON(t)["paths"]; !ok {
		t.Errorf("openapi.json has no paths")
	}
}

func TestAPIAdminUsers(t *testing.T) {
	inst := start(t)
	admin, adminID := staffToken(t, inst, auth.RoleAdmin)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	r := call(t, inst, "POST", "/api/v1/auth/register", "", map[string]any{"email": "hanna@example.org", "name": "Hanna", "password": "hannas-passwort"})
	want(t, r, 201, "register")
	hanna := r.JSON(t)
	hannaToken := hanna["token"].(string)
	hannaID := uint64(hanna["user"].(map[string]any)["id"].(float64))
	w := newWorkshop(t, inst, mod, "Gäste", "open")
	guest, guestID := joinGuest(t, inst, w, "Gast")

	r = call(t, inst, "GET", "/api/v1/admin/users", admin, nil)
	want(t, r, 200, "admin lists users")
	var list struct {
		Items []struct {
			ID    uint64 `json:"id"`
			Name  string `json:"name"`
			Role  string `json:"role"`
			Email string `json:"email"`
		} `json:"items"`
	}
	r.Decode(t, &list)
	byID := map[uint64]string{}
	for _, u := range list.Items {
		byID[u.ID] = u.Role
		if u.ID == hannaID && u.Email != "hanna@example.org" {
			t.Errorf("admin list: Hanna's e-mail %q", u.Email)
		}
	}
	if len(list.Items) != 3 || byID[hannaID] != "participant" || byID[adminID] != "admin" {
		t.Fatalf("admin list: want admin, moderator and Hanna (no guests): %s", r)
	}
	if _, ok := byID[guestID]; ok {
		t.Errorf("guests are listed as accounts")
	}

	for name, token := range map[string]string{"moderator": mod, "participant": hannaToken, "guest": guest} {
		wantProblem(t, call(t, inst, "GET", "/api/v1/admin/users", token, nil), 403, name+" lists users")
		wantProblem(t, call(t, inst, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", hannaID), token, map[string]any{"role": "admin"}), 403, name+" changes a role")
	}
	wantProblem(t, call(t, inst, "GET", "/api/v1/admin/users", "", nil), 401, "visitor lists users")
	wantProblem(t, call(t, inst, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", hannaID), "", map[string]any{"role": "admin"}), 401, "visitor changes a role")
	wantProblem(t, call(t, inst, "POST", "/api/v1/workshops", hannaToken, map[string]any{"title": "Hannas Werkstatt"}), 403, "participant creates before promotion")

	p := wantProblem(t, call(t, inst, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", hannaID), admin, map[string]any{"role": "kaiserin"}), 422, "unknown role")
	if p.fields()["role"] == "" {
		t.Errorf("unknown role: no error for field role")
	}
	wantProblem(t, call(t, inst, "PATCH", "/api/v1/admin/users/999999", admin, map[string]any{"role": "moderator"}), 404, "unknown user")
	wantProblem(t, call(t, inst, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", adminID), admin, map[string]any{"role": "participant"}), 409, "admin demotes themselves")
	wantProblem(t, call(t, inst, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", guestID), admin, map[string]any{"role": "moderator"}), 409, "guest gets a role")
	if got := call(t, inst, "GET", "/api/v1/me", hannaToken, nil).JSON(t)["role"]; got != "participant" {
		t.Fatalf("refused changes changed Hanna's role to %v", got)
	}

	r = call(t, inst, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", hannaID), admin, map[string]any{"role": "moderator"})
	want(t, r, 200, "admin promotes Hanna")
	if r.JSON(t)["role"] != "moderator" {
		t.Fatalf("role change answer: %s", r)
	}
	if got := call(t, inst, "GET", "/api/v1/me", hannaToken, nil).JSON(t)["role"]; got != "moderator" {
		t.Fatalf("Hanna's role after promotion: %v", got)
	}
	want(t, call(t, inst, "POST", "/api/v1/workshops", hannaToken, map[string]any{"title": "Hannas Werkstatt"}), 201, "promoted moderator creates a workshop")
}

// TestAPIFailedRequestsStoreNothing sends one request of each failing kind
// and compares what the API lists before and after.
func TestAPIFailedRequestsStoreNothing(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Unverändert", "open")
	other := newWorkshop(t, inst, mod, "Nebenan", "open")
	g, _ := joinGuest(t, inst, w, "Gabi")
	stranger, _ := joinGuest(t, inst, other, "Stefan")
	idea := newIdea(t, inst, g, w.Slug, "Bestehende Idee")
	want(t, call(t, inst, "PUT", fmt.Sprintf("/api/v1/ideas/%d/vote", idea.ID), g, nil), 200, "vote")
	want(t, call(t, inst, "POST", fmt.Sprintf("/api/v1/ideas/%d/comments", idea.ID), g, map[string]any{"body": "Erster"}), 201, "comment")

	type state struct {
		ideas, comments int
		votes           int64
		title, phase    string
	}
	snapshot := func() state {
		i := getIdea(t, inst, "", idea.ID)
		ws := call(t, inst, "GET", "/api/v1/workshops/"+w.Slug, "", nil).JSON(t)
		return state{ideaCount(t, inst, "", w.Slug), commentCount(t, inst, "", idea.ID), i.Votes, ws["title"].(string), ws["phase"].(string)}
	}
	before := snapshot()
	ideaPath := fmt.Sprintf("/api/v1/ideas/%d", idea.ID)
	failing := []struct {
		method, path, token string
		body                any
	}{
		{"POST", "/api/v1/workshops/" + w.Slug + "/ideas", g, map[string]any{"title": ""}},
		{"POST", "/api/v1/workshops/" + w.Slug + "/ideas", stranger, map[string]any{"title": "Fremde Idee"}},
		{"POST", "/api/v1/workshops/" + w.Slug + "/ideas", "", map[string]any{"title": "Anonyme Idee"}},
		{"POST", "/api/v1/workshops/" + w.Slug + "/ideas", g, `{"title": "kaputt`},
		{"POST", ideaPath + "/comments", g, map[string]any{"body": ""}},
		{"POST", ideaPath + "/comments", stranger, map[string]any{"body": "Von nebenan"}},
		{"POST", ideaPath + "/comments", g, `{"body": 1}`},
		{"PUT", ideaPath + "/vote", stranger, nil},
		{"DELETE", ideaPath + "/vote", stranger, nil},
		{"DELETE", ideaPath + "/vote", "", nil},
		{"PATCH", "/api/v1/workshops/" + w.Slug, g, map[string]any{"title": "Gekapert", "phase": "voting"}},
		{"PATCH", "/api/v1/workshops/" + w.Slug, mod, map[string]any{"title": "x", "phase": "voting"}},
		{"PATCH", "/api/v1/workshops/" + w.Slug, mod, map[string]any{"title": "Neu", "phase": "closed"}},
		{"PATCH", "/api/v1/workshops/" + w.Slug, mod, map[string]any{"title": "Neu", "slug": other.Slug}},
	}
	for _, f := range failing {
		r := call(t, inst, f.method, f.path, f.token, f.body)
		if r.Status < 400 || r.Status >= 500 {
			t.Errorf("%s %s: status %d, want a 4xx refusal: %s", f.method, f.path, r.Status, r)
		}
	}
	if after := snapshot(); after != before {
		t.Fatalf("failed requests changed what is stored:\nbefore %+v\nafter  %+v", before, after)
	}
}
