package handlers

import "github.com/gofiber/fiber/v2"

// base is the absolute address links in answers start with: the configured
// base URL, or, when none is configured, the scheme and host the client
// used, so a server started on another port still hands out working links.
func (d *Deps) base(c *fiber.Ctx) string { return d.Base(c) }

// Base is base for other packages (the error handler).
func (d *Deps) Base(c *fiber.Ctx) string {
	if d.Cfg.BaseURLSet {
		return d.Cfg.BaseURL
	}
	return c.Protocol() + "://" + c.Hostname()
}
