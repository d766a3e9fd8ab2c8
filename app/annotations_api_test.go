package app_test

// Black-box tests of annotations on prototype screens as issue 3 lists
// them: pins and areas in percent, the list and its W3C Web Annotation
// form, replies, "me too", promoting to an idea, phase rules, and new
// versions of a screen.

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"werkstatt/app"
	"werkstatt/app/auth"
)

// annotationOut is an annotation as the API lists it.
type annotationOut struct {
	ID       uint64  `json:"id"`
	Number   int     `json:"number"`
	Kind     string  `json:"kind"`
	X        float64 `json:"x"`
	Y        float64 `json:"y"`
	W        float64 `json:"w"`
	H        float64 `json:"h"`
	Body     string  `json:"body"`
	BodyHTML string  `json:"body_html"`
	Author   struct {
		ID   uint64 `json:"id"`
		Name string `json:"name"`
	} `json:"author"`
	Replies   []map[string]any `json:"replies"`
	MeToo     int64            `json:"me_too"`
	MeTooByMe bool             `json:"me_too_by_me"`
	IdeaID    *uint64          `json:"idea_id"`
}

// screenFixture is an open workshop with a prototype and one screen.
type screenFixture struct {
	mod    string
	w      workshopJSON
	proto  prototypeOut
	screen screenOut
}

func newScreenFixture(t *testing.T, inst *app.Instance, phase string) screenFixture {
	t.Helper()
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Anmerkungen", "open")
	proto := newPrototype(t, inst, mod, w.Slug, "Bürgerservice-App")
	s := uploadScreen(t, inst, mod, proto.ID, "Startseite", testPNG(t, 1000, 800, 2))
	if phase != "open" {
		setPhase(t, inst, mod, w.Slug, phase)
	}
	return screenFixture{mod: mod, w: w, proto: proto, screen: s}
}

func annotationsPath(screenID uint64) string {
	return fmt.Sprintf("/api/v1/screens/%d/annotations", screenID)
}

// annotate posts an annotation and expects 201.
func annotate(t *testing.T, inst *app.Instance, token string, screenID uint64, body map[string]any) annotationOut {
	t.Helper()
	r := call(t, inst, "POST", annotationsPath(screenID), token, body)
	want(t, r, 201, fmt.Sprintf("annotate %v", body))
	var a annotationOut
	r.Decode(t, &a)
	if a.ID == 0 {
		t.Fatalf("annotation without id: %s", r)
	}
	return a
}

// listAnnotations reads a screen's annotations as token's owner.
func listAnnotations(t *testing.T, inst *app.Instance, token string, screenID uint64) []annotationOut {
	t.Helper()
	r := call(t, inst, "GET", annotationsPath(screenID), token, nil)
	want(t, r, 200, "list annotations")
	var out struct {
		Items []annotationOut `json:"items"`
	}
	r.Decode(t, &out)
	return out.Items
}

