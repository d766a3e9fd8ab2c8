package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"werkstatt/app/forms"
	"werkstatt/models"
)

// TestBrowserAnnotations walks issue 3 in Chromium: a moderator uploads a
// screenshot through the prototype page's file field, places a pin with
// the mouse and one with the keyboard alone (Tab to the image, arrow keys,
// Enter, type, Tab, Enter), replies to the first, promotes it to an idea
// and follows the links between idea and screen. axe-core then audits the
// prototype and screen pages for the moderator and for a visitor.
//
// The subtests build on each other; one whose step before failed skips.
func TestBrowserAnnotations(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	proto, err := f.inst.Svc.CreatePrototype(ctx, f.mod.Actor(), f.ws.Slug, forms.Prototype{
		Title:       "Terminbuchung",
		Description: "Klickbarer Entwurf: einen **Termin im Bürgeramt** buchen, in drei Schritten.",
	})
	if err != nil {
		t.Fatalf("create prototype: %v", err)
	}
	protoPath := fmt.Sprintf("/prototypes/%d", proto.ID)
	b := startBrowser(t) // closed before the server stops (cleanups run last-in first-out)
	mod := b.newTab(t, f.inst, "moderator")
	annoReducedMotion(mod)

	const (
		screenTitle = "Termin buchen" // made by the page from the file name
		screenAlt   = "Startseite der Terminbuchung: Suchfeld, vier Kacheln für Anliegen und ein roter runder Knopf unten rechts."
		mouseBody   = "Die Kacheln sind zu klein zum Antippen."
		kbdBody     = "Mit der Tastatur gesetzt: hier fehlt eine Beschriftung."
		replyBody   = "Stimmt, mindestens 44 Pixel wären gut."
	)
	// what the steps found, for the steps after them
	var (
		screenID   uint64
		screenPath string
		mouseAnn   annoItem
		ideaID     uint64
	)
	need := func(t *testing.T, ok bool, step string) {
		t.Helper()
		if !ok {
			t.Skipf("needs the step %q, which did not finish", step)
		}
	}

	// 1. Upload a real PNG through the file field of the prototype page.
	t.Run("upload", func(t *testing.T) {
		tb := mod.on(t, testTimeout)
		annoLogin(tb, f)
		file := annoPNG(t, "01_termin-buchen.png", 1200, 800)

		tb.open(protoPath, http.StatusOK)
		tb.waitFor("the upload form", `document.querySelector('form[data-upload] #upload-file')`)
		if n := evalJS[int](tb, `document.querySelectorAll('.screen-card').length`); n != 0 {
			t.Fatalf("a new prototype lists %d screens", n)
		}
		tb.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), []string{file}))
		// upload.js gives every chosen file a row with its own title and alt text.
		tb.waitFor("the row of the chosen file", `document.querySelector('#upload-title-0')?.value === `+js(screenTitle)+` && document.querySelector('#upload-alt-0')`)
		tb.typeInto("#upload-alt-0", screenAlt)
		annoShot(tb, "prototype-upload-chosen")
		annoMark(tb)
		tb.click(`form[data-upload] button[type=submit]`)
		annoWaitNewPage(tb, "the prototype page with the new screen",
			`location.pathname === `+js(protoPath)+` && document.querySelectorAll('.screen-card').length === 1`)
		if msg := tb.text(".flash"); msg == "" {
			t.Errorf("after the upload the page shows no message")
		}
		if h := evalJS[string](tb, `location.hash`); h != "#screens-heading" {
			t.Errorf("after the upload the page is at %q, want #screens-heading", h)
		}
		if got := annoSpaces(tb.text(".screen-card h3")); got != "1. "+screenTitle {
			t.Errorf("screen card title %q, want %q", got, "1. "+screenTitle)
		}
		if got := evalJS[string](tb, `document.querySelector('.screen-card img')?.alt || ''`); got != screenAlt {
			t.Errorf("thumbnail alt %q, want %q", got, screenAlt)
		}
		tb.waitFor("the thumbnail to load", `(i => i && i.complete && i.naturalWidth > 0)(document.querySelector('.screen-card img'))`)

		// the database agrees
		var screens []models.Screen
		if err := f.inst.DB.WithContext(t.Context()).Where("prototype_id = ?", proto.ID).Find(&screens).Error; err != nil {
			t.Fatalf("load screens: %v", err)
		}
		if len(screens) != 1 {
			t.Fatalf("%d screens stored, want 1", len(screens))
		}
		s := screens[0]
		if s.Width != 1200 || s.Height != 800 || s.Title != screenTitle || s.Alt != screenAlt || s.Version != 1 {
			t.Errorf("stored screen: %dx%d, title %q, alt %q, version %d; want 1200x800, %q, the alt text, 1",
				s.Width, s.Height, s.Title, s.Alt, s.Version, screenTitle)
		}
		annoShot(tb, "prototype-uploaded")

		// open it from the card
		href := evalJS[string](tb, `document.querySelector('.screen-card h3 a')?.getAttribute('href') || ''`)
		if href != fmt.Sprintf("/screens/%d", s.ID) {
			t.Fatalf("the screen card links to %q, want /screens/%d", href, s.ID)
		}
		tb.click(`.screen-card h3 a`)
		tb.waitPath(href)
		tb.waitFor("the screen page with its image", `document.querySelector('#shot-img')?.complete && document.querySelector('#shot-img').naturalWidth > 0 && document.querySelector('#annotate-form')`)
		if h1 := tb.text("h1"); h1 != screenTitle {
			t.Errorf("screen page h1 %q, want %q", h1, screenTitle)
		}
		screenID, screenPath = s.ID, href
	})

	// 2. A pin placed with the mouse, at 25 % from the left, 40 % from the top.
	t.Run("pin_by_mouse", func(t *testing.T) {
		need(t, screenID != 0, "upload")
		tb := mod.on(t, testTimeout)
		tb.open(screenPath, http.StatusOK)
		tb.waitFor("the image and the script", `document.querySelector('#shot.is-enhanced[tabindex="0"]') && document.querySelector('#shot-img').complete`)

		const fx, fy = 0.25, 0.40
		px, py := annoImagePoint(tb, fx, fy)
		tb.do("click on the image", chromedp.MouseEvent(chromedp.MouseMoved, px, py),
			chromedp.MouseClickXY(px, py))
		tb.waitFor("the position fields to be filled by the click",
			`document.querySelector('#annotation-x').value !== '' && document.querySelector('#annotation-y').value !== ''`)
		fields := evalJS[[]string](tb, `['x', 'y', 'w', 'h'].map(k => document.querySelector('#annotation-' + k).value)`)
		if x, y := annoPercent(fields[0]), annoPercent(fields[1]); !annoNear(x, 25, 1.5) || !annoNear(y, 40, 1.5) || fields[2] != "" || fields[3] != "" {
			t.Errorf("after the click the fields say x=%q y=%q w=%q h=%q, want about 25 and 40 and no size", fields[0], fields[1], fields[2], fields[3])
		}
		if !evalJS[bool](tb, `(s => s && !s.hidden && s.textContent.includes('Stecknadel'))(document.querySelector('[data-shot-status]'))`) {
			t.Errorf("after the click no note under the image says where the pin is: %q", tb.text("[data-shot-status]"))
		}
		if !evalJS[bool](tb, `(p => p && p.getAttribute('display') !== 'none')(document.querySelector('.shot-overlay .draft > svg'))`) {
			t.Errorf("after the click the image shows no draft pin")
		}
		annoShot(tb, "screen-mouse-placed")

		tb.typeInto("#annotation-body", mouseBody)
		annoMark(tb)
		tb.click(`#annotate-form button[type=submit]`)
		annoWaitNewPage(tb, "the screen page with the new annotation",
			`location.pathname === `+js(screenPath)+` && document.querySelectorAll('.annotations > li[data-annotation]').length === 1`)

		items := annoAPI(t, f, screenID)
		if len(items) != 1 {
			t.Fatalf("the API lists %d annotations, want 1", len(items))
		}
		a := items[0]
		if !annoNear(a.X, 25, 1.5) || !annoNear(a.Y, 40, 1.5) || a.W != 0 || a.H != 0 || a.Kind != "pin" || a.Number != 1 || a.Body != mouseBody {
			t.Errorf("stored annotation: number %d, %s at x=%g y=%g w=%g h=%g, body %q; want number 1, a pin at 25/40 (±1.5), body %q",
				a.Number, a.Kind, a.X, a.Y, a.W, a.H, a.Body, mouseBody)
		}
		annoCheckListed(tb, a, 1, fx, fy)
		if h := evalJS[string](tb, `location.hash`); h != fmt.Sprintf("#annotation-%d", a.ID) {
			t.Errorf("after posting the page is at %q, want #annotation-%d", h, a.ID)
		}
		annoShot(tb, "screen-mouse-pin")
		mouseAnn = a
	})

	// 3. A pin placed with the keyboard alone.
	t.Run("pin_by_keyboard", func(t *testing.T) {
		need(t, mouseAnn.ID != 0, "pin_by_mouse")
		tb := mod.on(t, testTimeout)
		tb.open(screenPath, http.StatusOK)
		tb.waitFor("the image and the script", `document.querySelector('#shot.is-enhanced[tabindex="0"]') && document.querySelector('#shot-img').complete`)

		// Tab from the top of the page to the image.
		var path []string
		for i := 0; i < 60 && !evalJS[bool](tb, `document.activeElement?.id === 'shot'`); i++ {
			annoPress(tb, kb.Tab)
			path = append(path, evalJS[string](tb, annoFocused))
		}
		if !evalJS[bool](tb, `document.activeElement?.id === 'shot'`) {
			t.Fatalf("Tab from the top of the page never reached the image #shot; focus went: %s", strings.Join(path, " → "))
		}
		t.Logf("Tab from the top of the page to the image (%d stops): %s", len(path), strings.Join(path, " → "))
		if got, want := evalJS[string](tb, `document.activeElement.getAttribute('aria-label') || ''`), "Bildschirmfoto: Stelle für eine Anmerkung wählen"; got != want {
			t.Errorf("the focused image is labelled %q, want %q", got, want)
		}
		if !evalJS[bool](tb, `document.activeElement.matches(':focus-visible') && document.querySelector('#shot-help')?.hidden === false && document.activeElement.getAttribute('aria-describedby') === 'shot-help'`) {
			t.Errorf("the image focused by Tab is not :focus-visible or lacks its visible help text")
		}
		// The crosshair starts in the middle (annotate.js: cursor 50/50
		// while the position fields are empty).
		tb.waitFor("the crosshair in the middle", `(p => p && p.getAttribute('x') === '50%' && p.getAttribute('y') === '50%' && p.getAttribute('display') !== 'none')(document.querySelector('.shot-overlay .draft > svg'))`)

		// Shift+→ twice (+20), → three times (+3), Shift+↓ once (+10),
		// ↓ twice (+2), ↑ once (−1): from 50/50 to 73/61.
		annoPress(tb, kb.ArrowRight+kb.ArrowRight, chromedp.ModifierShift)
		annoPress(tb, kb.ArrowRight+kb.ArrowRight+kb.ArrowRight)
		annoPress(tb, kb.ArrowDown, chromedp.ModifierShift)
		annoPress(tb, kb.ArrowDown+kb.ArrowDown+kb.ArrowUp)
		const wantX, wantY = 73.0, 61.0
		tb.waitFor("the crosshair at 73/61", `(p => p && p.getAttribute('x') === '73%' && p.getAttribute('y') === '61%')(document.querySelector('.shot-overlay .draft > svg'))`)
		if got := evalJS[string](tb, `document.activeElement?.id || ''`); got != "shot" {
			t.Errorf("the arrow keys moved focus away from the image, to %q", got)
		}
		// the live region says where the crosshair is
		position := "Position: 73 % von links, 61 % von oben"
		tb.waitFor("the live region to announce the position", `(document.querySelector('#live-status')?.textContent || '').replace(/\s+/g, ' ').trim() === `+js(position))
		if !evalJS[bool](tb, `(l => l.getAttribute('role') === 'status' && l.getAttribute('aria-live') === 'polite')(document.querySelector('#live-status'))`) {
			t.Errorf("#live-status is not a polite status region")
		}
		annoShot(tb, "screen-keyboard-crosshair")

		// Enter places the pin and moves to the comment field.
		annoPress(tb, kb.Enter)
		tb.waitFor("focus in the comment field after Enter", `document.activeElement?.id === 'annotation-body'`)
		if x, y := evalJS[string](tb, `document.querySelector('#annotation-x').value`), evalJS[string](tb, `document.querySelector('#annotation-y').value`); annoPercent(x) != wantX || annoPercent(y) != wantY {
			t.Errorf("after Enter the fields say x=%q y=%q, want 73 and 61", x, y)
		}
		placed := "Stecknadel gesetzt bei 73 % von links, 61 % von oben. Schreiben Sie jetzt Ihre Anmerkung."
		tb.waitFor("the live region to announce the pin", `(document.querySelector('#live-status')?.textContent || '').replace(/\s+/g, ' ').trim() === `+js(placed))

		// type, Tab to the submit button, Enter
		annoPress(tb, kbdBody)
		if got := evalJS[string](tb, `document.querySelector('#annotation-body').value`); got != kbdBody {
			t.Fatalf("the comment field holds %q after typing, want %q", got, kbdBody)
		}
		annoPress(tb, kb.Tab)
		if !evalJS[bool](tb, `document.activeElement?.type === 'submit' && document.activeElement.form?.id === 'annotate-form'`) {
			t.Fatalf("Tab after the comment field focused %s, want the form's submit button", evalJS[string](tb, annoFocused))
		}
		annoShot(tb, "screen-keyboard-ready")
		annoMark(tb)
		annoPress(tb, kb.Enter)
		annoWaitNewPage(tb, "the screen page with the second annotation",
			`location.pathname === `+js(screenPath)+` && document.querySelectorAll('.annotations > li[data-annotation]').length === 2`)

		items := annoAPI(t, f, screenID)
		if len(items) != 2 {
			t.Fatalf("the API lists %d annotations, want 2", len(items))
		}
		var a annoItem
		for _, it := range items {
			if it.ID != mouseAnn.ID {
				a = it
			}
		}
		if a.X != wantX || a.Y != wantY || a.W != 0 || a.H != 0 || a.Kind != "pin" || a.Number != 2 || a.Body != kbdBody {
			t.Errorf("stored annotation: number %d, %s at x=%g y=%g w=%g h=%g, body %q; want number 2, a pin at exactly 73/61, body %q",
				a.Number, a.Kind, a.X, a.Y, a.W, a.H, a.Body, kbdBody)
		}
		annoCheckListed(tb, a, 2, wantX/100, wantY/100)
		annoShot(tb, "screen-keyboard-pin")
	})

	// 4. Reply to annotation 1, promote it, and follow the links.
	t.Run("reply", func(t *testing.T) {
		need(t, mouseAnn.ID != 0, "pin_by_mouse")
		tb := mod.on(t, testTimeout)
		tb.open(screenPath, http.StatusOK)
		li := fmt.Sprintf("#annotation-%d", mouseAnn.ID)
		tb.click(li + ` details.reply-form > summary`)
		field := fmt.Sprintf("#reply-body-%d", mouseAnn.ID)
		tb.waitFor("the reply form to open", `(e => e && e.getClientRects().length > 0)(document.querySelector(`+js(field)+`))`)
		tb.typeInto(field, replyBody)
		annoMark(tb)
		tb.click(li + ` details.reply-form button[type=submit]`)
		annoWaitNewPage(tb, "the reply in the thread of annotation 1",
			`(document.querySelector(`+js(li+` .replies`)+`)?.textContent || '').includes(`+js(replyBody)+`)`)
		hash := evalJS[string](tb, `location.hash`)
		if !regexp.MustCompile(`^#reply-\d+$`).MatchString(hash) || !evalJS[bool](tb, `!!document.querySelector(`+js(li)+` + ' ' + location.hash)`) {
			t.Errorf("after replying the page is at %q, which is not the new reply inside %s", hash, li)
		}
		if got := annoSpaces(tb.text(li + " .replies .reply .comment-author")); got != "Mara Moderation" {
			t.Errorf("the reply's author is %q, want Mara Moderation", got)
		}
		items := annoAPI(t, f, screenID)
		for _, it := range items {
			if it.ID == mouseAnn.ID && (len(it.Replies) != 1 || it.Replies[0].Body != replyBody) {
				t.Errorf("the API lists the replies of annotation 1 as %+v, want one: %q", it.Replies, replyBody)
			}
		}
		annoShot(tb, "screen-reply")
	})

	t.Run("promote", func(t *testing.T) {
		need(t, mouseAnn.ID != 0, "pin_by_mouse")
		tb := mod.on(t, testTimeout)
		tb.open(screenPath, http.StatusOK)
		li := fmt.Sprintf("#annotation-%d", mouseAnn.ID)
		annoMark(tb)
		tb.click(li + ` form[action$="/promote"] button[type=submit]`)
		annoWaitNewPage(tb, "annotation 1 marked as an idea", `document.querySelector(`+js(li+` a.badge-idea`)+`)`)
		if evalJS[bool](tb, `!!document.querySelector(`+js(li+` form[action$="/promote"]`)+`)`) {
			t.Errorf("annotation 1 still offers to promote it after it became an idea")
		}
		var ann models.Annotation
		if err := f.inst.DB.WithContext(t.Context()).Take(&ann, mouseAnn.ID).Error; err != nil {
			t.Fatalf("load annotation: %v", err)
		}
		if ann.IdeaID == nil {
			t.Fatalf("annotation 1 has no idea in the database after promoting it")
		}
		var idea models.Idea
		if err := f.inst.DB.WithContext(t.Context()).Take(&idea, *ann.IdeaID).Error; err != nil {
			t.Fatalf("load idea %d: %v", *ann.IdeaID, err)
		}
		if idea.WorkshopID != f.ws.ID || idea.AnnotationID == nil || *idea.AnnotationID != mouseAnn.ID {
			t.Errorf("idea %d: workshop %d, annotation %v; want workshop %d, annotation %d", idea.ID, idea.WorkshopID, idea.AnnotationID, f.ws.ID, mouseAnn.ID)
		}
		ideaPath := fmt.Sprintf("/ideas/%d", idea.ID)
		if href := evalJS[string](tb, `document.querySelector(`+js(li+` a.badge-idea`)+`).getAttribute('href')`); href != ideaPath {
			t.Errorf("the badge links to %q, want %q", href, ideaPath)
		}
		annoShot(tb, "screen-promoted")

		// follow the link to the idea ...
		tb.click(li + ` a.badge-idea`)
		tb.waitPath(ideaPath)
		if h1 := tb.text("h1"); h1 != mouseBody {
			t.Errorf("idea page h1 %q, want the annotation's first line %q", h1, mouseBody)
		}
		back := fmt.Sprintf("%s#annotation-%d", screenPath, mouseAnn.ID)
		link := `.from-annotation a[href=` + js(back) + `]`
		tb.waitFor("the idea page's link back to the screen", `document.querySelector(`+js(link)+`)`)
		if txt := annoSpaces(tb.text(link)); !strings.Contains(txt, "Anmerkung 1") || !strings.Contains(txt, screenTitle) {
			t.Errorf("the link back reads %q; want it to name Anmerkung 1 and the screen %q", txt, screenTitle)
		}
		annoShot(tb, "idea-from-annotation")

		// ... and back to the annotation on the screen
		tb.click(link)
		tb.waitFor("the screen page at annotation 1", `location.pathname === `+js(screenPath)+` && location.hash === `+js(fmt.Sprintf("#annotation-%d", mouseAnn.ID))+` && document.readyState === 'complete'`)
		tb.waitFor("annotation 1 and its pin to be highlighted",
			fmt.Sprintf(`document.querySelector('%s.is-active') && document.querySelector('.shot-overlay svg.mark.is-active[data-annotation="%d"]')`, li, mouseAnn.ID))
		ideaID = idea.ID
	})

	// 5. axe-core on the prototype and screen pages, for the moderator and a visitor.
	t.Run("axe", func(t *testing.T) {
		need(t, screenID != 0, "upload")
		visitor := b.newTab(t, f.inst, "visitor")
		annoReducedMotion(visitor)
		type page struct {
			name  string
			who   *tab
			path  string
			ready string
			then  func(tb *tab)
		}
		pages := []page{
			{name: "prototype_moderator", who: mod, path: protoPath, ready: `document.querySelector('.screen-card img')?.complete && document.querySelector('#upload-file')`},
			{name: "screen_moderator", who: mod, path: screenPath, ready: `document.querySelector('#shot-img')?.complete && document.querySelector('#annotate-form') && document.querySelectorAll('.annotations > li').length >= 1`},
			{name: "screen_moderator_placing", who: mod, path: screenPath, ready: `document.querySelector('#shot-img')?.complete && document.querySelector('#shot.is-enhanced')`, then: func(tb *tab) {
				// the state while placing: draft pin, note under the image, live text
				px, py := annoImagePoint(tb, 0.6, 0.2)
				tb.do("click on the image", chromedp.MouseEvent(chromedp.MouseMoved, px, py), chromedp.MouseClickXY(px, py))
				tb.waitFor("the note under the image", `document.querySelector('[data-shot-status]')?.hidden === false && document.querySelector('#live-status').textContent !== ''`)
			}},
			{name: "prototype_visitor", who: visitor, path: protoPath, ready: `document.querySelector('.screen-card img')?.complete`},
			{name: "screen_visitor", who: visitor, path: screenPath, ready: `document.querySelector('#shot-img')?.complete && document.querySelectorAll('.annotations > li').length >= 1`},
		}
		if ideaID != 0 {
			pages = append(pages, page{name: "idea_from_annotation", who: visitor, path: fmt.Sprintf("/ideas/%d", ideaID), ready: `document.querySelector('.from-annotation a')`})
		}
		for _, p := range pages {
			t.Run(p.name, func(t *testing.T) {
				tb := p.who.on(t, testTimeout)
				tb.open(p.path, http.StatusOK)
				tb.waitFor("the "+p.name+" page to be complete", p.ready)
				if p.who == visitor && evalJS[bool](tb, `!!document.querySelector('#upload-file, #annotate-form')`) {
					t.Errorf("a visitor sees a form of the moderator or of participants on %s", p.path)
				}
				if p.then != nil {
					p.then(tb)
				}
				annoShot(tb, p.name)
				tb.axe(p.name)
			})
		}
	})
}

