package server

import (
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"werkstatt/app/apperr"
	"werkstatt/app/config"
	"werkstatt/app/handlers"
	"werkstatt/app/i18n"
)

// recoverer turns a panic into a 500 and logs the stack, never shows it.
func recoverer(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) (err error) {
		defer func() {
			if r := recover(); r != nil {
				log.Error("panic", "path", c.Path(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = apperr.Wrap(fmt.Errorf("panic: %v", r), apperr.Internal, "error.internal")
			}
		}()
		return c.Next()
	}
}

// securityHeaders sets what every response should carry.
func securityHeaders(cfg config.Config) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set("X-Content-Type-Options", "nosniff")
		c.Set("Referrer-Policy", "same-origin")
		c.Set("X-Frame-Options", "DENY")
		c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		c.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "+
			"img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
		if cfg.Secure() {
			c.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		return c.Next()
	}
}

// requestLog logs every request after it is answered.
func requestLog(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		status := c.Response().StatusCode()
		if err != nil {
			status = apperr.As(err).Code.Status()
			if fe, ok := err.(*fiber.Error); ok {
				status = fe.Code
			}
		}
		log.Debug("request", "method", c.Method(), "path", c.Path(), "status", status, "duration", time.Since(start))
		return err
	}
}

// limitBody refuses bodies larger than n with 413 (uploads use a larger limit).
func limitBody(n int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if len(c.Request().Body()) > n {
			return apperr.New(apperr.TooLarge, "error.too_large", n>>20)
		}
		return c.Next()
	}
}

// language picks the language: ?lang= (remembered in a cookie), the cookie,
// then Accept-Language.
func language() fiber.Handler {
	return func(c *fiber.Ctx) error {
		explicit := c.Query("lang")
		lang := i18n.Pick(explicit, c.Cookies(handlers.LangCookie), c.Get(fiber.HeaderAcceptLanguage))
		if i18n.Supported(explicit) {
			c.Cookie(&fiber.Cookie{Name: handlers.LangCookie, Value: explicit, Path: "/",
				MaxAge: 365 * 24 * 3600, SameSite: fiber.CookieSameSiteLaxMode})
		}
		handlers.SetLang(c, lang)
		c.Set(fiber.HeaderContentLanguage, lang)
		c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
		return c.Next()
	}
}

// sessionAuth finds the user of the session cookie.
func sessionAuth(h *handlers.Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u, err := h.Svc.SessionUser(c.UserContext(), c.Cookies(handlers.SessionCookie))
		if err != nil {
			return err
		}
		handlers.SetUser(c, u)
		return c.Next()
	}
}

// bearerAuth finds the user of an API token. A request without one is a
// visitor; a request with a wrong one is refused.
func bearerAuth(h *handlers.Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		handlers.SetLang(c, i18n.Pick("", "", c.Get(fiber.HeaderAcceptLanguage)))
		authz := c.Get(fiber.HeaderAuthorization)
		if authz == "" {
			return c.Next()
		}
		token, ok := strings.CutPrefix(authz, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			return apperr.New(apperr.Unauthorized, "error.token_invalid")
		}
		u, err := h.Svc.TokenUser(c.UserContext(), utils.CopyString(strings.TrimSpace(token)))
		if err != nil {
			return err
		}
		handlers.SetUser(c, u)
		return c.Next()
	}
}

// eitherAuth accepts a bearer token when one is sent, else the session
// cookie: images are fetched by pages and by API clients alike.
func eitherAuth(h *handlers.Deps) fiber.Handler {
	bearer, session := bearerAuth(h), sessionAuth(h)
	return func(c *fiber.Ctx) error {
		if c.Get(fiber.HeaderAuthorization) != "" {
			return bearer(c)
		}
		return session(c)
	}
}

func healthz(c *fiber.Ctx) error { return c.SendString("ok") }

// staticCache lets browsers keep versioned assets for a year.
func staticCache(c *fiber.Ctx) error {
	if c.Query("v") != "" {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	}
	return c.Next()
}

func httpFS(fsys fs.FS) http.FileSystem { return http.FS(fsys) }

func apiNotFound(c *fiber.Ctx) error { return apperr.New(apperr.NotFound, "error.not_found") }

func notFound(c *fiber.Ctx) error { return apperr.New(apperr.NotFound, "error.not_found") }
