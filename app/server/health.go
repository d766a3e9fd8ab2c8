package server

import (
	"context"
	_ "embed"
	"time"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/config"
	"werkstatt/app/services"
)

// readyz answers 200 only when the database and the object store answer.
func readyz(svc *services.Services) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
		defer cancel()
		if err := svc.Ready(ctx); err != nil {
			c.Set(fiber.HeaderRetryAfter, "5")
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
		}
		return c.JSON(fiber.Map{"status": "ok"})
	}
}

//go:embed openapi.json
var openAPIDoc []byte

// openAPI serves the API description.
func openAPI(cfg config.Config) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Send(openAPIDoc)
	}
}