// annoImagePoint scrolls the screenshot into view and returns the viewport
// point at the fractions fx, fy of its width and height, after checking that
// the point is on screen and that the image (not something over it) is there.
func annoImagePoint(tb *tab, fx, fy float64) (x, y float64) {
	tb.t.Helper()
	tb.do("scroll the image into view", chromedp.Evaluate[chromedp.Void](`document.querySelector('#shot-img').scrollIntoView({block: 'center', behavior: 'instant'})`))
	type box struct{ Left, Top, Width, Height, VW, VH float64 }
	r := evalJS[box](tb, `(() => { const r = document.querySelector('#shot-img').getBoundingClientRect();
	  return {Left: r.left, Top: r.top, Width: r.width, Height: r.height, VW: innerWidth, VH: innerHeight}; })()`)
	if r.Width < 100 || r.Height < 100 {
		tb.fatalf("the image is only %gx%g px on the page", r.Width, r.Height)
	}
	x, y = r.Left+r.Width*fx, r.Top+r.Height*fy
	if x < 0 || y < 0 || x >= r.VW || y >= r.VH {
		tb.fatalf("the point %g/%g of the image (%+v) is off screen", x, y, r)
	}
	if !evalJS[bool](tb, fmt.Sprintf(`!!document.elementFromPoint(%g, %g)?.closest('#shot')`, x, y)) {
		tb.fatalf("at %g/%g the page shows %s, not the image", x, y, evalJS[string](tb, fmt.Sprintf(`(e => e ? e.outerHTML.slice(0, 200) : 'nothing')(document.elementFromPoint(%g, %g))`, x, y)))
	}
	return x, y
}

