package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// Helpers of TestBrowserAnnotations (prototypes_test.go). Their names start
// with "anno" so they cannot clash with helpers of other test files.

// annoReducedMotion makes the tab prefer reduced motion: the stylesheet
// then scrolls without animation, so a position read from the page is still
// where the page is when a click arrives. It lasts for the tab's life.
func annoReducedMotion(tb *tab) {
	tb.t.Helper()
	tb.do("emulate prefers-reduced-motion: reduce", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
		})
		return err
	}))
	if !evalJS[bool](tb, `matchMedia('(prefers-reduced-motion: reduce)').matches`) {
		tb.fatalf("the tab does not report prefers-reduced-motion: reduce after emulating it")
	}
}

// annoLogin logs the fixture's moderator in through the login form.
func annoLogin(tb *tab, f *fixture) {
	tb.t.Helper()
	tb.open("/login", http.StatusOK)
	tb.typeInto("#login-email", f.modEmail)
	tb.typeInto("#login-password", f.modPassword)
	tb.click(`form:has(#login-email) [type=submit]`)
	tb.waitFor("the moderator to be logged in", `document.readyState === 'complete' && location.pathname !== '/login'`)
}

// annoMark marks the current document; annoWaitNewPage then waits for a
// document without the mark, so a wait is not met by the page a form was
// posted from (a post that redirects to the same path looks alike).
func annoMark(tb *tab) {
	tb.t.Helper()
	tb.do("mark the document", chromedp.Evaluate[chromedp.Void](`window.__annoOldPage = true`))
}

func annoWaitNewPage(tb *tab, what, cond string) {
	tb.t.Helper()
	tb.waitFor(what, `window.__annoOldPage !== true && document.readyState === 'complete' && (`+cond+`)`)
}

// annoFocused describes the focused element, for messages.
const annoFocused = `(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return 'body';
  let d = e.tagName.toLowerCase();
  if (e.id) d += '#' + e.id;
  if (e.getAttribute('type')) d += '[type=' + e.getAttribute('type') + ']';
  if (e.getAttribute('href')) d += '[href="' + e.getAttribute('href') + '"]';
  if (e.classList.length) d += '.' + [...e.classList].join('.');
  return d;
})()`

// annoPNG draws a mock-up of an app screen, w×h pixels, and writes it as
// a PNG file named name in a temporary folder of the test.
func annoPNG(t *testing.T, name string, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill := func(r image.Rectangle, c color.RGBA) { draw.Draw(img, r, &image.Uniform{c}, image.Point{}, draw.Src) }
	fill(img.Bounds(), color.RGBA{0xf4, 0xf6, 0xf8, 0xff})                                 // page
	fill(image.Rect(0, 0, w, h/10), color.RGBA{0x00, 0x4b, 0x87, 0xff})                    // title bar
	fill(image.Rect(w/40, h/40, w/40+h/20, h/40+h/20), color.RGBA{0xff, 0xff, 0xff, 0xff}) // logo
	fill(image.Rect(w/20, h/6, w-w/20, h/6+h/14), color.RGBA{0xff, 0xff, 0xff, 0xff})      // search field
	// four tiles
	for i := 0; i < 4; i++ {
		x0 := w/20 + i*(w-w/10)/4
		r := image.Rect(x0+w/80, h/3, x0+(w-w/10)/4-w/80, h/3+h/4)
		fill(r, color.RGBA{0xd6, 0xe4, 0xf0, 0xff})
		fill(image.Rect(r.Min.X, r.Max.Y-h/30, r.Max.X, r.Max.Y), color.RGBA{0x1a, 0x6f, 0xb0, 0xff})
	}
	// a round button
	cx, cy, rad := w*3/4, h*4/5, h/12
	for y := cy - rad; y <= cy+rad; y++ {
		for x := cx - rad; x <= cx+rad; x++ {
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= rad*rad {
				img.SetRGBA(x, y, color.RGBA{0xc0, 0x39, 0x2b, 0xff})
			}
		}
	}
	// a diagonal stripe, so any cropping or mirroring would show
	for i := 0; i < h/2; i++ {
		for d := 0; d < 6; d++ {
			img.SetRGBA(w/20+i+d, h*3/5+i/3, color.RGBA{0x2e, 0x7d, 0x32, 0xff})
		}
	}
	file := filepath.Join(t.TempDir(), name)
	out, err := os.Create(file)
	if err != nil {
		t.Fatalf("create %s: %v", file, err)
	}
	if err := png.Encode(out, img); err != nil {
		out.Close()
		t.Fatalf("encode %s: %v", file, err)
	}
	if err := out.Close(); err != nil {
		t.Fatalf("write %s: %v", file, err)
	}
	return file
}

