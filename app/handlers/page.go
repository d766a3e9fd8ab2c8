package handlers

import (
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/i18n"
	"werkstatt/models"
)

// Page is what every page's view model carries for the layout.
type Page struct {
	Lang    string
	Title   string
	User    *models.User
	CSRF    string
	Path    string // current path without query, for the language switch and login
	Query   url.Values
	Flash   string
	Errors  FormErrors
	Summary []string // error messages for the summary at the top of a form
}

// FormErrors maps a field name to its translated message.
type FormErrors map[string]string

// T translates key into the page's language.
func (p Page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// N translates a counted message.
func (p Page) N(key string, n int64) string { return i18n.N(p.Lang, key, n) }

// Languages lists the languages offered in the header.
func (p Page) Languages() []string { return i18n.Languages }

// LangURL is the current page in another language.
func (p Page) LangURL(lang string) string {
	q := url.Values{}
	for k, v := range p.Query {
		q[k] = v
	}
	q.Set("lang", lang)
	return p.Path + "?" + q.Encode()
}

// Staff reports whether the viewer runs workshops.
func (p Page) Staff() bool { return p.User.Actor().Staff() }

// Admin reports whether the viewer is an admin.
func (p Page) Admin() bool { return auth.ManageUsers(p.User.Actor()).Ok() }

// LoginURL leads to the login form and back here afterwards.
func (p Page) LoginURL() string { return "/login?next=" + url.QueryEscape(p.Path) }

// newPage fills the layout's part of a view model.
func (d *Deps) newPage(c *fiber.Ctx, titleKey string, args ...any) Page {
	lang := Lang(c)
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	delete(q, "lang")
	p := Page{Lang: lang, User: User(c), CSRF: CSRF(c), Path: string([]byte(c.Path())), Query: q}
	if titleKey != "" {
		p.Title = i18n.T(lang, titleKey, args...)
	}
	if key := c.Cookies(FlashCookie); key != "" && i18n.Has(lang, key) {
		p.Flash = i18n.T(lang, key)
		d.clearFlash(c)
	}
	return p
}

// withErrors fills p's errors from err; it returns false when err is not a
// field validation error, so the caller passes err on to the error handler.
func (p *Page) withErrors(err error) bool {
	var ae *apperr.Error
	if !errors.As(err, &ae) || len(ae.Fields) == 0 {
		return false
	}
	p.Errors = FormErrors{}
	for _, f := range ae.Fields {
		msg := i18n.T(p.Lang, f.Key, f.Args...)
		if _, dup := p.Errors[f.Field]; !dup {
			p.Errors[f.Field] = msg
			p.Summary = append(p.Summary, msg)
		}
	}
	return true
}

// flash sets a one-time message (a catalogue key) for the next page.
func (d *Deps) flash(c *fiber.Ctx, key string) {
	c.Cookie(&fiber.Cookie{Name: FlashCookie, Value: key, Path: "/", HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: d.Cfg.Secure(), MaxAge: 60})
}

// clearFlash removes the one-time message. Fiber's ClearCookie sends no
// Path, so the browser would keep the cookie set for "/" on deeper pages.
func (d *Deps) clearFlash(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: FlashCookie, Value: "", Path: "/", HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: d.Cfg.Secure(), MaxAge: -1})
}

// redirect answers a successful form post (POST-redirect-GET).
func redirect(c *fiber.Ctx, to string) error { return c.Redirect(to, fiber.StatusSeeOther) }

// withMessage shows a non-field error (wrong password, too many tries,
// closed workshop) at the top of a form; false for internal errors, which
// go to the error handler instead.
func (p *Page) withMessage(err error) bool {
	ae := apperr.As(err)
	switch ae.Code {
	case apperr.Internal, apperr.Unavailable, apperr.NotFound:
		return false
	}
	p.Summary = append(p.Summary, i18n.T(p.Lang, ae.Key, ae.Args...))
	return true
}

// statusOf is the HTTP status of a service error.
func statusOf(err error) int { return apperr.As(err).Code.Status() }