// annoCheckListed checks that annotation a is item number n of the list,
// says it is a pin, and is drawn as a numbered pin at the fractions fx, fy
// of the image.
func annoCheckListed(tb *tab, a annoItem, n int, fx, fy float64) {
	tb.t.Helper()
	t := tb.t
	li := fmt.Sprintf(`.annotations > li#annotation-%d[data-annotation="%d"]`, a.ID, a.ID)
	if got := evalJS[int](tb, fmt.Sprintf(`[...document.querySelectorAll('.annotations > li[data-annotation]')].findIndex(e => e.matches(%s)) + 1`, js(li))); got != n {
		t.Errorf("annotation %d is item %d of the list, want %d", a.ID, got, n)
	}
	if got := tb.text(li + " .anno-num"); got != strconv.Itoa(n) {
		t.Errorf("annotation %d shows the number %q in the list, want %d", a.ID, got, n)
	}
	if got := annoSpaces(tb.text(li + " .annotation-title .visually-hidden")); got != fmt.Sprintf("Anmerkung %d:", n) {
		t.Errorf("annotation %d is named %q for screen readers, want \"Anmerkung %d:\"", a.ID, got, n)
	}
	if got := annoSpaces(tb.text(li + " .anno-where")); !strings.HasPrefix(got, "Stecknadel bei ") {
		t.Errorf("annotation %d says where it is as %q, want a pin (Stecknadel bei …)", a.ID, got)
	}
	if got := annoSpaces(tb.text(li + " .annotation-body")); got != a.Body {
		t.Errorf("annotation %d shows the text %q, want %q", a.ID, got, a.Body)
	}
	// the pin on the image: its number, and where it is drawn
	mark := fmt.Sprintf(`.shot-overlay svg.mark[data-annotation="%d"]`, a.ID)
	if got := tb.text(mark + " .mark-num"); got != strconv.Itoa(n) {
		t.Errorf("the pin of annotation %d shows %q, want %d", a.ID, got, n)
	}
	type pos struct{ DX, DY, R float64 }
	p := evalJS[pos](tb, fmt.Sprintf(`(() => {
	  const img = document.querySelector('#shot-img').getBoundingClientRect();
	  const c = document.querySelector(%s)?.getBoundingClientRect();
	  if (!c) return {DX: -1, DY: -1, R: 0};
	  return {DX: (c.left + c.width / 2 - img.left) / img.width, DY: (c.top + c.height / 2 - img.top) / img.height, R: c.width / 2};
	})()`, js(mark+" .mark-dot")))
	if p.R <= 0 || !annoNear(p.DX, fx, 0.015) || !annoNear(p.DY, fy, 0.015) {
		t.Errorf("the pin of annotation %d is drawn at %.3f/%.3f of the image (radius %g px), want %.3f/%.3f", a.ID, p.DX, p.DY, p.R, fx, fy)
	}
}
