package app_test

// HTML form flows without a browser: net/http with a cookie jar, posting
// forms the way a browser without JavaScript does.

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"werkstatt/app"
	"werkstatt/app/auth"
	"werkstatt/app/config"
	"werkstatt/app/forms"
	"werkstatt/app/i18n"
	"werkstatt/app/testutil"
)

const sessionCookie = "werkstatt_session"

// browser is an HTTP client with its own cookies that does not follow
// redirects, so tests see each 303.
type browser struct {
	t      *testing.T
	inst   *app.Instance
	client *http.Client
	header map[string]string
}

func newBrowser(t *testing.T, inst *app.Instance) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, inst: inst, header: map[string]string{},
		client: &http.Client{Jar: jar, Transport: httpClient.Transport, CheckRedirect: httpClient.CheckRedirect}}
}

func (b *browser) do(method, path string, form url.Values) reply {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.inst.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range b.header {
		req.Header.Set(k, v)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

func (b *browser) get(path string) reply { b.t.Helper(); return b.do("GET", path, nil) }

// post sends a form; values are given as name, value pairs.
func (b *browser) post(path string, pairs ...string) reply {
	b.t.Helper()
	form := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		form.Add(pairs[i], pairs[i+1])
	}
	return b.do("POST", path, form)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf loads path and returns the form token it carries.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	r := b.get(path)
	want(b.t, r, 200, "GET "+path)
	m := csrfField.FindSubmatch(r.Body)
	if m == nil {
		b.t.Fatalf("%s has no _csrf field", path)
	}
	return string(m[1])
}

// cookie returns the value of the browser's cookie name, or "".
func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.inst.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func (b *browser) setCookie(name, value string) {
	u, _ := url.Parse(b.inst.URL)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// setCookieHeader finds the Set-Cookie of name in a response.
func setCookieHeader(r reply, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// msg is a catalogue message as html/template writes it into a page.
func msg(lang, key string, args ...any) string {
	return template.HTMLEscapeString(i18n.T(lang, key, args...))
}

func wantRedirect(t *testing.T, r reply, to, what string) string {
	t.Helper()
	want(t, r, 303, what)
	loc := r.Header.Get("Location")
	if to != "" && loc != to {
		t.Fatalf("%s: redirect to %q, want %q", what, loc, to)
	}
	return loc
}

func TestWebJoinPostVote(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Bürgerservice", "open")
	b := newBrowser(t, inst)

	r := b.get("/join")
	want(t, r, 200, "GET /join")
	page := string(r.Body)
	for _, s := range []string{`name="_csrf"`, `name="code"`, `name="display_name"`, `action="/join"`} {
		if !strings.Contains(page, s) {
			t.Errorf("/join form lacks %s", s)
		}
	}
	token := csrfField.FindStringSubmatch(page)[1]
	guests := func() int64 {
		var n int64
		inst.DB.Table("users").Where("guest = ?", true).Count(&n)
		return n
	}

	// Without or with a wrong token the form is refused.
	want(t, b.post("/join", "code", w.JoinCode, "display_name", "Mona"), 403, "join without _csrf")
	want(t, b.post("/join", "_csrf", token+"x", "code", w.JoinCode, "display_name", "Mona"), 403, "join with a wrong _csrf")
	other := newBrowser(t, inst)
	want(t, other.post("/join", "_csrf", token, "code", w.JoinCode, "display_name", "Mona"), 403, "join with another browser's _csrf")
	if n := guests(); n != 0 {
		t.Fatalf("refused joins created %d guests", n)
	}

	// Wrong code: the form again with the input kept and a message.
	r = b.post("/join", "_csrf", token, "code", "QQQQQQ", "display_name", "Mona")
	if r.Status != 403 && r.Status != 404 {
		t.Fatalf("wrong code: status %d: %s", r.Status, r)
	}
	if !strings.Contains(string(r.Body), msg("de", "join.code_unknown")) || !strings.Contains(string(r.Body), `value="Mona"`) {
		t.Errorf("wrong code: message or kept name missing")
	}

	r = b.post("/join", "_csrf", token, "code", w.JoinCode, "display_name", "Mona")
	wantRedirect(t, r, "/w/"+w.Slug, "join")
	sc := setCookieHeader(r, sessionCookie)
	if sc == nil || sc.Value == "" || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode {
		t.Fatalf("join: want an HttpOnly, SameSite=Lax session cookie, got %+v", sc)
	}
	if n := guests(); n != 1 {
		t.Fatalf("join created %d guests, want 1", n)
	}

	r = b.get("/w/" + w.Slug)
	want(t, r, 200, "workshop page as guest")
	page = string(r.Body)
	if !strings.Contains(page, `action="/w/`+w.Slug+`/ideas"`) || !strings.Contains(page, "Mona") {
		t.Fatalf("guest sees no idea form or not their name")
	}

	// An invalid idea: 422, the input kept, the message beside the field.
	r = b.post("/w/"+w.Slug+"/ideas", "_csrf", token, "title", "", "body", "Mein Text <bleibt> erhalten")
	want(t, r, 422, "idea without title")
	page = string(r.Body)
	if !strings.Contains(page, "Mein Text &lt;bleibt&gt; erhalten</textarea>") {
		t.Errorf("invalid idea: body not kept in the textarea")
	}
	if !besideField(page, "idea-title-error", msg("de", "field.required")) {
		t.Errorf("invalid idea: no field message %q beside the title", i18n.T("de", "field.required"))
	}
	r = b.post("/w/"+w.Slug+"/ideas", "_csrf", token, "title", strings.Repeat("x", 141), "body", "")
	want(t, r, 422, "idea with a long title")
	if !strings.Contains(string(r.Body), `value="`+strings.Repeat("x", 141)+`"`) || !strings.Contains(string(r.Body), msg("de", "field.too_long", 140, 141)) {
		t.Errorf("long title: input or message missing")
	}
	if n := ideaCount(t, inst, "", w.Slug); n != 0 {
		t.Fatalf("invalid ideas were stored: %d", n)
	}

	r = b.post("/w/"+w.Slug+"/ideas", "_csrf", token, "title", "Termine online", "body", "Mit **Erinnerung**")
	loc := wantRedirect(t, r, "", "post idea")
	var id uint64
	if _, err := fmt.Sscanf(loc, "/ideas/%d", &id); err != nil || id == 0 {
		t.Fatalf("post idea: redirect to %q, want /ideas/{id}", loc)
	}
	r = b.get(loc)
	want(t, r, 200, "idea page")
	page = string(r.Body)
	if !strings.Contains(page, "Termine online") || !strings.Contains(page, "<strong>Erinnerung</strong>") || !strings.Contains(page, msg("de", "idea.posted")) {
		t.Errorf("idea page lacks title, rendered body or flash message")
	}
	if !strings.Contains(page, `action="/ideas/`+fmt.Sprint(id)+`/vote"`) {
		t.Fatalf("idea page offers no vote form")
	}

	// Vote by form: counted once, however often posted.
	want(t, b.post(fmt.Sprintf("/ideas/%d/vote", id)), 403, "vote without _csrf")
	for i := 0; i < 2; i++ {
		wantRedirect(t, b.post(fmt.Sprintf("/ideas/%d/vote", id), "_csrf", token), fmt.Sprintf("/ideas/%d", id), "vote")
	}
	if got := getIdea(t, inst, "", id); got.Votes != 1 {
		t.Fatalf("after the vote form: %d votes, want 1", got.Votes)
	}
	page = string(b.get(fmt.Sprintf("/ideas/%d", id)).Body)
	if !regexp.MustCompile(fmt.Sprintf(`data-idea="%d"[^>]*>\s*1\s*<`, id)).MatchString(page) || !strings.Contains(page, `action="/ideas/`+fmt.Sprint(id)+`/unvote"`) {
		t.Errorf("idea page does not show 1 vote and the withdraw button")
	}
	wantRedirect(t, b.post(fmt.Sprintf("/ideas/%d/unvote", id), "_csrf", token), "", "unvote")
	if got := getIdea(t, inst, "", id); got.Votes != 0 {
		t.Fatalf("after the unvote form: %d votes, want 0", got.Votes)
	}
	// The vote button on the workshop page returns to the list.
	back := "/w/" + w.Slug + "#idea-" + fmt.Sprint(id)
	wantRedirect(t, b.post(fmt.Sprintf("/ideas/%d/vote", id), "_csrf", token, "back", back), back, "vote from the list")
	wantRedirect(t, b.post(fmt.Sprintf("/ideas/%d/unvote", id), "_csrf", token, "back", "https://evil.example/"), fmt.Sprintf("/ideas/%d", id), "foreign back address")

	// Comments by form.
	r = b.post(fmt.Sprintf("/ideas/%d/comments", id), "_csrf", token, "body", "")
	want(t, r, 422, "empty comment")
	loc = wantRedirect(t, b.post(fmt.Sprintf("/ideas/%d/comments", id), "_csrf", token, "body", "Finde ich gut"), "", "comment")
	if !strings.HasPrefix(loc, fmt.Sprintf("/ideas/%d#comment-", id)) {
		t.Errorf("comment: redirect to %q", loc)
	}
	if n := commentCount(t, inst, "", id); n != 1 {
		t.Fatalf("comments after the form: %d, want 1", n)
	}

	// The /w/{slug}/join link fills in the code.
	r = newBrowser(t, inst).get("/w/" + w.Slug + "/join?code=" + w.JoinCode)
	want(t, r, 200, "join link")
	if !strings.Contains(string(r.Body), `value="`+w.JoinCode+`"`) || !strings.Contains(string(r.Body), `action="/w/`+w.Slug+`/join"`) {
		t.Errorf("join link does not prefill the code for this workshop")
	}
}

// account creates a person with a password through the services.
func account(t *testing.T, inst *app.Instance, role auth.Role, name string) (email, password string) {
	t.Helper()
	email, password = unique("web")+"@example.org", "ein-sicheres-passwort"
	if _, err := inst.Svc.CreateUser(context.Background(), forms.Register{Email: email, Name: name, Password: password}, role); err != nil {
		t.Fatal(err)
	}
	return email, password
}

// loggedInAs reports whether the browser's pages show name as the user
// with a logout button.
func (b *browser) loggedInAs(name string) bool {
	b.t.Helper()
	r := b.get("/")
	want(b.t, r, 200, "home page")
	return strings.Contains(string(r.Body), name) && strings.Contains(string(r.Body), `action="/logout"`)
}

// besideField reports whether message is shown in the element with the
// field's error id.
func besideField(page, id, message string) bool {
	return regexp.MustCompile(`(?s)id="` + regexp.QuoteMeta(id) + `"[^>]*>.{0,200}` + regexp.QuoteMeta(message)).MatchString(page)
}

func TestWebLoginNewSession(t *testing.T) {
	inst := start(t)
	email, password := account(t, inst, auth.RoleParticipant, "Lina Login")

	// An attacker plants a session id of their choosing before login.
	b := newBrowser(t, inst)
	const planted = "ATTACKERCHOSENSESSIONVALUE0000000000000000000000"
	b.setCookie(sessionCookie, planted)
	token := b.csrf("/login")
	if b.loggedInAs("Lina Login") {
		t.Fatal("logged in before logging in")
	}

	r := b.post("/login", "_csrf", token, "email", email, "password", "falsches-passwort")
	want(t, r, 401, "wrong password")
	if setCookieHeader(r, sessionCookie) != nil {
		t.Errorf("a failed login set a session cookie")
	}
	if !strings.Contains(string(r.Body), msg("de", "login.failed")) || !strings.Contains(string(r.Body), `value="`+email+`"`) {
		t.Errorf("failed login: message or kept e-mail missing")
	}
	want(t, b.post("/login", "email", email, "password", password), 403, "login without _csrf")

	r = b.post("/login", "_csrf", token, "email", email, "password", password, "next", "/join")
	wantRedirect(t, r, "/join", "login")
	sc := setCookieHeader(r, sessionCookie)
	if sc == nil || sc.Value == "" || sc.Value == planted || !sc.HttpOnly {
		t.Fatalf("login must set a new HttpOnly session cookie, got %+v", sc)
	}
	first := b.cookie(sessionCookie)
	if first != sc.Value || !b.loggedInAs("Lina Login") {
		t.Fatalf("browser not logged in with the new cookie")
	}
	attacker := newBrowser(t, inst)
	attacker.setCookie(sessionCookie, planted)
	if attacker.loggedInAs("Lina Login") {
		t.Fatal("the planted session id was logged in")
	}

	// Logging in again replaces the session; the old id is worthless.
	wantRedirect(t, b.post("/login", "_csrf", token, "email", email, "password", password), "/", "second login")
	second := b.cookie(sessionCookie)
	if second == "" || second == first {
		t.Fatalf("second login kept the session id")
	}
	old := newBrowser(t, inst)
	old.setCookie(sessionCookie, first)
	if old.loggedInAs("Lina Login") {
		t.Fatal("the session id from before the second login still works")
	}
	if !b.loggedInAs("Lina Login") {
		t.Fatal("not logged in after the second login")
	}

	// An external next address is not followed.
	wantRedirect(t, b.post("/login", "_csrf", token, "email", email, "password", password, "next", "//evil.example/"), "/", "login with a foreign next")
}

func TestWebLogout(t *testing.T) {
	inst := start(t)
	email, password := account(t, inst, auth.RoleAdmin, "Alma Admin")
	b := newBrowser(t, inst)
	token := b.csrf("/login")
	wantRedirect(t, b.post("/login", "_csrf", token, "email", email, "password", password), "/", "login")
	sessionValue := b.cookie(sessionCookie)
	want(t, b.get("/admin/users"), 200, "admin page while logged in")

	want(t, b.post("/logout"), 403, "logout without _csrf")
	want(t, b.get("/admin/users"), 200, "still logged in after a refused logout")

	r := b.post("/logout", "_csrf", token)
	wantRedirect(t, r, "/", "logout")
	if sc := setCookieHeader(r, sessionCookie); sc == nil || sc.Value != "" {
		t.Errorf("logout does not clear the cookie: %+v", sc)
	}
	if b.loggedInAs("Alma Admin") {
		t.Error("still logged in after logout")
	}
	// Server side: the old cookie value no longer opens anything.
	replay := newBrowser(t, inst)
	replay.setCookie(sessionCookie, sessionValue)
	r = replay.get("/admin/users")
	if r.Status == 200 {
		t.Fatal("the session survived logout on the server")
	}
	wantRedirect(t, r, "/login?next=/admin/users", "admin page with the logged-out session")
	var n int64
	inst.DB.Table("sessions").Count(&n)
	if n != 0 {
		t.Errorf("%d sessions left after logout", n)
	}
}

func TestWebPagesAndAccess(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	draft := newWorkshop(t, inst, mod, "Geheimer Entwurf", "draft")
	open := newWorkshop(t, inst, mod, "Offene Runde", "open")
	email, password := account(t, inst, auth.RoleModerator, "Moritz Moderator")
	visitor := newBrowser(t, inst)

	for _, path := range []string{"/w/" + draft.Slug, "/w/" + draft.Slug + "/join"} {
		r := visitor.get(path)
		want(t, r, 404, "visitor opens "+path)
		if !strings.Contains(string(r.Body), msg("de", "error.not_found")) {
			t.Errorf("%s: 404 page without the translated message", path)
		}
	}
	r := visitor.get("/")
	want(t, r, 200, "home")
	if strings.Contains(string(r.Body), "Geheimer Entwurf") || !strings.Contains(string(r.Body), "Offene Runde") {
		t.Errorf("home page for visitors: drafts must be hidden, open workshops shown")
	}
	r = visitor.get("/w/" + open.Slug)
	want(t, r, 200, "open workshop for a visitor")
	if strings.Contains(string(r.Body), open.JoinCode) || strings.Contains(string(r.Body), `action="/w/`+open.Slug+`/ideas"`) {
		t.Errorf("visitor sees the join code or the idea form")
	}

	// Staff pages: visitors are sent to log in, others are refused.
	for _, path := range []string{"/workshops/new", "/w/" + open.Slug + "/edit", "/admin/users"} {
		wantRedirect(t, visitor.get(path), "/login?next="+path, "visitor opens "+path)
	}
	participant := newBrowser(t, inst)
	pEmail, pPassword := account(t, inst, auth.RoleParticipant, "Petra Teilnehmerin")
	wantRedirect(t, participant.post("/login", "_csrf", participant.csrf("/login"), "email", pEmail, "password", pPassword), "/", "participant login")
	for _, path := range []string{"/workshops/new", "/w/" + open.Slug + "/edit", "/admin/users"} {
		want(t, participant.get(path), 403, "participant opens "+path)
	}
	want(t, participant.get("/w/"+draft.Slug+"/edit"), 404, "participant opens a draft's edit page")

	staff := newBrowser(t, inst)
	token := staff.csrf("/login")
	wantRedirect(t, staff.post("/login", "_csrf", token, "email", email, "password", password), "/", "moderator login")
	r = staff.get("/w/" + draft.Slug)
	want(t, r, 200, "moderator opens the draft")
	if !strings.Contains(string(r.Body), draft.JoinCode) {
		t.Errorf("moderator does not see the join code")
	}
	if !strings.Contains(string(staff.get("/").Body), "Geheimer Entwurf") {
		t.Errorf("home page for moderators lacks the draft")
	}
	for _, path := range []string{"/workshops/new", "/w/" + draft.Slug + "/edit"} {
		want(t, staff.get(path), 200, "moderator opens "+path)
	}
	want(t, staff.get("/admin/users"), 403, "moderator opens the user admin")

	// Creating and moving a workshop by form.
	wantRedirect(t, staff.post("/workshops", "_csrf", token, "title", "Per Formular"), "/w/per-formular", "create workshop by form")
	wantRedirect(t, staff.post("/w/per-formular/edit", "_csrf", token, "phase", "open"), "/w/per-formular", "open by form")
	if got := call(t, inst, "GET", "/api/v1/workshops/per-formular", "", nil).JSON(t)["phase"]; got != "open" {
		t.Fatalf("phase after the form: %v", got)
	}
	want(t, visitor.post("/workshops", "_csrf", visitor.csrf("/join"), "title", "Von außen"), 401, "visitor posts a workshop")
	want(t, staff.post("/w/per-formular/edit", "_csrf", token, "phase", "closed"), 409, "open → closed by form")
}

func TestWebLanguage(t *testing.T) {
	inst := start(t)
	htmlLang := regexp.MustCompile(`<html lang="([a-z]+)">`)
	lang := func(r reply) string {
		m := htmlLang.FindSubmatch(r.Body)
		if m == nil {
			t.Fatalf("no <html lang> in %s", r)
		}
		return string(m[1])
	}

	b := newBrowser(t, inst)
	r := b.get("/")
	if got := lang(r); got != "de" || r.Header.Get("Content-Language") != "de" {
		t.Fatalf("default language %q (Content-Language %q), want de", got, r.Header.Get("Content-Language"))
	}
	if !strings.Contains(string(r.Body), msg("de", "home.heading")) {
		t.Errorf("German home page lacks its heading")
	}
	r = b.get("/?lang=en")
	if got := lang(r); got != "en" || !strings.Contains(string(r.Body), msg("en", "home.heading")) {
		t.Fatalf("?lang=en gave %q", got)
	}
	if c := setCookieHeader(r, "werkstatt_lang"); c == nil || c.Value != "en" {
		t.Fatalf("?lang=en does not set the language cookie: %+v", c)
	}
	if got := lang(b.get("/join")); got != "en" {
		t.Fatalf("the language cookie is not honoured: %q", got)
	}
	b.header["Accept-Language"] = "de-DE,de;q=0.9"
	if got := lang(b.get("/join")); got != "en" {
		t.Errorf("Accept-Language overrides the chosen language: %q", got)
	}
	if got := lang(b.get("/?lang=de")); got != "de" || b.cookie("werkstatt_lang") != "de" {
		t.Errorf("?lang=de does not switch back: %q, cookie %q", got, b.cookie("werkstatt_lang"))
	}
	r = newBrowser(t, inst).get("/?lang=fr")
	if got := lang(r); got != "de" || setCookieHeader(r, "werkstatt_lang") != nil {
		t.Errorf("?lang=fr: %q, cookie %+v; want German and no cookie", got, setCookieHeader(r, "werkstatt_lang"))
	}

	for header, wantLang := range map[string]string{
		"en":                                  "en",
		"en-US,en;q=0.9":                      "en",
		"fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7": "en",
		"en;q=0.3, de;q=0.8":                  "de",
		"fr, it":                              "de",
		"de-AT":                               "de",
	} {
		nb := newBrowser(t, inst)
		nb.header["Accept-Language"] = header
		if got := lang(nb.get("/")); got != wantLang {
			t.Errorf("Accept-Language %q: %q, want %q", header, got, wantLang)
		}
	}

	// Unknown pages: a translated 404.
	r = newBrowser(t, inst).get("/gibt-es-nicht")
	want(t, r, 404, "unknown page")
	if lang(r) != "de" || !strings.Contains(string(r.Body), msg("de", "error.not_found")) || !strings.Contains(string(r.Body), msg("de", "problem.not_found")) {
		t.Errorf("German 404 page lacks its translated text")
	}
	r = newBrowser(t, inst).get("/gibt-es-nicht?lang=en")
	want(t, r, 404, "unknown page in English")
	if lang(r) != "en" || !strings.Contains(string(r.Body), msg("en", "error.not_found")) {
		t.Errorf("English 404 page lacks its translated text")
	}
	en := newBrowser(t, inst)
	en.header["Accept-Language"] = "en"
	r = en.get("/ideas/987654")
	want(t, r, 404, "unknown idea")
	if lang(r) != "en" || !strings.Contains(string(r.Body), msg("en", "error.not_found")) {
		t.Errorf("404 for an unknown idea is not in English")
	}
}

func TestWebSecureCookiesBehindTLS(t *testing.T) {
	inst := testutil.Start(t, func(cfg *config.Config) { cfg.BaseURL = "https://werkstatt.example" })
	t.Cleanup(httpClient.CloseIdleConnections)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Sicher", "open")
	b := newBrowser(t, inst)
	r := b.get("/join")
	want(t, r, 200, "GET /join")
	csrfCookie := setCookieHeader(r, "werkstatt_csrf")
	if csrfCookie == nil || !csrfCookie.Secure || !csrfCookie.HttpOnly {
		t.Fatalf("CSRF cookie behind TLS: want Secure and HttpOnly, got %+v", csrfCookie)
	}
	token := csrfField.FindStringSubmatch(string(r.Body))[1]
	// The jar would not send a Secure cookie over http; send it by hand.
	req, _ := http.NewRequest("POST", inst.URL+"/join", strings.NewReader(url.Values{"_csrf": {token}, "code": {w.JoinCode}, "display_name": {"Sina"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "werkstatt_csrf", Value: csrfCookie.Value})
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 {
		t.Fatalf("join behind TLS: status %d", resp.StatusCode)
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			session = c
		}
	}
	if session == nil || !session.Secure || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie behind TLS: want Secure, HttpOnly, SameSite=Lax, got %+v", session)
	}
	if sts := resp.Header.Get("Strict-Transport-Security"); sts == "" {
		t.Errorf("no Strict-Transport-Security behind TLS")
	}
	// Over plain http the same cookies are not Secure.
	plain := start(t)
	if c := setCookieHeader(newBrowser(t, plain).get("/join"), "werkstatt_csrf"); c == nil || c.Secure {
		t.Errorf("CSRF cookie over http: %+v, want not Secure", c)
	}
}