func TestAPIAnnotationsCreate(t *testing.T) {
	inst := start(t)
	f := newScreenFixture(t, inst, "open")
	guest, guestID := joinGuest(t, inst, f.w, "Gast Anna")
	path := annotationsPath(f.screen.ID)

	pin := annotate(t, inst, guest, f.screen.ID, map[string]any{"x": 12.5, "y": 40, "body": "Der **Knopf** ist zu klein"})
	if pin.Kind != "pin" || pin.X != 12.5 || pin.Y != 40 || pin.W != 0 || pin.H != 0 || pin.Number != 1 || pin.Author.ID != guestID {
		t.Errorf("pin: %+v", pin)
	}
	area := annotate(t, inst, guest, f.screen.ID, map[string]any{"x": 10, "y": 20, "w": 30, "h": 15, "body": "Dieser Bereich ist unklar"})
	if area.Kind != "area" || area.X != 10 || area.Y != 20 || area.W != 30 || area.H != 15 || area.Number != 2 {
		t.Errorf("area: %+v", area)
	}
	// The edges themselves are inside.
	annotate(t, inst, f.mod, f.screen.ID, map[string]any{"x": 100, "y": 100, "w": 0, "h": 0, "body": "Ecke unten rechts"})
	annotate(t, inst, guest, f.screen.ID, map[string]any{"x": 90, "y": 0, "w": 10, "h": 100, "body": "Rechter Rand, ganz"})
	stored := tableRows(t, inst, "annotations")
	if stored != 4 {
		t.Fatalf("%d annotation rows, want 4", stored)
	}

	bad := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"x over 100", map[string]any{"x": 100.5, "y": 10, "body": "zu weit"}, "x"},
		{"x negative", map[string]any{"x": -1, "y": 10, "body": "zu weit"}, "x"},
		{"y over 100", map[string]any{"x": 10, "y": 101, "body": "zu weit"}, "y"},
		{"w negative", map[string]any{"x": 10, "y": 10, "w": -5, "h": 5, "body": "verkehrt"}, "w"},
		{"area past the right edge", map[string]any{"x": 90, "y": 10, "w": 20, "h": 5, "body": "über den Rand"}, "w"},
		{"area past the bottom edge", map[string]any{"x": 10, "y": 95, "w": 5, "h": 10, "body": "über den Rand"}, "h"},
		{"empty body", map[string]any{"x": 10, "y": 10, "body": ""}, "body"},
		{"blank body", map[string]any{"x": 10, "y": 10, "body": "   \n "}, "body"},
		{"no body", map[string]any{"x": 10, "y": 10}, "body"},
	}
	for _, c := range bad {
		p := wantProblem(t, call(t, inst, "POST", path, guest, c.body), 422, c.name)
		if p.fields()[c.field] == "" {
			t.Errorf("%s: the problem names no %q field: %+v", c.name, c.field, p)
		}
	}
	wantProblem(t, call(t, inst, "POST", path, "", map[string]any{"x": 10, "y": 10, "body": "anonym"}), 401, "visitor annotates")
	elsewhere := newWorkshop(t, inst, f.mod, "Andere Werkstatt", "open")
	stranger, _ := joinGuest(t, inst, elsewhere, "Gast von nebenan")
	wantProblem(t, call(t, inst, "POST", path, stranger, map[string]any{"x": 10, "y": 10, "body": "fremd"}), 403, "guest of another workshop annotates")
	wantProblem(t, call(t, inst, "POST", annotationsPath(999999), guest, map[string]any{"x": 10, "y": 10, "body": "nirgends"}), 404, "unknown screen")
	if n := tableRows(t, inst, "annotations"); n != stored {
		t.Fatalf("refused annotations were stored: %d rows, want %d", n, stored)
	}

	setPhase(t, inst, f.mod, f.w.Slug, "voting")
	wantProblem(t, call(t, inst, "POST", path, guest, map[string]any{"x": 10, "y": 10, "body": "zu spät"}), 409, "annotate while voting")
	if n := tableRows(t, inst, "annotations"); n != stored {
		t.Fatalf("annotation stored in the voting phase: %d rows, want %d", n, stored)
	}
}

