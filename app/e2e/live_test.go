package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	qrcode "github.com/piglig/go-qr"

	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/models"
)

// Live workshop mode in the browser: the presenter wall follows votes and
// new ideas without reloading, a phone joins by code and sees the
// countdown and notices, dot voting counts down the dots left, and the
// wall, control, join and workshop pages pass axe-core.

// TestLiveWall opens the wall as the moderator, then votes and posts
// through the JSON API as a guest: the counts and a new card appear on the
// wall without a reload, and screen readers hear one summary of them.
func TestLiveWall(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	first := f.idea(t, "Termine im Bürgeramt online buchen")
	f.idea(t, "Abfallkalender mit Erinnerung")
	b := startBrowser(t)
	mod := f.moderatorTab(t, b, 1920, 1080)

	mod.open("/w/"+f.ws.Slug+"/wall", http.StatusOK)
	mod.waitFor("the wall to follow the event stream", `document.body.getAttribute('data-live-state') === 'open'`)
	card := fmt.Sprintf(`#wall-idea-%d [data-count]`, first.ID)
	if got := mod.text(card); got != "0" {
		t.Fatalf("wall before the vote: count %q, want 0", got)
	}
	if !strings.Contains(mod.text(".wall-code"), f.ws.JoinCode) || mod.text(".wall-address") == "" {
		t.Errorf("the wall does not show the join code %q and address: %q / %q", f.ws.JoinCode, mod.text(".wall-code"), mod.text(".wall-address"))
	}
	mod.shot("wall")
	mod.do("mark the document", chromedp.Evaluate[chromedp.Void](`window.__e2eSameDocument = true;
	  window.__e2eSaid = [];
	  new MutationObserver(() => { const t = document.getElementById('live-status').textContent; if (t) window.__e2eSaid.push(t); })
	    .observe(document.getElementById('live-status'), {childList: true, characterData: true, subtree: true});`))

	// A vote and a new idea through the API, as a guest who joined by code.
	token := f.apiJoin(t, "Vera Fern")
	voted := time.Now()
	f.api(t, token, http.MethodPut, fmt.Sprintf("/api/v1/ideas/%d/vote", first.ID), nil, http.StatusOK)
	mod.waitFor("the vote on the wall", fmt.Sprintf(`document.querySelector(%s)?.textContent === '1'`, js(card)))
	t.Logf("vote reached the wall after %v", time.Since(voted).Round(time.Millisecond))
	f.api(t, token, http.MethodPost, "/api/v1/workshops/"+f.ws.Slug+"/ideas", map[string]string{"title": "Wartezeit im Bürgeramt anzeigen"}, http.StatusCreated)
	mod.waitFor("the new idea's card on the wall", `[...document.querySelectorAll('.wall-card-title')].some(e => e.textContent === 'Wartezeit im Bürgeramt anzeigen')`)
	if n := mod.text("[data-wall-total]"); n != "3" {
		t.Errorf("idea count on the wall after the new idea: %q, want 3", n)
	}
	if !evalJS[bool](mod, `window.__e2eSameDocument === true`) {
		t.Fatal("the wall was reloaded; it should have changed in place")
	}
	mod.waitFor("the summary for screen readers", `window.__e2eSaid.length > 0`)
	said := evalJS[[]string](mod, `window.__e2eSaid`)
	if len(said) != 1 || !strings.Contains(said[0], "neue Idee") || !strings.Contains(said[0], "Stimmen") {
		t.Errorf("the live region said %q; want one summary of the new idea and the votes", said)
	}

	// The facilitator's choices reach the wall too: ranking, hidden counts,
	// the spotlight, a countdown.
	view, hide := "ranking", true
	if _, err := f.inst.Svc.UpdateWorkshop(ctx, f.mod.Actor(), f.ws.Slug, forms.Workshop{WallView: &view, HideCounts: &hide}); err != nil {
		t.Fatalf("wall settings: %v", err)
	}
	mod.waitFor("the ranking with hidden counts", `document.body.dataset.view === 'ranking' && document.body.classList.contains('counts-hidden')`)
	if evalJS[bool](mod, fmt.Sprintf(`getComputedStyle(document.querySelector(%s)).display !== 'none' && document.querySelector(%s).offsetParent !== null`, js(card), js(card))) {
		t.Error("counts are visible on the wall while the facilitator hides them")
	}
	if _, err := f.inst.Svc.Spotlight(ctx, f.mod.Actor(), f.ws.Slug, first.ID); err != nil {
		t.Fatalf("spotlight: %v", err)
	}
	mod.waitFor("the idea in the spotlight", fmt.Sprintf(`!document.getElementById('wall-spotlight').hidden && document.querySelector('.spot-title')?.textContent === %s`, js(first.Title)))
	if _, err := f.inst.Svc.ControlTimer(ctx, f.mod.Actor(), f.ws.Slug, forms.Timer{Action: "start", Seconds: 300}); err != nil {
		t.Fatalf("timer: %v", err)
	}
	mod.waitFor("the countdown", `!document.querySelector('[data-timer]').hidden && /^[45]:\d\d$/.test(document.querySelector('[data-timer-clock]').textContent)`)
	if !evalJS[bool](mod, `window.__e2eSameDocument === true`) {
		t.Fatal("the wall was reloaded; it should have changed in place")
	}
	mod.shot("wall-spotlight")
}

