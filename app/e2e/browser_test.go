package e2e

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"werkstatt/app/forms"
)

// TestBrowserMainPath walks the main path of a participant in Chromium:
// home page → workshop → join by code as a guest → post an idea → support
// it (count 0 → 1, checked in the API and the database) → withdraw (→ 0).
// It runs twice: with the page's script, which votes in the background, and
// with JavaScript switched off, where every form posts and redirects.
func TestBrowserMainPath(t *testing.T) {
	f := newFixture(t)
	b := startBrowser(t) // closed before the server stops (cleanups run last-in first-out)
	for _, mode := range []struct {
		name    string
		scripts bool
		guest   string
		idea    string
	}{
		{"with_script", true, "Erika Beispiel", "Termine im Bürgeramt online buchen"},
		{"without_script", false, "Jonas Ohneskript", "Anträge ohne Papier stellen"},
	} {
		t.Run(mode.name, func(t *testing.T) {
			guest := b.newTab(t, f.inst, mode.name)
			if !mode.scripts {
				guest.do("switch JavaScript off", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
					return err
				}))
			}
			mainPath(t, f, guest, mode.guest, mode.idea, mode.scripts)
		})
	}
}

func mainPath(t *testing.T, f *fixture, guest *tab, name, title string, scripts bool) {
	w := f.ws

	// The home page lists the open workshop.
	guest.open("/", http.StatusOK)
	card := fmt.Sprintf(`a[href="/w/%s"]`, w.Slug)
	guest.waitFor("the workshop on the home page", fmt.Sprintf(`document.querySelector(%s)?.textContent.includes(%s)`, js(card), js(w.Title)))
	guest.shot("home")

	// Its page, and from there its join page.
	guest.click(card)
	guest.waitPath("/w/" + w.Slug)
	if h1 := guest.text("h1"); h1 != w.Title {
		t.Fatalf("workshop page: h1 %q, want %q", h1, w.Title)
	}
	guest.shot("workshop-visitor")
	joinLink := fmt.Sprintf(`main a[href^="/w/%s/join"]`, w.Slug)
	guest.click(joinLink)
	guest.waitPath("/w/" + w.Slug + "/join")
	guest.waitFor("the join form", `document.querySelector('#join-code') && document.querySelector('#join-name')`)
	guest.shot("join")

	// Join with the code and a display name.
	guest.typeInto("#join-code", w.JoinCode)
	guest.typeInto("#join-name", name)
	guest.click(`form:has(#join-code) [type=submit]`)
	guest.waitPath("/w/" + w.Slug)
	guest.waitFor("the idea form for the guest", `document.querySelector('#idea-title') && document.querySelector('#idea-body')`)
	if !strings.Contains(guest.text("header"), name) {
		t.Errorf("after joining, the page header does not name the guest %q: %q", name, guest.text("header"))
	}
	guest.shot("workshop-guest")

	// Post an idea.
	guest.typeInto("#idea-title", title)
	guest.typeInto("#idea-body", "Heute muss man **anrufen** oder hingehen. Im Netz mit Erinnerung per E-Mail spart es allen Zeit.")
	guest.click(`form:has(#idea-title) [type=submit]`)
	guest.waitFor("the new idea's page", `/^\/ideas\/\d+$/.test(location.pathname) && document.readyState === 'complete'`)
	id, err := strconv.ParseUint(strings.TrimPrefix(guest.pathname(), "/ideas/"), 10, 64)
	if err != nil {
		t.Fatalf("idea page path %q: %v", guest.pathname(), err)
	}
	if h1 := guest.text("h1"); h1 != title {
		t.Errorf("idea page: h1 %q, want %q", h1, title)
	}
	count := fmt.Sprintf(`.vote-count[data-idea="%d"]`, id)
	button := fmt.Sprintf(`form.vote-form[data-vote="%d"] [type=submit]`, id)
	if got := guest.text(count); got != "0" {
		t.Fatalf("vote count of the new idea: %q, want 0", got)
	}
	flash := guest.text(".flash") // "your idea is published", shown once
	guest.shot("idea")

	// Support it: the count becomes 1, whether the script updates it in
	// place or the form post loads the page again. A mark on the window
	// tells which of the two happened.
	for _, step := range []struct {
		what, count, action string
		want                int64
	}{
		{"support", "1", "/unvote", 1},
		{"withdraw", "0", "/vote", 0},
	} {
		guest.do("mark the document", chromedp.Evaluate[chromedp.Void](`window.__e2eSameDocument = true`))
		guest.click(button)
		guest.waitFor("the vote count to become "+step.count+" after "+step.what,
			fmt.Sprintf(`document.readyState === 'complete' && document.querySelector(%s)?.textContent.trim() === %s`, js(count), js(step.count)))
		guest.waitFor("the vote form to offer the opposite after "+step.what,
			fmt.Sprintf(`document.querySelector('form.vote-form[data-vote="%d"]')?.getAttribute('action')?.endsWith(%s)`, id, js(step.action)))
		inPlace := evalJS[bool](guest, `window.__e2eSameDocument === true`)
		switch {
		case !scripts && inPlace:
			t.Errorf("%s without JavaScript: the page was not reloaded, so the count changed some other way", step.what)
		case scripts && inPlace:
			t.Logf("%s with the page script: the count was updated in place", step.what)
		case scripts:
			t.Logf("%s with the page script: the page was reloaded", step.what)
		}
		if !inPlace && flash != "" && guest.text(".flash") == flash {
			t.Errorf("after %s the reloaded page shows the one-time message %q again", step.what, flash)
		}
		guest.shot("idea-" + step.what)
		if n := f.apiVotes(t, id); n != step.want {
			t.Errorf("API after %s: votes = %d, want %d", step.what, n, step.want)
		}
		if rows, counter := f.dbVotes(t, id); rows != step.want || counter != step.want {
			t.Errorf("database after %s: %d vote rows, votes_count %d; want %d and %d", step.what, rows, counter, step.want, step.want)
		}
	}
}