func TestAPIAnnotationsListAndJSONLD(t *testing.T) {
	inst := start(t)
	f := newScreenFixture(t, inst, "open")
	anna, _ := joinGuest(t, inst, f.w, "Gast Anna")
	bert, _ := joinGuest(t, inst, f.w, "Gast Bert")

	annotate(t, inst, anna, f.screen.ID, map[string]any{"x": 12.5, "y": 40, "body": "Der **Knopf** ist zu klein"})
	annotate(t, inst, bert, f.screen.ID, map[string]any{"x": 10, "y": 20, "w": 30, "h": 15, "body": "Unklarer Bereich"})
	third := annotate(t, inst, anna, f.screen.ID, map[string]any{"x": 75, "y": 5, "body": "Suche fehlt"})
	want(t, call(t, inst, "POST", fmt.Sprintf("/api/v1/annotations/%d/replies", third.ID), bert, map[string]any{"body": "Stimmt, *unbedingt*"}), 201, "reply")
	want(t, call(t, inst, "PUT", fmt.Sprintf("/api/v1/annotations/%d/me-too", third.ID), bert, nil), 200, "me too")

	r := call(t, inst, "GET", annotationsPath(f.screen.ID), "", nil)
	want(t, r, 200, "visitor lists annotations")
	var raw struct {
		Items []map[string]any `json:"items"`
	}
	r.Decode(t, &raw)
	if len(raw.Items) != 3 {
		t.Fatalf("%d items, want 3: %s", len(raw.Items), r)
	}
	for _, k := range []string{"id", "x", "y", "w", "h", "body_html", "author", "replies", "me_too"} {
		if _, ok := raw.Items[0][k]; !ok {
			t.Errorf("annotation item lacks %q", k)
		}
	}
	items := listAnnotations(t, inst, bert, f.screen.ID)
	for i, a := range items {
		if a.Number != i+1 {
			t.Errorf("item %d has number %d, want %d", i, a.Number, i+1)
		}
	}
	if !strings.Contains(items[0].BodyHTML, "<strong>Knopf</strong>") || items[0].Author.Name != "Gast Anna" {
		t.Errorf("first annotation: body_html %q, author %q", items[0].BodyHTML, items[0].Author.Name)
	}
	if items[1].Kind != "area" || items[1].W != 30 || items[1].H != 15 || items[1].Author.Name != "Gast Bert" {
		t.Errorf("second annotation: %+v", items[1])
	}
	if len(items[2].Replies) != 1 || items[2].MeToo != 1 || !items[2].MeTooByMe {
		t.Errorf("third annotation: %d replies, me_too %d (by me %v), want 1, 1, true", len(items[2].Replies), items[2].MeToo, items[2].MeTooByMe)
	}
	if body, _ := items[2].Replies[0]["body_html"].(string); !strings.Contains(body, "<em>unbedingt</em>") {
		t.Errorf("reply body_html %q", body)
	}

	// The same list as a W3C Web Annotation page.
	r = callHeaders(t, inst, "GET", annotationsPath(f.screen.ID), "", nil, map[string]string{"Accept": "application/ld+json"})
	want(t, r, 200, "annotations as JSON-LD")
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/ld+json") {
		t.Errorf("JSON-LD Content-Type %q", ct)
	}
	var page struct {
		Context string           `json:"@context"`
		Type    string           `json:"type"`
		ID      string           `json:"id"`
		Items   []map[string]any `json:"items"`
	}
	r.Decode(t, &page)
	if page.Context != "http://www.w3.org/ns/anno.jsonld" || (page.Type != "AnnotationPage" && page.Type != "AnnotationCollection") || page.ID == "" {
		t.Fatalf("not an AnnotationPage: %s", r)
	}
	if len(page.Items) != 3 {
		t.Fatalf("JSON-LD page has %d items, want 3", len(page.Items))
	}
	wantFragments := []string{"xywh=percent:12.5,40,0,0", "xywh=percent:10,20,30,15", "xywh=percent:75,5,0,0"}
	for i, it := range page.Items {
		if it["type"] != "Annotation" {
			t.Errorf("item %d: type %v", i, it["type"])
		}
		if id, _ := it["id"].(string); !strings.HasPrefix(id, "http") {
			t.Errorf("item %d: id %v is not an IRI", i, it["id"])
		}
		switch b := it["body"].(type) {
		case []any:
			if len(b) == 0 {
				t.Errorf("item %d: empty body", i)
			}
		case map[string]any, string:
		default:
			t.Errorf("item %d: no body: %v", i, it["body"])
		}
		target, _ := it["target"].(map[string]any)
		sel, _ := target["selector"].(map[string]any)
		if sel["type"] != "FragmentSelector" || sel["value"] != wantFragments[i] {
			t.Errorf("item %d: selector %v, want FragmentSelector %q", i, sel, wantFragments[i])
		}
		if target["source"] != f.screen.ImageURL {
			t.Errorf("item %d: target source %v, want the screen's image %s", i, target["source"], f.screen.ImageURL)
		}
	}
	if !bytes.Contains(r.Body, []byte("Stimmt, *unbedingt*")) {
		t.Errorf("the reply is not in the JSON-LD export")
	}
}