// TestLiveJoinPhone joins by code on a phone-sized screen and follows the
// workshop there: the countdown runs, another person's vote moves the
// count, a new idea is announced with a notice instead of reshuffling the
// list, a phase change asks for a reload.
func TestLiveJoinPhone(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	first := f.idea(t, "Termine im Bürgeramt online buchen")
	if _, err := f.inst.Svc.ControlTimer(ctx, f.mod.Actor(), f.ws.Slug, forms.Timer{Action: "start", Seconds: 600}); err != nil {
		t.Fatalf("timer: %v", err)
	}
	b := startBrowser(t)
	phone := b.newTab(t, f.inst, "phone")
	phone.viewport(390, 844)

	phone.open("/join", http.StatusOK)
	phone.typeInto("#join-code", strings.ToLower(f.ws.JoinCode))
	phone.typeInto("#join-name", "Pia Handy")
	phone.shot("join")
	phone.click(`form:has(#join-code) [type=submit]`)
	phone.waitPath("/w/" + f.ws.Slug)
	phone.waitFor("the live panel following the workshop", `document.querySelector('[data-live]')?.getAttribute('data-live-state') === 'open'`)
	phone.waitFor("the running countdown", `!document.querySelector('[data-timer]').hidden && /^(10|9):\d\d$/.test(document.querySelector('[data-timer-clock]').textContent)`)
	if evalJS[bool](phone, `document.documentElement.scrollWidth > document.documentElement.clientWidth`) {
		t.Error("the workshop page scrolls sideways on a 390 px wide phone")
	}
	phone.shot("workshop")
	phone.axe("workshop_phone")
	phone.do("mark the document", chromedp.Evaluate[chromedp.Void](`window.__e2eSameDocument = true`))
	before := evalJS[string](phone, `[...document.querySelectorAll('.ideas .idea h3')].map(e => e.textContent).join('|')`)

	// Someone else's vote moves the count on the phone.
	count := fmt.Sprintf(`.vote-count[data-idea="%d"]`, first.ID)
	f.api(t, f.apiJoin(t, "Otto Anders"), http.MethodPut, fmt.Sprintf("/api/v1/ideas/%d/vote", first.ID), nil, http.StatusOK)
	phone.waitFor("the vote count on the phone", fmt.Sprintf(`document.querySelector(%s)?.textContent === '1'`, js(count)))

	f.idea(t, "Abfallkalender mit Erinnerung")
	phone.waitFor("the new-ideas notice", `!document.querySelector('[data-notice="ideas"]').hidden && document.querySelector('[data-notice="ideas"]').textContent.includes('1 neue Idee')`)
	if after := evalJS[string](phone, `[...document.querySelectorAll('.ideas .idea h3')].map(e => e.textContent).join('|')`); after != before {
		t.Errorf("the idea list changed under the reader: %q, was %q", after, before)
	}
	voting := string(auth.PhaseVoting)
	if _, err := f.inst.Svc.UpdateWorkshop(ctx, f.mod.Actor(), f.ws.Slug, forms.Workshop{Phase: &voting}); err != nil {
		t.Fatalf("phase: %v", err)
	}
	phone.waitFor("the reload notice for the new phase", `!document.querySelector('[data-notice="reload"]').hidden && document.querySelector('[data-notice="reload"]').textContent.includes('Abstimmung')`)
	if !evalJS[bool](phone, `window.__e2eSameDocument === true`) {
		t.Fatal("the page was reloaded; the notices should have appeared in place")
	}
	phone.shot("workshop-notices")
}

