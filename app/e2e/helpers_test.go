package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"werkstatt/app"
	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/app/testutil"
	"werkstatt/models"
)

const (
	testTimeout = 60 * time.Second // one test, or one subtest of TestAxe
	waitTimeout = 15 * time.Second // one wait for a state of the page
	hardLimit   = 5 * time.Minute  // the browser never outlives this
)

// requiredFlags are the Chromium flags the project runs its browser tests
// with (DESIGN.md, "Real services"); startBrowser checks that the running
// process really has them.
var requiredFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
	"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir",
}

// chromiumPath finds the browser: CHROMIUM_PATH, else the Debian package.
// It returns "" and the reason when there is none.
func chromiumPath() (string, string) {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		if executable(p) {
			return p, ""
		}
		return "", fmt.Sprintf("chromium not installed: CHROMIUM_PATH=%s is not an executable file", p)
	}
	if executable("/usr/bin/chromium") {
		return "/usr/bin/chromium", ""
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, ""
		}
	}
	return "", "chromium not installed (apt-get install -y chromium, or set CHROMIUM_PATH)"
}

func executable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// browser is one headless Chromium for one test.
type browser struct {
	ctx   context.Context // its first tab; the browser lives as long as it
	shots *shots
}

// startBrowser starts Chromium for the test and closes it when the test ends.
func startBrowser(t *testing.T) *browser {
	t.Helper()
	path, reason := chromiumPath()
	testutil.Need(t, path != "", reason)

	profile := t.TempDir() // removed after the browser has exited (cleanups run last-in first-out)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		// German first, as the city's audience; TestAxe switches one
		// person to English.
		chromedp.Flag("lang", "de-DE"),
		chromedp.Flag("accept-lang", "de-DE,de"),
	)
	hard, cancelHard := context.WithTimeout(context.Background(), hardLimit)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(hard, opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()   // closes the browser
		cancelAlloc() // and waits for its process to end
		cancelHard()
	})
	// The first Do starts the browser; it gets no test timeout, so a
	// timeout of a later step does not close the browser under us.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	checkFlags(t, ctx)
	return &browser{ctx: ctx, shots: newShots(t)}
}

// checkFlags reads the command line of the running browser process.
func checkFlags(t *testing.T, ctx context.Context) {
	t.Helper()
	c := chromedp.FromContext(ctx)
	if c == nil || c.Browser == nil || c.Browser.Process() == nil {
		t.Fatal("chromium: no browser process")
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", c.Browser.Process().Pid))
	if err != nil {
		t.Logf("cannot check the flags of chromium: %v", err)
		return
	}
	args := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
	for _, f := range requiredFlags {
		if !slices.ContainsFunc(args, func(a string) bool { return a == f || strings.HasPrefix(a, f+"=") }) {
			t.Errorf("chromium runs without %s; its command line: %q", f, args)
		}
	}
}

// tab is a browser tab in its own browser context (own cookies, so own
// session), bound to one test and its deadline.
type tab struct {
	t     testing.TB
	root  context.Context // no deadline: for diagnostics after a timeout
	ctx   context.Context // the test's deadline
	base  string
	label string
	shots *shots
}

// newTab opens a tab with fresh cookies, for a person called label.
func (b *browser) newTab(t *testing.T, inst *app.Instance, label string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab for %s: %v", label, err)
	}
	tb := &tab{t: t, root: ctx, ctx: ctx, base: inst.URL, label: label, shots: b.shots}
	return tb.on(t, testTimeout)
}

// on returns the tab for the (sub)test t, with a deadline of d from now.
func (tb *tab) on(t testing.TB, d time.Duration) *tab {
	ctx, cancel := context.WithTimeout(tb.root, d)
	t.Cleanup(cancel)
	c := *tb
	c.t, c.ctx = t, ctx
	return &c
}

func (tb *tab) fatalf(format string, args ...any) {
	tb.t.Helper()
	msg := fmt.Sprintf(format, args...)
	// Say where the browser is and what it shows; the root context works
	// even when the test's deadline has passed.
	ctx, cancel := context.WithTimeout(tb.root, 5*time.Second)
	defer cancel()
	if loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " — " + document.title`)); err == nil {
		msg += "\n  page: " + loc
	}
	if txt, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('main') || document.body || {innerText: ''}).innerText.slice(0, 600)`)); err == nil {
		msg += "\n  text: " + strings.Join(strings.Fields(txt), " ")
	}
	if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		msg += "\n  screenshot: " + tb.shots.save(tb.t, tb.label+"-FAILED", buf)
	}
	tb.t.Fatal(msg)
}

// do runs steps and stops the test when one fails.
func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		tb.fatalf("%s (%s): %v", what, tb.label, err)
	}
}