func TestAPIAnnotationRepliesMeTooAndPhases(t *testing.T) {
	inst := start(t)
	f := newScreenFixture(t, inst, "open")
	anna, _ := joinGuest(t, inst, f.w, "Gast Anna")
	bert, _ := joinGuest(t, inst, f.w, "Gast Bert")
	a := annotate(t, inst, anna, f.screen.ID, map[string]any{"x": 50, "y": 50, "body": "Schrift zu klein"})
	replies := fmt.Sprintf("/api/v1/annotations/%d/replies", a.ID)
	meToo := fmt.Sprintf("/api/v1/annotations/%d/me-too", a.ID)

	r := call(t, inst, "POST", replies, bert, map[string]any{"body": "Finde ich auch"})
	want(t, r, 201, "reply while open")
	if m := r.JSON(t); m["id"] == nil || !strings.Contains(fmt.Sprint(m["body_html"]), "Finde ich auch") {
		t.Errorf("reply answer: %s", r)
	}
	wantProblem(t, call(t, inst, "POST", replies, bert, map[string]any{"body": " "}), 422, "blank reply")
	wantProblem(t, call(t, inst, "POST", replies, "", map[string]any{"body": "anonym"}), 401, "visitor replies")
	wantProblem(t, call(t, inst, "PUT", meToo, "", nil), 401, "visitor me too")
	wantProblem(t, call(t, inst, "POST", "/api/v1/annotations/999999/replies", bert, map[string]any{"body": "?"}), 404, "reply to nothing")

	meTooCount := func(token, what string) float64 {
		t.Helper()
		r := call(t, inst, "PUT", meToo, token, nil)
		want(t, r, 200, what)
		n, _ := r.JSON(t)["me_too"].(float64)
		return n
	}
	if n := meTooCount(bert, "me too by Bert"); n != 1 {
		t.Errorf("me too by Bert: %v, want 1", n)
	}
	if n := meTooCount(bert, "me too by Bert again"); n != 1 {
		t.Errorf("me too by Bert twice: %v, want 1", n)
	}

	setPhase(t, inst, f.mod, f.w.Slug, "voting")
	want(t, call(t, inst, "POST", replies, anna, map[string]any{"body": "Danke!"}), 201, "reply while voting")
	if n := meTooCount(f.mod, "me too by the moderator while voting"); n != 2 {
		t.Errorf("me too by a second person: %v, want 2", n)
	}
	got := listAnnotations(t, inst, anna, f.screen.ID)[0]
	if got.MeToo != 2 || len(got.Replies) != 2 || got.MeTooByMe {
		t.Errorf("after voting: me_too %d, %d replies, by Anna %v; want 2, 2, false", got.MeToo, len(got.Replies), got.MeTooByMe)
	}

	setPhase(t, inst, f.mod, f.w.Slug, "closed")
	wantProblem(t, call(t, inst, "POST", replies, anna, map[string]any{"body": "Noch was"}), 409, "reply when closed")
	wantProblem(t, call(t, inst, "PUT", meToo, anna, nil), 409, "me too when closed")
	if n := tableRows(t, inst, "annotation_replies"); n != 2 {
		t.Errorf("%d replies stored, want 2", n)
	}
	if n := tableRows(t, inst, "annotation_me_toos"); n != 2 {
		t.Errorf("%d me-too rows stored, want 2", n)
	}
	if got := listAnnotations(t, inst, "", f.screen.ID)[0]; got.MeToo != 2 {
		t.Errorf("me_too after closing: %d, want 2", got.MeToo)
	}
}