// TestLiveDots votes with dots on a phone: each + spends one of the three
// dots, the page shows what is left, and a dot too many is refused with
// the translated message. With and without the page's script.
func TestLiveDots(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	a := f.idea(t, "Termine im Bürgeramt online buchen")
	c := f.idea(t, "Abfallkalender mit Erinnerung")
	mode, budget, perIdea := "dots", 3, 2
	if _, err := f.inst.Svc.UpdateWorkshop(ctx, f.mod.Actor(), f.ws.Slug, forms.Workshop{VotingMode: &mode, DotBudget: &budget, DotsPerIdeaMax: &perIdea}); err != nil {
		t.Fatalf("dot voting: %v", err)
	}
	b := startBrowser(t)
	for _, scripts := range []bool{true, false} {
		name := map[bool]string{true: "with_script", false: "without_script"}[scripts]
		t.Run(name, func(t *testing.T) {
			phone := b.newTab(t, f.inst, "dots-"+name)
			phone.viewport(390, 844)
			// The answer to a dot leads to the idea's anchor; without smooth
			// scrolling the next tap is not aimed at a moving button.
			phone.do("reduce motion", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
					Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}}})
				return err
			}))
			if !scripts {
				phone.do("switch JavaScript off", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
					return err
				}))
			}
			phone.open(fmt.Sprintf("/w/%s/join?code=%s", f.ws.Slug, f.ws.JoinCode), http.StatusOK)
			phone.typeInto("#join-name", "Dora "+name)
			phone.click(`form:has(#join-name) [type=submit]`)
			phone.waitPath("/w/" + f.ws.Slug)
			phone.waitFor("the dot controls", `document.querySelector('[data-dots-left]')`)
			if got := phone.text("[data-dots-left]"); got != "3" {
				t.Fatalf("dots left after joining: %q, want 3", got)
			}
			phone.do("mark the document", chromedp.Evaluate[chromedp.Void](`window.__e2eSameDocument = true`))
			plus := func(id uint64) string { return fmt.Sprintf(`#dots-%d form[data-step="1"] [type=submit]`, id) }
			for i, step := range []struct {
				idea uint64
				left string
			}{{a.ID, "2"}, {a.ID, "1"}, {c.ID, "0"}} {
				phone.click(plus(step.idea))
				phone.waitFor("dots left "+step.left, fmt.Sprintf(`document.readyState === 'complete' && document.querySelector('[data-dots-left]')?.textContent === %s`, js(step.left)))
				if want := map[int]string{0: "1", 1: "2", 2: "1"}[i]; phone.text(fmt.Sprintf("#dots-%d [data-my-dots]", step.idea)) != want {
					t.Errorf("after + %d: my dots on idea %d: %q, want %s", i+1, step.idea, phone.text(fmt.Sprintf("#dots-%d [data-my-dots]", step.idea)), want)
				}
			}
			phone.shot("dots-spent")
			// One more is over the budget: refused, with how many are left.
			phone.click(plus(c.ID))
			msg := fmt.Sprintf(`#dots-%d [data-dots-error]`, c.ID)
			phone.waitFor("the over-budget message", fmt.Sprintf(`document.readyState === 'complete' && document.querySelector(%s)?.textContent.includes('noch 0 Punkte')`, js(msg)))
			if got := phone.text("[data-dots-left]"); got != "0" {
				t.Errorf("dots left after a refused dot: %q, want 0", got)
			}
			phone.shot("dots-refused")
			inPlace := evalJS[bool](phone, `window.__e2eSameDocument === true`)
			if inPlace != scripts {
				t.Errorf("with scripts=%v the page changed in place=%v", scripts, inPlace)
			}
			total := 0
			var dots []models.Dot
			if err := f.inst.DB.WithContext(ctx).Joins("JOIN users ON users.id = dots.user_id").
				Where("users.name = ?", "Dora "+name).Find(&dots).Error; err != nil {
				t.Fatal(err)
			}
			for _, d := range dots {
				total += d.Count
			}
			if total != 3 {
				t.Errorf("dots stored for the person: %d, want 3 (the budget)", total)
			}
			// axe-core needs scripts; switched on now, they do not run in the
			// page already shown, which stays the one the server rendered.
			if !scripts {
				phone.do("switch JavaScript on for the audit", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
					return err
				}))
			}
			phone.axe("dots_" + name)
		})
	}
}

