// Package handlers holds the thin HTTP actions of Werkstatt, one file per
// resource: parse into a form, call one service, render or redirect. It also
// owns what a request carries (user, language, CSRF token) and the page
// renderer, so the server package only wires them. No GORM here.
package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/config"
	"werkstatt/app/services"
	"werkstatt/models"
)

// Deps are what handlers need.
type Deps struct {
	Svc   *services.Services
	Views *Renderer
	Cfg   config.Config
	// Done ends with the server: long-lived answers (event streams) stop
	// then, so a shutdown does not wait for them.
	Done <-chan struct{}
}

const (
	keyUser = "werkstatt.user"
	keyLang = "werkstatt.lang"
	keyCSRF = "werkstatt.csrf"
)

// Cookie names.
const (
	SessionCookie = "werkstatt_session"
	LangCookie    = "werkstatt_lang"
	CSRFCookie    = "werkstatt_csrf"
	FlashCookie   = "werkstatt_flash"
)

// SetUser records the authenticated user of the request.
func SetUser(c *fiber.Ctx, u *models.User) { c.Locals(keyUser, u) }

// User returns the authenticated user, or nil for a visitor.
func User(c *fiber.Ctx) *models.User {
	u, _ := c.Locals(keyUser).(*models.User)
	return u
}

// Actor describes the requester to the policy.
func Actor(c *fiber.Ctx) auth.Actor { return User(c).Actor() }

// SetLang records the request's language.
func SetLang(c *fiber.Ctx, lang string) { c.Locals(keyLang, lang) }

// Lang returns the request's language.
func Lang(c *fiber.Ctx) string {
	if l, ok := c.Locals(keyLang).(string); ok {
		return l
	}
	return "de"
}

// SetCSRF records the CSRF token that forms of this response must carry.
func SetCSRF(c *fiber.Ctx, token string) { c.Locals(keyCSRF, token) }

// CSRF returns the form token for this response.
func CSRF(c *fiber.Ctx) string {
	t, _ := c.Locals(keyCSRF).(string)
	return t
}

// param copies a route parameter: Fiber's values die with the request.
func param(c *fiber.Ctx, name string) string { return utils.CopyString(c.Params(name)) }

// idParam parses a numeric id from the route; NotFound if it is not one.
func idParam(c *fiber.Ctx, name string) (uint64, error) {
	id, err := strconv.ParseUint(c.Params(name), 10, 64)
	if err != nil || id == 0 {
		return 0, apperr.New(apperr.NotFound, "error.not_found")
	}
	return id, nil
}

// parseBody fills a form from JSON or an HTML form post. A body that cannot
// be read is invalid input, not a server error.
func parseBody(c *fiber.Ctx, out any) error {
	if err := c.BodyParser(out); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "error.body")
	}
	return nil
}

// ClientIP is the address failed logins are counted against.
func ClientIP(c *fiber.Ctx) string { return utils.CopyString(c.IP()) }

// safeNext keeps redirects after login on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