func TestAPIAnnotationPromote(t *testing.T) {
	inst := start(t)
	f := newScreenFixture(t, inst, "open")
	anna, _ := joinGuest(t, inst, f.w, "Gast Anna")
	bert, _ := joinGuest(t, inst, f.w, "Gast Bert")
	a := annotate(t, inst, anna, f.screen.ID, map[string]any{"x": 20, "y": 30, "body": "Termin online buchen\n\nDas wäre *praktisch*."})
	b := annotate(t, inst, bert, f.screen.ID, map[string]any{"x": 60, "y": 70, "w": 10, "h": 10, "body": "Barrierefreie Schrift"})
	ideasBefore := ideaCount(t, inst, "", f.w.Slug)
	promote := func(id uint64) string { return fmt.Sprintf("/api/v1/annotations/%d/promote", id) }

	wantProblem(t, call(t, inst, "POST", promote(a.ID), bert, nil), 403, "participant promotes someone else's annotation")
	wantProblem(t, call(t, inst, "POST", promote(a.ID), "", nil), 401, "visitor promotes")
	if n := ideaCount(t, inst, "", f.w.Slug); n != ideasBefore {
		t.Fatalf("refused promotions made ideas: %d, want %d", n, ideasBefore)
	}

	r := call(t, inst, "POST", promote(a.ID), anna, nil)
	want(t, r, 201, "author promotes")
	ideaID, _ := r.JSON(t)["idea_id"].(float64)
	if ideaID <= 0 {
		t.Fatalf("promote: no idea_id: %s", r)
	}
	ir := call(t, inst, "GET", fmt.Sprintf("/api/v1/ideas/%d", uint64(ideaID)), bert, nil)
	want(t, ir, 200, "GET promoted idea")
	idea := ir.JSON(t)
	if idea["workshop"] != f.w.Slug || idea["title"] != "Termin online buchen" || !strings.Contains(fmt.Sprint(idea["body"]), "praktisch") {
		t.Errorf("promoted idea: want workshop %q, title from the first line, the body: %s", f.w.Slug, ir)
	}
	if n := ideaCount(t, inst, "", f.w.Slug); n != ideasBefore+1 {
		t.Errorf("workshop lists %d ideas, want %d", n, ideasBefore+1)
	}

	wantProblem(t, call(t, inst, "POST", promote(a.ID), anna, nil), 409, "second promote by the author")
	wantProblem(t, call(t, inst, "POST", promote(a.ID), f.mod, nil), 409, "second promote by a moderator")
	want(t, call(t, inst, "POST", promote(b.ID), f.mod, nil), 201, "moderator promotes someone's annotation")
	if n := ideaCount(t, inst, "", f.w.Slug); n != ideasBefore+2 {
		t.Errorf("after two promotions the workshop lists %d ideas, want %d", n, ideasBefore+2)
	}
	// While voting, authors no longer promote; moderators still do.
	c := annotate(t, inst, anna, f.screen.ID, map[string]any{"x": 5, "y": 5, "body": "Dunkler Modus"})
	d := annotate(t, inst, anna, f.screen.ID, map[string]any{"x": 6, "y": 6, "body": "Größere Schrift"})
	setPhase(t, inst, f.mod, f.w.Slug, "voting")
	wantProblem(t, call(t, inst, "POST", promote(c.ID), anna, nil), 409, "author promotes while voting")
	want(t, call(t, inst, "POST", promote(d.ID), f.mod, nil), 201, "moderator promotes while voting")
	setPhase(t, inst, f.mod, f.w.Slug, "closed")
	wantProblem(t, call(t, inst, "POST", promote(c.ID), f.mod, nil), 409, "moderator promotes when closed")
	if n := ideaCount(t, inst, "", f.w.Slug); n != ideasBefore+3 {
		t.Errorf("after three promotions the workshop lists %d ideas, want %d", n, ideasBefore+3)
	}
	got := listAnnotations(t, inst, "", f.screen.ID)
	if got[0].IdeaID == nil || *got[0].IdeaID != uint64(ideaID) || got[1].IdeaID == nil {
		t.Errorf("annotations do not show their ideas: %v, %v", got[0].IdeaID, got[1].IdeaID)
	}
}

