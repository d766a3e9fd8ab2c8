package app_test

// Black-box tests of prototypes, screen uploads and screen images as
// issue 3 lists them. Each test starts a whole server: SQLite or PostgreSQL
// (TEST_DATABASE_URL), and the local uploads folder or a fresh bucket on a
// real S3 server (TEST_S3_*), so the upload tests run on both stores.

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"werkstatt/app"
	"werkstatt/app/auth"
)

// screenOut is a screen as the API returns it.
type screenOut struct {
	ID           uint64  `json:"id"`
	Title        string  `json:"title"`
	Alt          string  `json:"alt"`
	Width        int     `json:"width"`
	Height       int     `json:"height"`
	Version      int     `json:"version"`
	ReplacesID   *uint64 `json:"replaces_id"`
	ReplacedByID *uint64 `json:"replaced_by_id"`
	ImageURL     string  `json:"image_url"`
	ThumbnailURL string  `json:"thumbnail_url"`
}

// prototypeOut is a prototype as the API returns it.
type prototypeOut struct {
	ID      uint64      `json:"id"`
	Title   string      `json:"title"`
	Screens []screenOut `json:"screens"`
}

// newPrototype creates a prototype through the API.
func newPrototype(t testing.TB, inst *app.Instance, token, slug, title string) prototypeOut {
	t.Helper()
	r := call(t, inst, "POST", "/api/v1/workshops/"+slug+"/prototypes", token,
		map[string]any{"title": title, "description": "Ein **Klickdummy**."})
	want(t, r, 201, "create prototype")
	var p prototypeOut
	r.Decode(t, &p)
	return p
}

// getPrototype reads a prototype through the API.
func getPrototype(t testing.TB, inst *app.Instance, token string, id uint64) prototypeOut {
	t.Helper()
	r := call(t, inst, "GET", fmt.Sprintf("/api/v1/prototypes/%d", id), token, nil)
	want(t, r, 200, "get prototype")
	var p prototypeOut
	r.Decode(t, &p)
	return p
}

// postFile sends data as the multipart field "file" (named filename) with
// the given extra fields.
func postFile(t testing.TB, inst *app.Instance, path, token, filename string, data []byte, fields map[string]string) reply {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return callHeaders(t, inst, "POST", path, token, buf.Bytes(), map[string]string{"Content-Type": mw.FormDataContentType()})
}

// uploadScreen uploads an image to a prototype and expects 201.
func uploadScreen(t testing.TB, inst *app.Instance, token string, prototypeID uint64, title string, data []byte) screenOut {
	t.Helper()
	r := postFile(t, inst, fmt.Sprintf("/api/v1/prototypes/%d/screens", prototypeID), token, "screen.png", data,
		map[string]string{"title": title, "alt": "Bildschirm " + title})
	want(t, r, 201, "upload screen "+title)
	var s screenOut
	r.Decode(t, &s)
	return s
}

// testPNG is a w×h PNG whose pixels depend on seed, so different seeds give
// different content hashes.
func testPNG(t testing.TB, w, h int, seed uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x*255/w), uint8(y*255/h), seed+uint8((x/8+y/8)%2*100), 255
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const gpsMarker = "WERKSTATT-TEST-GPS-52.5163N-13.3777E"