// evalJS evaluates a JavaScript expression and decodes its value.
func evalJS[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// open navigates to path and checks the HTTP status of the document.
func (tb *tab) open(path string, wantStatus int) {
	tb.t.Helper()
	resp, err := chromedp.Run(tb.ctx, chromedp.NavigateResponse(tb.base+path))
	if err != nil {
		tb.fatalf("open %s: %v", path, err)
	}
	if resp == nil || resp.Status != int64(wantStatus) {
		got := int64(0)
		if resp != nil {
			got = resp.Status
		}
		tb.fatalf("open %s: HTTP status %d, want %d", path, got, wantStatus)
	}
	tb.waitFor("the page "+path+" to load", `document.readyState === 'complete'`)
}

// waitFor polls a JavaScript expression until it is true. It survives the
// navigations a click may start, and works whether a script changes the
// page in place or a form post loads a new one.
func (tb *tab) waitFor(what, expr string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		ectx, ecancel := context.WithTimeout(ctx, 3*time.Second)
		ok, err := chromedp.Run(ectx, chromedp.Evaluate[bool]("Boolean("+expr+")"))
		ecancel()
		if err == nil && ok {
			return
		}
		if err != nil && ctx.Err() == nil {
			last = err // e.g. the page was replaced while we asked
		}
		select {
		case <-ctx.Done():
			detail := ""
			if last != nil {
				detail = fmt.Sprintf(" (last error: %v)", last)
			}
			tb.fatalf("waited %s for %s%s; condition: %s", waitTimeout, what, detail, expr)
		case <-tick.C:
		}
	}
}

// waitPath waits until the page at path has loaded.
func (tb *tab) waitPath(path string) {
	tb.t.Helper()
	tb.waitFor("the page "+path, fmt.Sprintf(`location.pathname === %s && document.readyState === 'complete'`, js(path)))
}

func (tb *tab) click(sel string) {
	tb.t.Helper()
	tb.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

func (tb *tab) typeInto(sel, text string) {
	tb.t.Helper()
	tb.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// press sends key events (kb.Tab, kb.Enter, or text) to the focused element.
func (tb *tab) press(keys string) {
	tb.t.Helper()
	tb.do(fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys))
}

// text is the trimmed text of the first element matching sel, "" if none.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return evalJS[string](tb, fmt.Sprintf(`(document.querySelector(%s)?.textContent || '').trim()`, js(sel)))
}

func (tb *tab) pathname() string {
	tb.t.Helper()
	return evalJS[string](tb, `location.pathname`)
}

// shot saves a full-page screenshot named after the page.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	buf, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.fatalf("screenshot %s: %v", name, err)
	}
	file := tb.shots.save(tb.t, tb.label+"-"+name, buf)
	tb.t.Logf("screenshot %s", file)
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// shots writes screenshots to WERKSTATT_SCREENSHOTS or a temporary folder.
type shots struct {
	dir string
	n   atomic.Int32
}

func newShots(t *testing.T) *shots {
	dir := os.Getenv("WERKSTATT_SCREENSHOTS")
	if dir == "" {
		return &shots{dir: t.TempDir()}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("WERKSTATT_SCREENSHOTS: %v", err)
	}
	return &shots{dir: dir}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (s *shots) save(t testing.TB, name string, png []byte) string {
	test := strings.SplitN(t.Name(), "/", 2)[0]
	file := filepath.Join(s.dir, fmt.Sprintf("%s-%02d-%s.png", test, s.n.Add(1), unsafeName.ReplaceAllString(name, "_")))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Errorf("write screenshot: %v", err)
	}
	return file
}

// ---- axe-core ----

var axeSource = sync.OnceValues(func() ([]byte, error) { return os.ReadFile(filepath.Join("testdata", "axe.min.js")) })

// axeRun audits the document against WCAG 2.0 and 2.1, levels A and AA.
const axeRun = `(async () => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  const target = n => n.target.map(s => Array.isArray(s) ? s.join(' >>> ') : String(s));
  return {
    version: axe.version,
    passes: r.passes.length,
    incomplete: r.incomplete.map(v => v.id + ' (' + v.nodes.length + ')'),
    violations: r.violations.map(v => ({
      id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({target: target(n), html: n.html, summary: n.failureSummary || ''})),
    })),
  };
})()`

type axeResult struct {
	Version    string         `json:"version"`
	Passes     int            `json:"passes"`
	Incomplete []string       `json:"incomplete"`
	Violations []axeViolation `json:"violations"`
}

type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  []string `json:"target"`
		HTML    string   `json:"html"`
		Summary string   `json:"summary"`
	} `json:"nodes"`
}