// TestAxe audits every kind of page with axe-core: zero violations of WCAG
// 2.0/2.1 at levels A and AA, for visitors, guests and staff.
func TestAxe(t *testing.T) {
	f := newFixture(t)
	b := startBrowser(t) // closed before the server stops (cleanups run last-in first-out)
	w := f.ws
	ctx := t.Context()

	// An idea with a comment and a vote, so lists, counts and comments show.
	idea, err := f.inst.Svc.PostIdea(ctx, f.mod.Actor(), w.Slug, forms.Idea{
		Title: "Abfallkalender mit Erinnerung",
		Body:  "Am Abend vorher eine **Erinnerung**, welche Tonne dran ist.\n\n- als Push-Nachricht\n- oder per E-Mail",
	})
	if err != nil {
		t.Fatalf("post idea: %v", err)
	}
	if _, err := f.inst.Svc.PostComment(ctx, f.mod.Actor(), idea.ID, forms.Comment{Body: "Gute Idee – bitte auch mit *Sperrmüll*-Terminen."}); err != nil {
		t.Fatalf("post comment: %v", err)
	}
	if _, err := f.inst.Svc.Vote(ctx, f.mod.Actor(), idea.ID); err != nil {
		t.Fatalf("vote: %v", err)
	}
	ideaPath := fmt.Sprintf("/ideas/%d", idea.ID)
	wsPath := "/w/" + w.Slug

	// Three people, each in their own browser context.
	visitor := b.newTab(t, f.inst, "visitor")
	guest := b.newTab(t, f.inst, "guest")
	guest.open(fmt.Sprintf("%s/join?code=%s", wsPath, w.JoinCode), http.StatusOK)
	guest.typeInto("#join-name", "Kim Gast")
	guest.click(`form:has(#join-name) [type=submit]`)
	guest.waitPath(wsPath)
	english := b.newTab(t, f.inst, "visitor-en")
	english.open("/?lang=en", http.StatusOK) // remembered in a cookie
	staff := b.newTab(t, f.inst, "moderator")
	staff.open("/login", http.StatusOK)
	staff.typeInto("#login-email", f.modEmail)
	staff.typeInto("#login-password", f.modPassword)
	staff.click(`form:has(#login-email) [type=submit]`)
	staff.waitFor("the moderator to be logged in", `document.readyState === 'complete' && location.pathname !== '/login'`)

	pages := []struct {
		name   string
		who    *tab
		path   string
		status int
		ready  string // a JavaScript condition that says the page is complete
		then   func(tb *tab)
	}{
		{name: "home", who: visitor, path: "/", ready: `document.documentElement.lang === 'de' && document.querySelector('#home-code')`},
		{name: "workshop_visitor", who: visitor, path: wsPath, ready: `document.querySelector('.vote-count')`},
		{name: "workshop_guest", who: guest, path: wsPath, ready: `document.querySelector('#idea-title') && document.querySelector('form.vote-form[data-vote]')`},
		{name: "idea_visitor", who: visitor, path: ideaPath, ready: `document.querySelector('.comment')`},
		{name: "idea_guest", who: guest, path: ideaPath, ready: `document.querySelector('.comment') && document.querySelector('form.vote-form[data-vote]') && document.querySelector('#comment-body')`},
		{name: "login", who: visitor, path: "/login", ready: `document.querySelector('#login-email')`},
		{name: "register", who: visitor, path: "/register", ready: `document.querySelector('form input[type=password]')`},
		{name: "join", who: visitor, path: "/join", ready: `document.querySelector('#join-code')`},
		{name: "join_workshop_code", who: visitor, path: fmt.Sprintf("%s/join?code=%s", wsPath, w.JoinCode), ready: `document.querySelector('#join-code')?.value !== ''`},
		{name: "not_found", who: visitor, path: "/gibt-es-nicht", status: http.StatusNotFound, ready: `document.querySelector('h1')`},
		{name: "idea_form_errors", who: guest, path: wsPath, ready: `document.querySelector('#idea-title')`, then: func(tb *tab) {
			// Submit the idea form empty: it comes back with messages.
			tb.click(`form:has(#idea-title) [type=submit]`)
			tb.waitFor("the idea form with errors", `document.readyState === 'complete' && document.querySelector('#error-summary') && document.querySelector('#idea-title[aria-invalid="true"]')`)
		}},
		{name: "join_form_errors", who: visitor, path: "/join", ready: `document.querySelector('#join-code')`, then: func(tb *tab) {
			tb.typeInto("#join-code", "FALSCH1")
			tb.click(`form:has(#join-code) [type=submit]`)
			tb.waitFor("the join form with errors", `document.readyState === 'complete' && document.querySelector('#error-summary')`)
		}},
		{name: "workshop_moderator", who: staff, path: wsPath, ready: `document.querySelector('.staff-panel, a[href$="/edit"]')`},
		{name: "workshop_edit", who: staff, path: wsPath + "/edit", ready: `document.querySelector('#ws-title')`},
		{name: "workshop_new", who: staff, path: "/workshops/new", ready: `document.querySelector('#ws-title')`},
		{name: "home_english", who: english, path: "/", ready: `document.documentElement.lang === 'en' && document.querySelector('#home-code')`},
		{name: "workshop_english", who: english, path: wsPath, ready: `document.documentElement.lang === 'en' && document.querySelector('.vote-count')`},
		{name: "idea_english", who: english, path: ideaPath, ready: `document.documentElement.lang === 'en' && document.querySelector('.comment')`},
	}
	// The audit itself must see what it is meant to see.
	t.Run("axe_self_check", func(t *testing.T) {
		tb := visitor.on(t, testTimeout)
		tb.open("/", http.StatusOK)
		tb.do("break the page on purpose", chromedp.Evaluate[chromedp.Void](`(() => {
			const main = document.querySelector('main');
			main.insertAdjacentHTML('beforeend', '<img src="/static/img/logo.svg"><input type="text"><p id="pale">blass</p>');
			const p = document.getElementById('pale'); // CSSOM, as the CSP forbids style attributes
			p.style.color = '#bbb'; p.style.backgroundColor = '#fff';
		})()`))
		res := tb.axeAudit("broken on purpose")
		var ids []string
		for _, v := range res.Violations {
			ids = append(ids, v.ID)
		}
		for _, want := range []string{"image-alt", "label", "color-contrast"} {
			if !slices.Contains(ids, want) {
				t.Errorf("axe-core %s missed %s on a page broken on purpose; it found %v", res.Version, want, ids)
			}
		}
	})

	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			tb := p.who.on(t, testTimeout)
			status := p.status
			if status == 0 {
				status = http.StatusOK
			}
			tb.open(p.path, status)
			tb.waitFor("the "+p.name+" page to be complete", p.ready)
			if p.then != nil {
				p.then(tb)
			}
			tb.shot(p.name)
			tb.axe(p.name)
		})
	}
}