// jpegWithGPS is a w×h JPEG with an APP1 Exif segment right after SOI: a
// little-endian TIFF whose IFD0 holds the orientation (1) and a pointer to
// a GPS IFD with GPSLatitudeRef "N" and a GPSMapDatum string gpsMarker.
func jpegWithGPS(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	entry := func(b []byte, tag, typ uint16, count, value uint32) []byte {
		b = le.AppendUint16(b, tag)
		b = le.AppendUint16(b, typ)
		b = le.AppendUint32(b, count)
		return le.AppendUint32(b, value)
	}
	datum := gpsMarker + "\x00"
	// Layout: header (8) | IFD0 at 8: 2 entries (2+24+4 = 30) | GPS IFD at
	// 38: 2 entries (30) | datum string at 68.
	tiff := []byte("II*\x00")
	tiff = le.AppendUint32(tiff, 8)
	tiff = le.AppendUint16(tiff, 2)
	tiff = entry(tiff, 0x0112, 3, 1, 1)  // Orientation SHORT 1
	tiff = entry(tiff, 0x8825, 4, 1, 38) // GPSInfo IFD pointer
	tiff = le.AppendUint32(tiff, 0)
	tiff = le.AppendUint16(tiff, 2)
	tiff = entry(tiff, 0x0001, 2, 2, uint32('N')) // GPSLatitudeRef "N\0", inline
	tiff = entry(tiff, 0x0012, 2, uint32(len(datum)), 68)
	tiff = le.AppendUint32(tiff, 0)
	tiff = append(tiff, datum...)
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	seg = append(seg, payload...)
	jpg := enc.Bytes()
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// pngHeaderOnly is a PNG signature and a valid IHDR chunk claiming w×h
// pixels, followed by a few bytes and no image data.
func pngHeaderOnly(w, h uint32) []byte {
	ihdr := []byte("IHDR")
	ihdr = binary.BigEndian.AppendUint32(ihdr, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8 bit RGBA, deflate, no filter, no interlace
	out := []byte("\x89PNG\r\n\x1a\n")
	out = binary.BigEndian.AppendUint32(out, 13)
	out = append(out, ihdr...)
	out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(ihdr))
	return append(out, make([]byte, 64)...)
}

// storedKeys lists the screen objects in the instance's store (the local
// folder or the test bucket), the same store the app writes to.
func storedKeys(t testing.TB, inst *app.Instance) []string {
	t.Helper()
	infos, err := inst.Svc.Store.List(context.Background(), "screens/")
	if err != nil {
		t.Fatalf("list store: %v", err)
	}
	keys := make([]string, len(infos))
	for i, info := range infos {
		keys[i] = info.Key
	}
	return keys
}

// tableRows counts the rows of a table.
func tableRows(t testing.TB, inst *app.Instance, table string) int64 {
	t.Helper()
	var n int64
	if err := inst.DB.Table(table).Count(&n).Error; err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// followClient follows redirects, as a browser fetching image_url does
// (with S3, the app may answer with a presigned URL elsewhere).
var followClient = &http.Client{Timeout: 60 * time.Second}

// fetch GETs url following redirects, with a bearer token if given.
func fetch(t testing.TB, url, token string, headers map[string]string) reply {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := followClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read: %v", url, err)
	}
	t.Cleanup(followClient.CloseIdleConnections)
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

func TestAPIPrototypeCreateAndRead(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Prototypen", "open")
	participant, _ := joinGuest(t, inst, w, "Gast Petra")
	path := "/api/v1/workshops/" + w.Slug + "/prototypes"

	r := call(t, inst, "POST", path, mod, map[string]any{"title": "Bürgerservice-App", "description": "Termine **online**"})
	want(t, r, 201, "moderator creates prototype")
	m := r.JSON(t)
	id, _ := m["id"].(float64)
	if id <= 0 || m["title"] != "Bürgerservice-App" {
		t.Fatalf("created prototype: want {id, title: Bürgerservice-App, …}: %s", r)
	}

	wantProblem(t, call(t, inst, "POST", path, participant, map[string]any{"title": "Nicht erlaubt"}), 403, "participant creates prototype")
	wantProblem(t, call(t, inst, "POST", path, "", map[string]any{"title": "Nicht erlaubt"}), 401, "visitor creates prototype")
	p := wantProblem(t, call(t, inst, "POST", path, mod, map[string]any{"title": ""}), 422, "prototype without title")
	if p.fields()["title"] == "" {
		t.Errorf("422 does not name the title: %+v", p)
	}
	if n := tableRows(t, inst, "prototypes"); n != 1 {
		t.Fatalf("refused requests stored prototypes: %d rows, want 1", n)
	}

	proto := getPrototype(t, inst, "", uint64(id))
	if proto.ID != uint64(id) || proto.Title != "Bürgerservice-App" || proto.Screens == nil || len(proto.Screens) != 0 {
		t.Fatalf("GET prototype: want id, title and an empty screens list: %+v", proto)
	}
	s := uploadScreen(t, inst, mod, proto.ID, "Startseite", testPNG(t, 800, 600, 1))
	r = call(t, inst, "GET", fmt.Sprintf("/api/v1/prototypes/%d", proto.ID), participant, nil)
	want(t, r, 200, "get prototype with a screen")
	var raw struct {
		ID      uint64           `json:"id"`
		Title   string           `json:"title"`
		Screens []map[string]any `json:"screens"`
	}
	r.Decode(t, &raw)
	if len(raw.Screens) != 1 {
		t.Fatalf("prototype lists %d screens, want 1: %s", len(raw.Screens), r)
	}
	for _, k := range []string{"id", "title", "width", "height", "image_url", "thumbnail_url"} {
		if _, ok := raw.Screens[0][k]; !ok {
			t.Errorf("screen in prototype lacks %q: %s", k, r)
		}
	}
	got := getPrototype(t, inst, participant, proto.ID).Screens[0]
	if got.ID != s.ID || got.Title != "Startseite" || got.Width != 800 || got.Height != 600 ||
		got.ImageURL != s.ImageURL || got.ThumbnailURL != s.ThumbnailURL {
		t.Errorf("screen in prototype %+v does not match the upload %+v", got, s)
	}
	wantProblem(t, call(t, inst, "GET", "/api/v1/prototypes/999999", mod, nil), 404, "unknown prototype")
}

func TestAPIScreenUploadAndImage(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Bilder", "open")
	guest, _ := joinGuest(t, inst, w, "Gast Gerd")
	proto := newPrototype(t, inst, mod, w.Slug, "App")
	path := fmt.Sprintf("/api/v1/prototypes/%d/screens", proto.ID)

	wantProblem(t, postFile(t, inst, path, guest, "a.png", testPNG(t, 40, 30, 9), nil), 403, "participant uploads")
	wantProblem(t, postFile(t, inst, path, "", "a.png", testPNG(t, 40, 30, 9), nil), 401, "visitor uploads")

	upload := jpegWithGPS(t, 2400, 1200)
	if !bytes.Contains(upload, []byte(gpsMarker)) || !bytes.Contains(upload, []byte("Exif\x00\x00")) {
		t.Fatal("test image lacks its Exif segment")
	}
	r := postFile(t, inst, path, mod, "foto.jpg", upload, map[string]string{"title": "Karte", "alt": "Stadtplan mit Standort"})
	want(t, r, 201, "upload JPEG")
	m := r.JSON(t)
	for _, k := range []string{"id", "width", "height", "image_url", "thumbnail_url"} {
		if m[k] == nil || m[k] == "" || m[k] == float64(0) {
			t.Errorf("upload answer lacks %q: %s", k, r)
		}
	}
	var s screenOut
	r.Decode(t, &s)
	if s.Width != 2400 || s.Height != 1200 || s.Title != "Karte" || s.Alt != "Stadtplan mit Standort" {
		t.Fatalf("uploaded screen: %+v", s)
	}
	if n := tableRows(t, inst, "screens"); n != 1 {
		t.Fatalf("%d screen rows, want 1", n)
	}

	for _, v := range []struct {
		name, url string
		maxWidth  int
	}{
		{"original", s.ImageURL, 2400},
		{"display", strings.Replace(s.ImageURL, "/original", "/display", 1), 1600},
		{"thumbnail", s.ThumbnailURL, 400},
	} {
		img := fetch(t, v.url, guest, nil)
		want(t, img, 200, "GET "+v.name)
		if bytes.Contains(img.Body, []byte(gpsMarker)) || bytes.Contains(img.Body, []byte("Exif")) {
			t.Errorf("%s still carries the Exif segment or the GPS marker", v.name)
		}
		if bytes.Equal(img.Body, upload) {
			t.Errorf("%s is the upload itself, not re-encoded", v.name)
		}
		ct := img.Header.Get("Content-Type")
		if ct != "image/jpeg" && ct != "image/png" {
			t.Errorf("%s: Content-Type %q", v.name, ct)
		}
		if sniffed := http.DetectContentType(img.Body); sniffed != ct {
			t.Errorf("%s: served as %q but the bytes are %q", v.name, ct, sniffed)
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(img.Body))
		if err != nil {
			t.Fatalf("%s does not decode: %v", v.name, err)
		}
		if cfg.Width != v.maxWidth || cfg.Height != 1200*v.maxWidth/2400 {
			t.Errorf("%s is %dx%d, want %dx%d", v.name, cfg.Width, cfg.Height, v.maxWidth, 1200*v.maxWidth/2400)
		}
		etag := img.Header.Get("ETag")
		if len(etag) < 10 || !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) {
			t.Errorf("%s: ETag %q, want a quoted strong tag", v.name, etag)
		}
		if cc := img.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("%s: Cache-Control %q, want long and immutable", v.name, cc)
		}
		if img.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", v.name, img.Header.Get("X-Content-Type-Options"))
		}
		again := fetch(t, v.url, guest, map[string]string{"If-None-Match": etag})
		if again.Status != 304 || len(again.Body) != 0 {
			t.Errorf("%s with If-None-Match: %d and %d bytes, want 304 and none", v.name, again.Status, len(again.Body))
		}
		if other := fetch(t, v.url, guest, map[string]string{"If-None-Match": `"anders"`}); other.Status != 200 || !bytes.Equal(other.Body, img.Body) {
			t.Errorf("%s with another ETag: %d, want 200 and the image", v.name, other.Status)
		}
	}
	// A public workshop's images are for everyone, bearer or not.
	want(t, fetch(t, s.ThumbnailURL, "", nil), 200, "visitor GET thumbnail of an open workshop")
	want(t, fetch(t, strings.Replace(s.ImageURL, "/original", "/gross", 1), mod, nil), 404, "unknown variant")
}

