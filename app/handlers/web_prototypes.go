package handlers

import (
	"github.com/gofiber/fiber/v2"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/app/services"
	"werkstatt/models"
)

func prototypePath(id uint64) string { return "/prototypes/" + itoa(id) }

// PrototypePage shows a prototype with its screens and, for moderators, the
// forms that manage them. Failed names the form a validation error belongs
// to ("edit", "upload", "screen-ID", "replace-ID"), so only that form shows it.
type PrototypePage struct {
	Page
	View       *services.PrototypeView
	Screens    []ScreenCard
	CanManage  bool
	Form       forms.Prototype // the edit form's values
	Upload     forms.Screen    // the upload form's shared title and alt
	ScreenForm forms.Screen    // the values of a failed screen edit
	Failed     string
}

// ScreenCard is one current screen in the grid.
type ScreenCard struct {
	Screen      *models.Screen
	Title       string
	Number      int
	Annotations int64
	First, Last bool
}

// ScreenCount is the number of current screens.
func (p *PrototypePage) ScreenCount() int64 { return int64(len(p.Screens)) }

// FailedOn reports whether the form kind ("screen", "replace") of screen id
// is the one that failed.
func (p *PrototypePage) FailedOn(kind string, id uint64) bool {
	return p.Failed == kind+"-"+itoa(id)
}

// ShowPrototype renders /prototypes/:id.
func ShowPrototype(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		p, err := d.prototypePage(c, id)
		if err != nil {
			return err
		}
		return d.Views.Render(c, fiber.StatusOK, "prototypes/show", p)
	}
}

func (d *Deps) prototypePage(c *fiber.Ctx, id uint64) (*PrototypePage, error) {
	actor := Actor(c)
	view, err := d.Svc.Prototype(c.UserContext(), actor, id)
	if err != nil {
		return nil, err
	}
	p := &PrototypePage{Page: d.newPage(c, ""), View: view,
		CanManage: auth.ManagePrototypes(actor, view.Workshop.Facts()).Ok(),
		Form:      forms.Prototype{Title: view.Prototype.Title, Description: view.Prototype.Description, LinkURL: view.Prototype.LinkURL}}
	p.Title = view.Prototype.Title
	ids := make([]uint64, len(view.Screens))
	for i := range view.Screens {
		ids[i] = view.Screens[i].ID
	}
	counts, err := d.Svc.AnnotationCounts(c.UserContext(), ids)
	if err != nil {
		return nil, err
	}
	for i := range view.Screens {
		p.Screens = append(p.Screens, ScreenCard{Screen: &view.Screens[i], Title: screenTitle(&p.Page, &view.Screens[i]),
			Number: i + 1, Annotations: counts[view.Screens[i].ID], First: i == 0, Last: i == len(view.Screens)-1})
	}
	return p, nil
}

// CreatePrototype handles "add a prototype" on the workshop page.
func CreatePrototype(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var f forms.Prototype
		if err := parseBody(c, &f); err != nil {
			return err
		}
		proto, err := d.Svc.CreatePrototype(c.UserContext(), Actor(c), param(c, "slug"), f)
		if err != nil {
			p, perr := d.workshopPage(c)
			if perr != nil || !p.withErrors(err) {
				return err
			}
			// The idea form has a title too: keep the errors to this form.
			p.PrototypeErrors, p.PrototypeSummary, p.Errors, p.Summary = p.Errors, p.Summary, nil, nil
			p.PrototypeForm = f
			return d.Views.Render(c, fiber.StatusUnprocessableEntity, "workshops/show", p)
		}
		d.flash(c, "prototype.created")
		return redirect(c, prototypePath(proto.ID))
	}
}

// UpdatePrototype handles the moderators' edit form.
func UpdatePrototype(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var f forms.Prototype
		if err := parseBody(c, &f); err != nil {
			return err
		}
		if _, err := d.Svc.UpdatePrototype(c.UserContext(), Actor(c), id, f); err != nil {
			return d.prototypeFailed(c, id, err, "edit", func(p *PrototypePage) { p.Form = f })
		}
		d.flash(c, "prototype.saved")
		return redirect(c, prototypePath(id))
	}
}

// prototypeFailed re-renders the prototype page with err shown at the form
// named failed; errors that are not about input go to the error handler.
func (d *Deps) prototypeFailed(c *fiber.Ctx, id uint64, err error, failed string, keep func(*PrototypePage)) error {
	p, perr := d.prototypePage(c, id)
	if perr != nil {
		return err
	}
	if !p.withErrors(err) && !p.withMessage(err) {
		return err
	}
	p.Failed = failed
	if keep != nil {
		keep(p)
	}
	return d.Views.Render(c, statusOrInvalid(err), "prototypes/show", p)
}

// statusOrInvalid is 422 for field errors, else the error's own status.
func statusOrInvalid(err error) int {
	if ae := apperr.As(err); len(ae.Fields) > 0 || ae.Code == apperr.TooLarge {
		return fiber.StatusUnprocessableEntity
	}
	return statusOf(err)
}

// PrototypeSummary is a prototype as the workshop page lists it.
type PrototypeSummary struct {
	Prototype *models.Prototype
	Cover     *models.Screen // the first screen, nil without screens
	Screens   int64
}

// prototypeSummaries loads a workshop's prototypes with their first screen
// and number of screens, in two queries.
func (d *Deps) prototypeSummaries(c *fiber.Ctx, w *models.Workshop) ([]PrototypeSummary, error) {
	ps, err := d.Svc.Prototypes(c.UserContext(), Actor(c), w)
	if err != nil {
		return nil, err
	}
	ids := make([]uint64, len(ps))
	for i := range ps {
		ids[i] = ps[i].ID
	}
	screens, err := d.Svc.CurrentScreens(c.UserContext(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]PrototypeSummary, 0, len(ps))
	for i := range ps {
		sc := screens[ps[i].ID]
		s := PrototypeSummary{Prototype: &ps[i], Screens: int64(len(sc))}
		if len(sc) > 0 {
			s.Cover = &sc[0]
		}
		out = append(out, s)
	}
	return out, nil
}
