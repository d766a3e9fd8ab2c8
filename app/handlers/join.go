package handlers

import (
	"github.com/gofiber/fiber/v2"

	"werkstatt/app/forms"
	"werkstatt/models"
)

// JoinPage is the form to take part in a workshop with its code.
type JoinPage struct {
	Page
	Workshop    *models.Workshop // set on /w/:slug/join
	Code        string
	DisplayName string
}

// JoinForm renders /join and /w/:slug/join?code=….
func JoinForm(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := JoinPage{Page: d.newPage(c, "join.title"), Code: c.Query("code")}
		if slug := param(c, "slug"); slug != "" {
			w, err := d.Svc.Workshop(c.UserContext(), Actor(c), slug)
			if err != nil {
				return err
			}
			p.Workshop = w
			p.Title = p.T("join.title_workshop", w.Title)
		}
		return d.Views.Render(c, fiber.StatusOK, "auth/join", p)
	}
}

// Join makes the visitor a guest of the workshop and starts a session.
func Join(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var f forms.Join
		if err := parseBody(c, &f); err != nil {
			return err
		}
		slug := param(c, "slug")
		current := User(c)
		u, w, err := d.Svc.JoinAsGuest(c.UserContext(), f, slug, current)
		if err != nil {
			p := JoinPage{Page: d.newPage(c, "join.title"), Code: f.Code, DisplayName: f.DisplayName}
			if slug != "" {
				if w, werr := d.Svc.Workshop(c.UserContext(), Actor(c), slug); werr == nil {
					p.Workshop = w
				}
			}
			if !p.withErrors(err) && !p.withMessage(err) {
				return err
			}
			return d.Views.Render(c, statusOf(err), "auth/join", p)
		}
		if u != current {
			if err := d.startSession(c, u); err != nil {
				return err
			}
		}
		d.flash(c, "join.welcome")
		return redirect(c, "/w/"+w.Slug)
	}
}