func TestAPIScreenUploadRefusedStoresNothing(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Abgelehnt", "open")
	proto := newPrototype(t, inst, mod, w.Slug, "App")
	path := fmt.Sprintf("/api/v1/prototypes/%d/screens", proto.ID)

	good := testPNG(t, 300, 200, 3)
	truncated := good[:len(good)/2]
	tooLarge := append(append([]byte{}, good...), make([]byte, 21_000_000-len(good))...)
	cases := []struct {
		name     string
		filename string
		data     []byte
		status   int
	}{
		{"text file named .png", "x.png", []byte("Das ist kein Bild, nur Text.\n"), 422},
		{"HTML named .jpg", "x.jpg", []byte("<!doctype html><script>alert(1)</script>"), 422},
		{"empty file", "x.png", nil, 422},
		{"truncated PNG", "x.png", truncated, 422},
		{"header claims 20000x20000", "bomb.png", pngHeaderOnly(20000, 20000), 422},
		{"21,000,000 bytes", "big.png", tooLarge, 413},
	}
	for _, c := range cases {
		r := postFile(t, inst, path, mod, c.filename, c.data, map[string]string{"title": c.name})
		p := wantProblem(t, r, c.status, c.name)
		if c.status == 422 && p.fields()["file"] == "" {
			t.Errorf("%s: the problem names no file field: %s", c.name, r)
		}
		if n := tableRows(t, inst, "screens"); n != 0 {
			t.Fatalf("%s: %d screen rows stored", c.name, n)
		}
		if keys := storedKeys(t, inst); len(keys) != 0 {
			t.Fatalf("%s: objects left in the store: %v", c.name, keys)
		}
	}
	// No file at all.
	r := callHeaders(t, inst, "POST", path, mod, "title=nichts", map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	wantProblem(t, r, 422, "no file")
	if n := len(getPrototype(t, inst, mod, proto.ID).Screens); n != 0 {
		t.Fatalf("refused uploads appear in the prototype: %d screens", n)
	}
	// The same prototype still takes a good image afterwards.
	uploadScreen(t, inst, mod, proto.ID, "gut", good)
	if n := len(storedKeys(t, inst)); n == 0 {
		t.Fatal("a good upload stored no objects")
	}
}

func TestAPIScreenSameImageStoredOnce(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Doppelt", "open")
	proto := newPrototype(t, inst, mod, w.Slug, "App")
	other := newPrototype(t, inst, mod, w.Slug, "Andere App")

	t.Logf("object store: %s", inst.Svc.Store.Name())
	img := testPNG(t, 2000, 500, 7) // three distinct variants
	a := uploadScreen(t, inst, mod, proto.ID, "eins", img)
	first := storedKeys(t, inst)
	if len(first) != 3 {
		t.Fatalf("one upload stored %d objects, want 3 (original, display, thumbnail): %v", len(first), first)
	}
	b := uploadScreen(t, inst, mod, proto.ID, "zwei", img)
	c := uploadScreen(t, inst, mod, other.ID, "drei", img)
	if a.ID == b.ID || b.ID == c.ID {
		t.Fatalf("uploads share a screen id: %d, %d, %d", a.ID, b.ID, c.ID)
	}
	if n := len(getPrototype(t, inst, mod, proto.ID).Screens); n != 2 {
		t.Fatalf("prototype lists %d screens, want 2", n)
	}
	if keys := storedKeys(t, inst); strings.Join(keys, ",") != strings.Join(first, ",") {
		t.Fatalf("the same image uploaded three times: objects %v, want %v", keys, first)
	}
	for _, s := range []screenOut{a, b, c} {
		want(t, fetch(t, s.ImageURL, mod, nil), 200, fmt.Sprintf("image of screen %d", s.ID))
	}
	uploadScreen(t, inst, mod, proto.ID, "vier", testPNG(t, 2000, 500, 8))
	if n := len(storedKeys(t, inst)); n != 6 {
		t.Fatalf("a different image: %d objects, want 6", n)
	}
}

func TestAPIScreenImagesOfDraftWorkshop(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	otherMod, _ := staffToken(t, inst, auth.RoleModerator)
	r := call(t, inst, "POST", "/api/v1/auth/register", "", map[string]any{"email": "pia@example.org", "name": "Pia", "password": "pias-passwort-lang"})
	want(t, r, 201, "register participant")
	participant := r.JSON(t)["token"].(string)

	w := newWorkshop(t, inst, mod, "Entwurf", "draft")
	proto := newPrototype(t, inst, mod, w.Slug, "Geheim")
	s := uploadScreen(t, inst, mod, proto.ID, "Entwurf", testPNG(t, 640, 480, 5))

	for _, u := range []string{s.ImageURL, s.ThumbnailURL} {
		want(t, fetch(t, u, "", nil), 404, "visitor GET image of a draft")
		want(t, fetch(t, u, participant, nil), 404, "participant GET image of a draft")
		img := fetch(t, u, mod, nil)
		want(t, img, 200, "moderator GET image of a draft")
		if cc := img.Header.Get("Cache-Control"); strings.Contains(cc, "public") {
			t.Errorf("image of a draft is cacheable by shared caches: %q", cc)
		}
		want(t, fetch(t, u, otherMod, nil), 200, "another moderator GET image of a draft")
	}
	wantProblem(t, call(t, inst, "GET", fmt.Sprintf("/api/v1/prototypes/%d", proto.ID), "", nil), 404, "visitor GET prototype of a draft")
	wantProblem(t, call(t, inst, "GET", fmt.Sprintf("/api/v1/screens/%d", s.ID), participant, nil), 404, "participant GET screen of a draft")

	setPhase(t, inst, mod, w.Slug, "open")
	img := fetch(t, s.ImageURL, "", nil)
	want(t, img, 200, "visitor GET image once the workshop is open")
	if cc := img.Header.Get("Cache-Control"); !strings.Contains(cc, "public") {
		t.Errorf("image of an open workshop: Cache-Control %q, want public", cc)
	}
}
