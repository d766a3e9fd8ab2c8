package handlers

import (
	"github.com/gofiber/fiber/v2"

	"werkstatt/app/forms"
	"werkstatt/app/services"
)

type adminUserJSON struct {
	userJSON
	Email string `json:"email"`
}

// APIUsers: GET /api/v1/admin/users.
func APIUsers(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		us, err := d.Svc.ListUsers(c.UserContext(), Actor(c))
		if err != nil {
			return err
		}
		out := list[adminUserJSON]{Items: make([]adminUserJSON, len(us))}
		for i := range us {
			out.Items[i] = adminUserJSON{userJSON: toUser(&us[i]), Email: services.DisplayEmail(&us[i])}
		}
		return c.JSON(out)
	}
}

// APIChangeRole: PATCH /api/v1/admin/users/:id {role}.
func APIChangeRole(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var f forms.Role
		if err := parseBody(c, &f); err != nil {
			return err
		}
		u, err := d.Svc.ChangeRole(c.UserContext(), Actor(c), id, f)
		if err != nil {
			return err
		}
		return c.JSON(adminUserJSON{userJSON: toUser(u), Email: services.DisplayEmail(u)})
	}
}