// TestKeyboardJoin joins a workshop with the keyboard alone: the skip link
// is the first stop and moves focus to the main content; Tab reaches the
// code field, then the name field; Enter submits.
func TestKeyboardJoin(t *testing.T) {
	f := newFixture(t)
	b := startBrowser(t) // closed before the server stops (cleanups run last-in first-out)
	w := f.ws
	kbd := b.newTab(t, f.inst, "keyboard")
	kbd.open("/join", http.StatusOK)

	const focused = `(() => {
	  const e = document.activeElement;
	  if (!e || e === document.body) return 'body';
	  let d = e.tagName.toLowerCase();
	  if (e.id) d += '#' + e.id;
	  if (e.getAttribute('href')) d += '[href="' + e.getAttribute('href') + '"]';
	  if (e.classList.length) d += '.' + [...e.classList].join('.');
	  return d;
	})()`

	// The first Tab lands on the skip link, which is visible when focused.
	kbd.press(kb.Tab)
	first := evalJS[string](kbd, focused)
	if !evalJS[bool](kbd, `document.activeElement?.tagName === 'A' && document.activeElement.getAttribute('href') === '#main'`) {
		t.Fatalf("the first focusable element is %s, want the skip link a[href=\"#main\"]", first)
	}
	if !evalJS[bool](kbd, `(() => { const r = document.activeElement.getBoundingClientRect();
	    return r.width >= 1 && r.height >= 1 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth; })()`) {
		t.Errorf("the focused skip link %s is not visible on screen", first)
	}
	kbd.shot("skip-link-focused")

	// Enter follows it: focus moves to <main id="main">.
	kbd.press(kb.Enter)
	kbd.waitFor("focus on #main after the skip link", `document.activeElement?.id === 'main' && location.hash === '#main'`)

	// Tab on to the code field.
	var path []string
	for i := 0; i < 30 && !evalJS[bool](kbd, `document.activeElement?.id === 'join-code'`); i++ {
		kbd.press(kb.Tab)
		path = append(path, evalJS[string](kbd, focused))
	}
	if !evalJS[bool](kbd, `document.activeElement?.id === 'join-code'`) {
		t.Fatalf("Tab from #main never reached #join-code; focus went: %s", strings.Join(path, " → "))
	}
	t.Logf("Tab from #main to the code field: %s", strings.Join(path, " → "))
	kbd.press(w.JoinCode)

	// The next Tab stop is the name field.
	kbd.press(kb.Tab)
	if got := evalJS[string](kbd, focused); !evalJS[bool](kbd, `document.activeElement?.id === 'join-name'`) {
		t.Fatalf("Tab after #join-code focused %s, want #join-name", got)
	}
	kbd.press("Ada Tastatur")
	if got := evalJS[string](kbd, `document.querySelector('#join-code').value + ' / ' + document.querySelector('#join-name').value`); got != w.JoinCode+" / Ada Tastatur" {
		t.Fatalf("typed values: %q", got)
	}
	kbd.shot("join-typed")

	// Enter submits; the guest lands on the workshop page.
	kbd.press(kb.Enter)
	kbd.waitPath("/w/" + w.Slug)
	kbd.waitFor("the workshop page for the new guest", `document.querySelector('#idea-title')`)
	if !strings.Contains(kbd.text("header"), "Ada Tastatur") {
		t.Errorf("after joining by keyboard, the header does not name the guest: %q", kbd.text("header"))
	}
	kbd.shot("workshop-joined")
}
