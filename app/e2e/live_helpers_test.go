package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"werkstatt/app/forms"
	"werkstatt/models"
)

// Helpers of the live-mode browser tests (live_test.go): a moderator's tab,
// a guest through the API, a cookie client for plain HTTP, and a small
// rasteriser that turns the wall's QR code SVG back into a picture.

// idea posts an idea as the moderator.
func (f *fixture) idea(t *testing.T, title string) *models.Idea {
	t.Helper()
	idea, err := f.inst.Svc.PostIdea(t.Context(), f.mod.Actor(), f.ws.Slug, forms.Idea{Title: title})
	if err != nil {
		t.Fatalf("post idea %q: %v", title, err)
	}
	return idea
}

// moderatorTab logs the moderator in, in a tab of the given size.
func (f *fixture) moderatorTab(t *testing.T, b *browser, w, h int64) *tab {
	t.Helper()
	mod := b.newTab(t, f.inst, "moderator")
	mod.viewport(w, h)
	mod.open("/login", http.StatusOK)
	mod.typeInto("#login-email", f.modEmail)
	mod.typeInto("#login-password", f.modPassword)
	mod.click(`form:has(#login-email) [type=submit]`)
	mod.waitFor("the moderator to be logged in", `document.readyState === 'complete' && location.pathname !== '/login'`)
	return mod
}

// viewport sets the size of the tab's page, as a device of that size would.
func (tb *tab) viewport(w, h int64) {
	tb.t.Helper()
	tb.do(fmt.Sprintf("viewport %dx%d", w, h), chromedp.EmulateViewport(w, h))
}

// apiJoin joins the workshop as a guest through the API; it returns the token.
func (f *fixture) apiJoin(t *testing.T, name string) string {
	t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	body := f.api(t, "", http.MethodPost, "/api/v1/workshops/"+f.ws.Slug+"/join", map[string]string{"code": f.ws.JoinCode, "display_name": name}, http.StatusCreated)
	if err := json.Unmarshal(body, &out); err != nil || out.Token == "" {
		t.Fatalf("join through the API: %v %s", err, body)
	}
	return out.Token
}

// api sends a JSON request and checks the status.
func (f *fixture) api(t *testing.T, token, method, path string, in any, want int) []byte {
	t.Helper()
	var body io.Reader
	if in != nil {
		raw, _ := json.Marshal(in)
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, f.inst.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, out)
	}
	return out
}

// client is a browser-like HTTP client: cookies, no redirects followed.
func (f *fixture) client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type response struct {
	*http.Response
	body []byte
}

func get(t *testing.T, c *http.Client, u string) response {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	req.Header.Set("Accept", "text/html")
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{res, body}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// form posts an HTML form the way a browser would: first the page for its
// CSRF token, then the post; it expects the redirect that follows success.
func form(t *testing.T, c *http.Client, u string, v url.Values) {
	t.Helper()
	page := get(t, c, u)
	m := csrfField.FindSubmatch(page.body)
	if m == nil {
		t.Fatalf("GET %s: no CSRF token in the page", u)
	}
	v.Set("_csrf", string(m[1]))
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, u, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST %s: status %d, want 303", u, res.StatusCode)
	}
}

var (
	svgViewBox = regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	svgPath    = regexp.MustCompile(` d="([^"]+)"`)
	svgToken   = regexp.MustCompile(`[MLHVZmlhvz]|-?\d+(?:\.\d+)?`)
)

// rasterSVG draws the QR code's SVG (one path of straight lines in module
// units, filled even-odd) as a picture with 8 pixels per module.
func rasterSVG(svg []byte) (image.Image, error) {
	vb := svgViewBox.FindSubmatch(svg)
	p := svgPath.FindSubmatch(svg)
	if vb == nil || p == nil {
		return nil, fmt.Errorf("no viewBox or path")
	}
	size, _ := strconv.Atoi(string(vb[1]))
	type edge struct{ x, y1, y2 float64 }
	var edges []edge
	var x, y, sx, sy float64
	var cmd string
	toks := svgToken.FindAllString(string(p[1]), -1)
	num := func(i *int) float64 { *i++; v, _ := strconv.ParseFloat(toks[*i], 64); return v }
	for i := 0; i < len(toks); i++ {
		if strings.ContainsAny(toks[i], "MLHVZmlhvz") {
			cmd = toks[i]
			if cmd == "Z" || cmd == "z" {
				if x == sx {
					edges = append(edges, edge{x, min(y, sy), max(y, sy)})
				}
				x, y = sx, sy
			}
			continue
		}
		i-- // a number repeats the last command
		nx, ny := x, y
		switch cmd {
		case "M":
			nx, ny = num(&i), num(&i)
			x, y, sx, sy = nx, ny, nx, ny
			cmd = "L"
			continue
		case "L":
			nx, ny = num(&i), num(&i)
		case "H":
			nx = num(&i)
		case "V":
			ny = num(&i)
		default:
			return nil, fmt.Errorf("path command %q not handled", cmd)
		}
		if nx == x && ny != y {
			edges = append(edges, edge{x, min(y, ny), max(y, ny)})
		}
		x, y = nx, ny
	}
	const scale = 8
	img := image.NewGray(image.Rect(0, 0, size*scale, size*scale))
	for my := 0; my < size; my++ {
		for mx := 0; mx < size; mx++ {
			cx, cy := float64(mx)+0.5, float64(my)+0.5
			inside := false
			for _, e := range edges {
				if e.x < cx && e.y1 < cy && cy < e.y2 {
					inside = !inside
				}
			}
			c := color.Gray{Y: 255}
			if inside {
				c = color.Gray{Y: 0}
			}
			for py := 0; py < scale; py++ {
				for px := 0; px < scale; px++ {
					img.SetGray(mx*scale+px, my*scale+py, c)
				}
			}
		}
	}
	return img, nil
}