// TestLiveAxe audits the live pages: the wall (cards, then ranking with a
// spotlight and a countdown), the control page (also with an error), the
// join page and the workshop page on a phone, in German and English.
func TestLiveAxe(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	first := f.idea(t, "Termine im Bürgeramt online buchen")
	f.idea(t, "Abfallkalender mit Erinnerung")
	if _, err := f.inst.Svc.ControlTimer(ctx, f.mod.Actor(), f.ws.Slug, forms.Timer{Action: "start", Seconds: 420}); err != nil {
		t.Fatalf("timer: %v", err)
	}
	b := startBrowser(t)
	mod := f.moderatorTab(t, b, 1920, 1080)
	phone := b.newTab(t, f.inst, "phone")
	phone.viewport(390, 844)
	wall, control := "/w/"+f.ws.Slug+"/wall", "/w/"+f.ws.Slug+"/control"
	pages := []struct {
		name, path, ready string
		who               *tab
		before, then      func(tb *tab)
	}{
		{name: "wall_cards", who: mod, path: wall, ready: `document.querySelector('.wall-card') && document.body.dataset.liveState === 'open'`},
		{name: "wall_ranking_spotlight", who: mod, path: wall, ready: `document.querySelector('.spot-title')`, before: func(*tab) {
			view := "ranking"
			if _, err := f.inst.Svc.UpdateWorkshop(ctx, f.mod.Actor(), f.ws.Slug, forms.Workshop{WallView: &view}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.inst.Svc.Spotlight(ctx, f.mod.Actor(), f.ws.Slug, first.ID); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "wall_english", who: mod, path: wall + "?lang=en", ready: `document.documentElement.lang === 'en'`},
		{name: "control", who: mod, path: control + "?lang=de" /* back from English */, ready: `document.querySelector('#timer-minutes')`},
		{name: "control_phone", who: mod, path: control, ready: `document.querySelector('#timer-minutes')`, before: func(tb *tab) { tb.viewport(390, 844) }},
		{name: "control_error", who: mod, path: control, ready: `document.querySelector('#timer-minutes')`, then: func(tb *tab) {
			tb.do("enter a wrong length", chromedp.SetValue("#timer-minutes", "0"))
			tb.click(`form:has(#timer-minutes) [type=submit]`)
			tb.waitFor("the control page with the error", `document.readyState === 'complete' && document.querySelector('#error-summary') && document.querySelector('#timer-minutes[aria-invalid="true"]')`)
		}},
		{name: "join_phone", who: phone, path: "/w/" + f.ws.Slug + "/join?code=" + f.ws.JoinCode, ready: `document.querySelector('#join-name')`},
		{name: "workshop_phone", who: phone, path: "/w/" + f.ws.Slug, ready: `!document.querySelector('[data-timer]').hidden && document.querySelector('.nav-user')`, before: func(tb *tab) {
			tb.open("/w/"+f.ws.Slug+"/join?code="+f.ws.JoinCode, http.StatusOK)
			tb.typeInto("#join-name", "Axel Prüfer")
			tb.click(`form:has(#join-name) [type=submit]`)
			tb.waitPath("/w/" + f.ws.Slug)
		}},
		{name: "workshop_phone_dots", who: phone, path: "/w/" + f.ws.Slug, ready: `document.querySelector('.dots-item')`, before: func(*tab) {
			mode := "dots"
			if _, err := f.inst.Svc.UpdateWorkshop(ctx, f.mod.Actor(), f.ws.Slug, forms.Workshop{VotingMode: &mode}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "workshop_moderator", who: mod, path: "/w/" + f.ws.Slug, ready: `document.querySelector('.live-staff')`, before: func(tb *tab) { tb.viewport(1280, 900) }},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			tb := p.who.on(t, testTimeout)
			if p.before != nil {
				p.before(tb)
			}
			tb.open(p.path, http.StatusOK)
			tb.waitFor("the "+p.name+" page to be complete", p.ready)
			if p.then != nil {
				p.then(tb)
			}
			tb.shot(p.name)
			tb.axe(p.name)
		})
	}
}

// TestLiveAccess: the wall, its parts and the QR code are for the
// workshop's moderators; the QR code holds the join address with the code.
func TestLiveAccess(t *testing.T) {
	f := newFixture(t)
	idea := f.idea(t, "Termine im Bürgeramt online buchen")
	slug := f.ws.Slug
	paths := []string{"/w/" + slug + "/wall", "/w/" + slug + "/control", "/w/" + slug + "/qr.svg", fmt.Sprintf("/w/%s/wall/ideas/%d", slug, idea.ID)}

	visitor := f.client(t)
	guest := f.client(t)
	form(t, guest, f.inst.URL+"/w/"+slug+"/join", url.Values{"code": {f.ws.JoinCode}, "display_name": {"Gustav Gast"}})
	for _, p := range paths {
		if res := get(t, visitor, f.inst.URL+p); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("visitor GET %s: %d → %q, want a redirect to the login", p, res.StatusCode, res.Header.Get("Location"))
		}
		if res := get(t, guest, f.inst.URL+p); res.StatusCode != http.StatusForbidden {
			t.Errorf("guest GET %s: %d, want 403", p, res.StatusCode)
		}
	}

	mod := f.client(t)
	form(t, mod, f.inst.URL+"/login", url.Values{"email": {f.modEmail}, "password": {f.modPassword}})
	for _, p := range paths {
		if res := get(t, mod, f.inst.URL+p); res.StatusCode != http.StatusOK {
			t.Errorf("moderator GET %s: %d, want 200", p, res.StatusCode)
		}
	}
	res := get(t, mod, f.inst.URL+"/w/"+slug+"/qr.svg")
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "image/svg+xml") {
		t.Errorf("QR code content type %q", ct)
	}
	img, err := rasterSVG(res.body)
	if err != nil {
		t.Fatalf("QR code: %v\n%s", err, shorten(string(res.body), 300))
	}
	text, err := qrcode.Decode(img)
	if err != nil {
		t.Fatalf("decode the QR code: %v", err)
	}
	if want := f.inst.URL + "/w/" + slug + "/join?code=" + f.ws.JoinCode; text != want {
		t.Errorf("the QR code holds %q, want %q", text, want)
	}

	// A card hidden from the wall is not served to it.
	if err := f.inst.Svc.HideOnWall(t.Context(), f.mod.Actor(), idea.ID, true); err != nil {
		t.Fatal(err)
	}
	if res := get(t, mod, fmt.Sprintf("%s/w/%s/wall/ideas/%d", f.inst.URL, slug, idea.ID)); res.StatusCode != http.StatusNotFound {
		t.Errorf("card of a hidden idea: %d, want 404", res.StatusCode)
	}
	if res := get(t, mod, f.inst.URL+"/w/"+slug+"/wall"); bytes.Contains(res.body, []byte(idea.Title)) {
		t.Error("the wall shows an idea hidden from it")
	}
}
