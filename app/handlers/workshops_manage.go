package handlers

import (
	"github.com/gofiber/fiber/v2"

	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/models"
)

// WorkshopFormPage is the create and edit form of a workshop.
type WorkshopFormPage struct {
	Page
	Workshop   *models.Workshop // nil when creating
	TitleValue string
	Desc       string
	Slug       string
	Changes    []models.PhaseChange
}

// NewWorkshop renders the empty form.
func NewWorkshop(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := allow(auth.ManageWorkshops(Actor(c))); err != nil {
			return err
		}
		p := WorkshopFormPage{Page: d.newPage(c, "workshop.new")}
		return d.Views.Render(c, fiber.StatusOK, "workshops/form", p)
	}
}

// CreateWorkshop handles the new workshop form.
func CreateWorkshop(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var f forms.Workshop
		if err := parseBody(c, &f); err != nil {
			return err
		}
		w, err := d.Svc.CreateWorkshop(c.UserContext(), Actor(c), f)
		if err != nil {
			p := WorkshopFormPage{Page: d.newPage(c, "workshop.new"), TitleValue: deref(f.Title), Desc: deref(f.Description), Slug: deref(f.Slug)}
			if !p.withErrors(err) {
				return err
			}
			return d.Views.Render(c, fiber.StatusUnprocessableEntity, "workshops/form", p)
		}
		d.flash(c, "workshop.created")
		return redirect(c, "/w/"+w.Slug)
	}
}

// EditWorkshop renders the edit form with the phase history.
func EditWorkshop(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := d.editPage(c)
		if err != nil {
			return err
		}
		return d.Views.Render(c, fiber.StatusOK, "workshops/form", p)
	}
}

func (d *Deps) editPage(c *fiber.Ctx) (*WorkshopFormPage, error) {
	w, err := d.Svc.Workshop(c.UserContext(), Actor(c), param(c, "slug"))
	if err != nil {
		return nil, err
	}
	if err := allow(auth.EditWorkshop(Actor(c), w.Facts())); err != nil {
		return nil, err
	}
	changes, err := d.Svc.PhaseChanges(c.UserContext(), w)
	if err != nil {
		return nil, err
	}
	return &WorkshopFormPage{Page: d.newPage(c, "workshop.edit_title", w.Title), Workshop: w,
		TitleValue: w.Title, Desc: w.Description, Slug: w.Slug, Changes: changes}, nil
}

// UpdateWorkshop handles the edit form, the phase form and the join code
// button, which all post a forms.Workshop.
func UpdateWorkshop(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var f forms.Workshop
		if err := parseBody(c, &f); err != nil {
			return err
		}
		w, err := d.Svc.UpdateWorkshop(c.UserContext(), Actor(c), param(c, "slug"), f)
		if err != nil {
			p, perr := d.editPage(c)
			if perr != nil || !p.withErrors(err) {
				return err
			}
			p.TitleValue, p.Desc, p.Slug = or(f.Title, p.TitleValue), or(f.Description, p.Desc), or(f.Slug, p.Slug)
			return d.Views.Render(c, fiber.StatusUnprocessableEntity, "workshops/form", p)
		}
		switch {
		case f.Phase != nil:
			d.flash(c, "workshop.phase_changed")
		case f.RegenerateCode:
			d.flash(c, "workshop.code_changed")
		default:
			d.flash(c, "workshop.saved")
		}
		switch c.FormValue("back") {
		case "edit":
			return redirect(c, "/w/"+w.Slug+"/edit")
		case "control": // the live control page's phase buttons
			return redirect(c, "/w/"+w.Slug+"/control#phase")
		}
		return redirect(c, "/w/"+w.Slug)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func or(s *string, def string) string {
	if s == nil {
		return def
	}
	return *s
}
