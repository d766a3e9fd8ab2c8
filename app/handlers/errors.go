package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
)

func errForbidden() error { return apperr.New(apperr.Forbidden, "error.forbidden") }

// setRetryAfter tells the client when to try again after a 429 or 503.
func setRetryAfter(c *fiber.Ctx, err error) {
	if ae := apperr.As(err); ae.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(ae.RetryAfter.Seconds())))
	}
}

func errUnauthorized() error { return apperr.New(apperr.Unauthorized, "error.unauthorized") }

// allow turns a policy verdict into the error a page answers with: a
// visitor is sent to log in, a known person is refused.
func allow(v auth.Verdict) error {
	switch v {
	case auth.Allowed:
		return nil
	case auth.NeedsLogin:
		return errUnauthorized()
	case auth.NotVisible:
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	return errForbidden()
}