// annoItem is an annotation as GET /api/v1/screens/{id}/annotations lists it.
type annoItem struct {
	ID       uint64  `json:"id"`
	ScreenID uint64  `json:"screen_id"`
	Number   int     `json:"number"`
	Kind     string  `json:"kind"`
	X        float64 `json:"x"`
	Y        float64 `json:"y"`
	W        float64 `json:"w"`
	H        float64 `json:"h"`
	Body     string  `json:"body"`
	Replies  []struct {
		ID   uint64 `json:"id"`
		Body string `json:"body"`
	} `json:"replies"`
	IdeaID *uint64 `json:"idea_id"`
}

// annoAPI reads the annotations of a screen from the JSON API, anonymously.
func annoAPI(t *testing.T, f *fixture, screenID uint64) []annoItem {
	t.Helper()
	path := fmt.Sprintf("/api/v1/screens/%d/annotations", screenID)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, f.inst.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	var body struct {
		Items []annoItem `json:"items"`
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return body.Items
}

// annoPercent reads a percent field as the page writes it: "25", "40,5".
func annoPercent(s string) float64 {
	v, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")), ",", ".", 1), 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

// annoNear reports whether got is within tol of want.
func annoNear(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

// annoSpaces makes every run of white space (no-break spaces included) one
// space, so texts compare whatever spaces a translation uses.
func annoSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }

// annoShot saves a full-page screenshot like tab.shot, then scrolls the
// page back to where it was. Chromium's full-page capture
// (captureBeyondViewport) leaves the page's scroll position out of step
// with what the browser hit-tests against: the next click on a long page
// then presses on one element and releases on another, so it clicks
// neither (seen on the prototype page: press on the upload button, release
// on a label 270 px away, no form post). Scrolling explicitly puts both in
// step again.
func annoShot(tb *tab, name string) {
	tb.t.Helper()
	type pos struct{ X, Y float64 }
	p := evalJS[pos](tb, `({X: scrollX, Y: scrollY})`)
	tb.shot(name)
	tb.do("scroll back after the screenshot", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`window.scrollTo(%g, %g)`, p.X, p.Y)))
}

// annoRealKeys makes chromedp's key presses look like a real keyboard's:
// Chromium on Linux sends a key as rawKeyDown, char, keyUp, while
// chromedp.KeyEvent sends keyDown, char, keyUp. The difference matters when
// a page cancels the keydown: Chromium drops the following char only after
// a cancelled rawKeyDown. With chromedp's keyDown, Enter on the image
// (which annotate.js cancels, moving focus to the comment field) would
// still type a line break into that field, which no person would see.
func annoRealKeys(p *input.DispatchKeyEventParams) {
	if p.Type == input.DispatchKeyEventTypeKeyDown {
		p.Type = input.DispatchKeyEventTypeRawKeyDown
	}
}

// annoPress presses keys (kb.Tab, kb.Enter, or text) like a real keyboard,
// with modifiers if given, in the focused element.
func annoPress(tb *tab, keys string, mods ...chromedp.Modifier) {
	tb.t.Helper()
	tb.do(fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys, annoRealKeys, chromedp.KeyModifiers(mods...)))
}
