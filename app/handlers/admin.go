package handlers

import (
	"github.com/gofiber/fiber/v2"

	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/models"
)

// UsersPage lists accounts with their roles.
type UsersPage struct {
	Page
	Users []models.User
	Roles []auth.Role
}

// ListUsers renders /admin/users.
func ListUsers(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		us, err := d.Svc.ListUsers(c.UserContext(), Actor(c))
		if err != nil {
			return err
		}
		p := UsersPage{Page: d.newPage(c, "admin.users"), Users: us, Roles: auth.Roles}
		return d.Views.Render(c, fiber.StatusOK, "admin/users", p)
	}
}

// ChangeRole handles the role form of one user.
func ChangeRole(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var f forms.Role
		if err := parseBody(c, &f); err != nil {
			return err
		}
		if _, err := d.Svc.ChangeRole(c.UserContext(), Actor(c), id, f); err != nil {
			return err
		}
		d.flash(c, "admin.role_changed")
		return redirect(c, "/admin/users")
	}
}
