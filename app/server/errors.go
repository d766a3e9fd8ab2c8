package server

import (
	"errors"
	"log/slog"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/apperr"
	"werkstatt/app/handlers"
	"werkstatt/app/i18n"
)

// problem is an RFC 9457 problem document.
type problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail,omitempty"`
	Code   string         `json:"code"`
	Errors []problemField `json:"errors,omitempty"`
}

type problemField struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ErrorPage is the view model of the HTML error pages.
type ErrorPage struct {
	handlers.Page
	Status  int
	Message string
}

// errorHandler is the one place that turns errors into responses: problem
// JSON for the API, a translated page for people. Details of internal
// errors go to the log only.
func errorHandler(h *handlers.Deps, log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		ae := toAppErr(err)
		status := ae.Code.Status()
		if status >= 500 {
			log.Error("request failed", "method", c.Method(), "path", c.Path(), "status", status, "err", err)
		}
		if ae.RetryAfter > 0 {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(ae.RetryAfter.Seconds())))
		} else if ae.Code == apperr.Unavailable {
			c.Set(fiber.HeaderRetryAfter, "5")
		}
		lang := handlers.Lang(c)
		if strings.HasPrefix(c.Path(), "/api/") || !acceptsHTML(c) {
			p := problem{Type: h.Base(c) + "/problems/" + string(ae.Code), Status: status,
				Title: i18n.T(lang, "problem."+string(ae.Code)), Detail: i18n.T(lang, ae.Key, ae.Args...), Code: string(ae.Code)}
			for _, f := range ae.Fields {
				p.Errors = append(p.Errors, problemField{Field: f.Field, Message: i18n.T(lang, f.Key, f.Args...)})
			}
			c.Status(status)
			if err := c.JSON(p); err != nil {
				return err
			}
			c.Set(fiber.HeaderContentType, "application/problem+json")
			return nil
		}
		if ae.Code == apperr.Unauthorized && c.Method() == fiber.MethodGet {
			return c.Redirect("/login?next="+c.OriginalURL(), fiber.StatusSeeOther)
		}
		page := ErrorPage{Page: handlers.Page{Lang: lang, User: handlers.User(c), CSRF: handlers.CSRF(c),
			Path: c.Path(), Title: i18n.T(lang, "problem."+string(ae.Code))}, Status: status,
			Message: i18n.T(lang, ae.Key, ae.Args...)}
		if rerr := h.Views.Render(c, status, "errors/error", page); rerr != nil {
			log.Error("render error page", "err", rerr)
			return c.Status(status).SendString(page.Title)
		}
		return nil
	}
}

// toAppErr also understands Fiber's own errors (unknown method, body too
// large before any handler ran).
func toAppErr(err error) *apperr.Error {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case fiber.StatusRequestEntityTooLarge:
			return apperr.New(apperr.TooLarge, "error.too_large", 20) // what people are told: 20 MB per image
		case fiber.StatusNotFound, fiber.StatusMethodNotAllowed:
			return apperr.New(apperr.NotFound, "error.not_found")
		case fiber.StatusBadRequest, fiber.StatusUnprocessableEntity:
			return apperr.Wrap(err, apperr.Invalid, "error.body")
		case fiber.StatusRequestTimeout:
			return apperr.Wrap(err, apperr.Unavailable, "error.unavailable")
		}
	}
	return apperr.As(err)
}

func acceptsHTML(c *fiber.Ctx) bool {
	a := c.Get(fiber.HeaderAccept)
	return a == "" || strings.Contains(a, "text/html") || strings.Contains(a, "*/*")
}
