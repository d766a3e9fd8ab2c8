package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/apperr"
)

func errForbidden() error { return apperr.New(apperr.Forbidden, "error.forbidden") }

// setRetryAfter tells the client when to try again after a 429 or 503.
func setRetryAfter(c *fiber.Ctx, err error) {
	if ae := apperr.As(err); ae.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(ae.RetryAfter.Seconds())))
	}
}

func errUnauthorized() error { return apperr.New(apperr.Unauthorized, "error.unauthorized") }
