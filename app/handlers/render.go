package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/i18n"
	"werkstatt/app/markdown"
	"werkstatt/app/services"
)

// Renderer holds the parsed templates: each page is parsed together with
// the layouts and partials, once, at start.
type Renderer struct {
	pages map[string]*template.Template
	asset func(string) string
}

// Pair passes the page and one item to a sub-template.
type Pair struct{ Page, Item any }

// NewRenderer parses every page in fsys. asset maps a static file name to
// its versioned URL.
func NewRenderer(fsys fs.FS, asset func(string) string) (*Renderer, error) {
	funcs := template.FuncMap{
		"markdown":   markdown.Render,
		"asset":      asset,
		"date":       formatDate,
		"datetime":   formatDateTime,
		"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"add":        func(a, b int) int { return a + b },
		"join":       strings.Join,
		"nextPhases": services.NextPhases,
		"pair":       func(page, item any) Pair { return Pair{Page: page, Item: item} },
	}
	shared, err := fs.Glob(fsys, "layouts/*.html")
	if err != nil {
		return nil, err
	}
	partials, err := fs.Glob(fsys, "partials/*.html")
	if err != nil {
		return nil, err
	}
	base, err := template.New("").Funcs(funcs).ParseFS(fsys, append(shared, partials...)...)
	if err != nil {
		return nil, fmt.Errorf("parse layouts: %w", err)
	}
	r := &Renderer{pages: map[string]*template.Template{}, asset: asset}
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".html" {
			return err
		}
		dir := path.Dir(p)
		if dir == "layouts" || dir == "partials" {
			return nil
		}
		t, err := template.Must(base.Clone()).ParseFS(fsys, p)
		if err != nil {
			return fmt.Errorf("parse %s: %w", p, err)
		}
		r.pages[strings.TrimSuffix(p, ".html")] = t
		return nil
	})
	return r, err
}

// Render writes page name ("workshops/show") with data inside the layout.
func (r *Renderer) Render(c *fiber.Ctx, status int, name string, data any) error {
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("render: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}

// Has reports whether a page exists.
func (r *Renderer) Has(name string) bool { _, ok := r.pages[name]; return ok }

var berlin = loadBerlin()

func loadBerlin() *time.Location {
	if loc, err := time.LoadLocation("Europe/Berlin"); err == nil {
		return loc
	}
	return time.UTC
}

func formatDate(lang string, t time.Time) string {
	t = t.In(berlin)
	if lang == "de" {
		return fmt.Sprintf("%d. %s %d", t.Day(), i18n.T(lang, "month."+fmt.Sprint(int(t.Month()))), t.Year())
	}
	return fmt.Sprintf("%s %d, %d", i18n.T(lang, "month."+fmt.Sprint(int(t.Month()))), t.Day(), t.Year())
}

func formatDateTime(lang string, t time.Time) string {
	return formatDate(lang, t) + ", " + t.In(berlin).Format("15:04")
}