func TestAPIScreenNewVersion(t *testing.T) {
	inst := start(t)
	f := newScreenFixture(t, inst, "open")
	guest, _ := joinGuest(t, inst, f.w, "Gast Anna")
	old := f.screen
	oldImage := fetch(t, old.ImageURL, guest, nil)
	want(t, oldImage, 200, "old image before the new version")
	annotate(t, inst, guest, old.ID, map[string]any{"x": 5, "y": 5, "body": "Logo zu groß"})
	versions := fmt.Sprintf("/api/v1/screens/%d/versions", old.ID)

	wantProblem(t, postFile(t, inst, versions, guest, "v2.png", testPNG(t, 1000, 800, 40), nil), 403, "participant replaces a screen")
	wantProblem(t, postFile(t, inst, versions, f.mod, "v2.png", []byte("kein Bild"), nil), 422, "new version that is not an image")
	if n := tableRows(t, inst, "screens"); n != 1 {
		t.Fatalf("refused versions stored screens: %d rows", n)
	}

	r := postFile(t, inst, versions, f.mod, "v2.png", testPNG(t, 1200, 900, 41), nil)
	want(t, r, 201, "new version")
	var v2 screenOut
	r.Decode(t, &v2)
	if v2.ID == old.ID || v2.Version != 2 || v2.ReplacesID == nil || *v2.ReplacesID != old.ID || v2.Width != 1200 {
		t.Fatalf("new version: %+v", v2)
	}
	if v2.Title != old.Title || v2.Alt != old.Alt {
		t.Errorf("new version without title/alt: %q/%q, want the old %q/%q", v2.Title, v2.Alt, old.Title, old.Alt)
	}

	sr := call(t, inst, "GET", fmt.Sprintf("/api/v1/screens/%d", old.ID), guest, nil)
	want(t, sr, 200, "old version still readable")
	var was screenOut
	sr.Decode(t, &was)
	if was.ReplacedByID == nil || *was.ReplacedByID != v2.ID || was.Version != 1 {
		t.Errorf("old version: replaced_by_id %v, version %d; want %d, 1", was.ReplacedByID, was.Version, v2.ID)
	}
	if img := fetch(t, old.ImageURL, guest, nil); img.Status != 200 || !bytes.Equal(img.Body, oldImage.Body) {
		t.Errorf("old version's image: %d, same bytes %v", img.Status, bytes.Equal(img.Body, oldImage.Body))
	}
	if items := listAnnotations(t, inst, guest, old.ID); len(items) != 1 || items[0].Body != "Logo zu groß" {
		t.Errorf("old version's annotations: %+v", items)
	}
	wantProblem(t, call(t, inst, "POST", annotationsPath(old.ID), guest, map[string]any{"x": 1, "y": 1, "body": "zu alt"}), 409, "annotate the old version")
	if n := annotate(t, inst, guest, v2.ID, map[string]any{"x": 1, "y": 1, "body": "Neu"}).Number; n != 1 {
		t.Errorf("first annotation on the new version has number %d, want 1", n)
	}

	screens := getPrototype(t, inst, guest, f.proto.ID).Screens
	if len(screens) != 1 || screens[0].ID != v2.ID {
		t.Fatalf("prototype lists %+v, want only the new version %d", screens, v2.ID)
	}
	wantProblem(t, postFile(t, inst, versions, f.mod, "v3.png", testPNG(t, 1000, 800, 42), nil), 409, "replace the old version again")
	if n := tableRows(t, inst, "screens"); n != 2 {
		t.Fatalf("%d screen rows, want 2", n)
	}
}