// axe injects axe-core into the current page and fails the test, with a
// readable list, when the page has any WCAG 2.1 A or AA violation.
func (tb *tab) axe(page string) {
	tb.t.Helper()
	res := tb.axeAudit(page)
	if res.Passes == 0 {
		tb.t.Errorf("axe-core %s on %s: no rule passed, so nothing was checked", res.Version, page)
	}
	if len(res.Incomplete) > 0 {
		tb.t.Logf("axe-core %s on %s: to review by hand (incomplete): %s", res.Version, page, strings.Join(res.Incomplete, ", "))
	}
	if len(res.Violations) == 0 {
		return
	}
	var b strings.Builder
	for _, v := range res.Violations {
		fmt.Fprintf(&b, "\n  - %s [%s] %s\n    %s", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n      at %s\n         %s", strings.Join(n.Target, " | "), shorten(n.HTML, 200))
			if s := summaryLine(n.Summary); s != "" {
				fmt.Fprintf(&b, "\n         %s", shorten(s, 400))
			}
		}
	}
	tb.t.Errorf("axe-core %s: %d WCAG 2.1 A/AA violation(s) on the %s page (%s, as %s):%s",
		res.Version, len(res.Violations), page, tb.pathname(), tb.label, b.String())
}

// axeAudit injects axe-core into the current page (once per document) and
// runs it.
func (tb *tab) axeAudit(page string) axeResult {
	tb.t.Helper()
	src, err := axeSource()
	if err != nil {
		tb.t.Fatalf("axe-core: %v", err)
	}
	if !evalJS[bool](tb, `typeof window.axe === 'object' && typeof window.axe.run === 'function'`) {
		tb.do("inject axe-core", chromedp.Evaluate[chromedp.Void](string(src)+"\n;0"))
	}
	res, err := chromedp.Run(tb.ctx, chromedp.Evaluate[axeResult](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.fatalf("axe.run on %s: %v", page, err)
	}
	return res
}

// summaryLine puts axe's failure summary, one finding a line, on one line.
func summaryLine(s string) string {
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		switch l = strings.TrimSpace(l); {
		case l == "":
		case strings.HasSuffix(l, ":"): // "Fix any of the following:"
			parts = append(parts, l)
		default:
			parts = append(parts, l+";")
		}
	}
	return strings.TrimSuffix(strings.Join(parts, " "), ";")
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// ---- data ----

// fixture is a running Werkstatt with a moderator and an open workshop.
type fixture struct {
	inst        *app.Instance
	mod         *models.User
	modEmail    string
	modPassword string
	ws          *models.Workshop
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	inst := testutil.Start(t)
	t.Logf("werkstatt at %s on %s", inst.URL, inst.DB.Dialector.Name())
	ctx := t.Context()
	f := &fixture{inst: inst, modEmail: "mara.moderation@example.org", modPassword: "werkstatt-e2e-passwort"}
	mod, err := inst.Svc.CreateUser(ctx, forms.Register{Email: f.modEmail, Name: "Mara Moderation", Password: f.modPassword}, auth.RoleModerator)
	if err != nil {
		t.Fatalf("create moderator: %v", err)
	}
	f.mod = mod
	title := "Bürgerservice-App"
	desc := "Wie soll die neue **Bürgerservice-App** der Stadt aussehen?\n\n" +
		"- Termine im Bürgeramt buchen\n- Anträge stellen und ihren Stand sehen\n- Abfallkalender\n\n" +
		"Sammeln Sie Ideen, kommentieren Sie und unterstützen Sie, was Ihnen wichtig ist."
	w, err := inst.Svc.CreateWorkshop(ctx, mod.Actor(), forms.Workshop{Title: &title, Description: &desc})
	if err != nil {
		t.Fatalf("create workshop: %v", err)
	}
	open := string(auth.PhaseOpen)
	if w, err = inst.Svc.UpdateWorkshop(ctx, mod.Actor(), w.Slug, forms.Workshop{Phase: &open}); err != nil {
		t.Fatalf("open workshop: %v", err)
	}
	if w.Phase != auth.PhaseOpen || w.JoinCode == "" || w.Slug == "" {
		t.Fatalf("workshop after opening: phase %q, join code %q, slug %q", w.Phase, w.JoinCode, w.Slug)
	}
	f.ws = w
	return f
}

// apiVotes reads the vote count of an idea from the JSON API, anonymously.
func (f *fixture) apiVotes(t *testing.T, ideaID uint64) int64 {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, fmt.Sprintf("%s/api/v1/ideas/%d", f.inst.URL, ideaID), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /api/v1/ideas/%d: %v", ideaID, err)
	}
	defer resp.Body.Close()
	var body struct {
		Votes *int64 `json:"votes"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK || body.Votes == nil {
		t.Fatalf("GET /api/v1/ideas/%d: status %d, votes %v, decode error %v", ideaID, resp.StatusCode, body.Votes, err)
	}
	return *body.Votes
}

// dbVotes counts the vote rows of an idea and reads its stored count.
func (f *fixture) dbVotes(t *testing.T, ideaID uint64) (rows, counter int64) {
	t.Helper()
	db := f.inst.DB.WithContext(t.Context())
	if err := db.Model(&models.Vote{}).Where("idea_id = ?", ideaID).Count(&rows).Error; err != nil {
		t.Fatalf("count votes: %v", err)
	}
	var idea models.Idea
	if err := db.First(&idea, ideaID).Error; err != nil {
		t.Fatalf("load idea %d: %v", ideaID, err)
	}
	return rows, idea.VotesCount
}
