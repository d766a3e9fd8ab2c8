package handlers

import (
	"github.com/gofiber/fiber/v2"

	"werkstatt/app/forms"
	"werkstatt/models"
)

type tokenJSON struct {
	Token string   `json:"token"`
	User  userJSON `json:"user"`
}

func (d *Deps) respondToken(c *fiber.Ctx, status int, u *models.User) error {
	token, err := d.Svc.IssueAPIToken(c.UserContext(), u)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(tokenJSON{Token: token, User: toUser(u)})
}

// APIRegister: POST /api/v1/auth/register.
func APIRegister(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var f forms.Register
		if err := parseBody(c, &f); err != nil {
			return err
		}
		u, err := d.Svc.Register(c.UserContext(), f)
		if err != nil {
			return err
		}
		return d.respondToken(c, fiber.StatusCreated, u)
	}
}

// APIToken: POST /api/v1/auth/token.
func APIToken(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var f forms.Login
		if err := parseBody(c, &f); err != nil {
			return err
		}
		u, err := d.Svc.Login(c.UserContext(), f, ClientIP(c))
		if err != nil {
			return err
		}
		return d.respondToken(c, fiber.StatusCreated, u)
	}
}

// APIJoin: POST /api/v1/workshops/:slug/join.
func APIJoin(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var f forms.Join
		if err := parseBody(c, &f); err != nil {
			return err
		}
		u, _, err := d.Svc.JoinAsGuest(c.UserContext(), f, param(c, "slug"), nil)
		if err != nil {
			return err
		}
		return d.respondToken(c, fiber.StatusCreated, u)
	}
}

// APIMe: GET /api/v1/me.
func APIMe(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := User(c)
		if u == nil {
			return errUnauthorized()
		}
		return c.JSON(toUser(u))
	}
}
