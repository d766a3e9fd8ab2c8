package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/config"
	"werkstatt/app/handlers"
)

// csrf protects every form post. The browser holds a random value in an
// HttpOnly cookie; forms carry an HMAC of it under the server's secret. An
// attacker's page can neither read the cookie nor compute the HMAC. Being
// stateless, it works the same across several app instances.
func csrf(secret []byte, cfg config.Config) fiber.Handler {
	sign := func(v string) string {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("csrf:" + v))
		return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	return func(c *fiber.Ctx) error {
		value := c.Cookies(handlers.CSRFCookie)
		if len(value) < 32 {
			value = auth.NewToken()
			c.Cookie(&fiber.Cookie{Name: handlers.CSRFCookie, Value: value, Path: "/", HTTPOnly: true,
				SameSite: fiber.CookieSameSiteLaxMode, Secure: cfg.Secure()})
		}
		want := sign(value)
		handlers.SetCSRF(c, want)
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
			return c.Next()
		}
		got := c.FormValue("_csrf")
		if got == "" {
			got = c.Get("X-CSRF-Token")
		}
		if !hmac.Equal([]byte(got), []byte(want)) {
			return apperr.New(apperr.Forbidden, "error.csrf")
		}
		return c.Next()
	}
}
