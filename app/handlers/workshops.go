package handlers

import (
	"github.com/gofiber/fiber/v2"

	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/app/services"
	"werkstatt/models"
)

// WorkshopPage shows a workshop, its ideas and what the viewer can do now.
type WorkshopPage struct {
	Page
	Workshop   *models.Workshop
	Ideas      *services.IdeaList
	Sort       models.IdeaSort
	CanPost    bool
	CanVote    bool
	CanEdit    bool
	MustJoin   bool // a visitor who could take part after joining or logging in
	Form       forms.Idea
	NextPhases []auth.Phase

	Prototypes          []PrototypeSummary
	CanManagePrototypes bool
	PrototypeForm       forms.Prototype
	PrototypeErrors     FormErrors // kept apart: the idea form has a title too
	PrototypeSummary    []string

	Live *LiveState // timer, dots and live updates (web_live.go)
}

// ShowWorkshop renders /w/:slug.
func ShowWorkshop(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := d.workshopPage(c)
		if err != nil {
			return err
		}
		return d.Views.Render(c, fiber.StatusOK, "workshops/show", p)
	}
}

func (d *Deps) workshopPage(c *fiber.Ctx) (*WorkshopPage, error) {
	return d.workshopPageOf(c, param(c, "slug"))
}

func (d *Deps) workshopPageOf(c *fiber.Ctx, slug string) (*WorkshopPage, error) {
	actor := Actor(c)
	w, err := d.Svc.Workshop(c.UserContext(), actor, slug)
	if err != nil {
		return nil, err
	}
	sort := models.SortTop
	if c.Query("sort") == string(models.SortNew) {
		sort = models.SortNew
	}
	ideas, err := d.Svc.Ideas(c.UserContext(), actor, w, sort, services.MaxPage, 0)
	if err != nil {
		return nil, err
	}
	p := &WorkshopPage{Page: d.newPage(c, ""), Workshop: w, Ideas: ideas, Sort: sort,
		CanPost: auth.PostIdea(actor, w.Facts()).Ok(), CanVote: auth.Vote(actor, w.Facts()).Ok(),
		CanEdit: auth.EditWorkshop(actor, w.Facts()).Ok(), NextPhases: services.NextPhases(w.Phase)}
	p.MustJoin = !actor.LoggedIn() && (w.Phase == auth.PhaseOpen || w.Phase == auth.PhaseVoting)
	p.Title = w.Title
	p.CanManagePrototypes = auth.ManagePrototypes(actor, w.Facts()).Ok()
	if p.Prototypes, err = d.prototypeSummaries(c, w); err != nil {
		return nil, err
	}
	if err := d.addLive(c, p); err != nil {
		return nil, err
	}
	return p, nil
}

// CreateIdea handles the idea form on the workshop page.
func CreateIdea(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var f forms.Idea
		if err := parseBody(c, &f); err != nil {
			return err
		}
		idea, err := d.Svc.PostIdea(c.UserContext(), Actor(c), param(c, "slug"), f)
		if err != nil {
			p, perr := d.workshopPage(c)
			if perr != nil || !p.withErrors(err) {
				return err
			}
			p.Form = f
			return d.Views.Render(c, fiber.StatusUnprocessableEntity, "workshops/show", p)
		}
		d.flash(c, "idea.posted")
		return redirect(c, ideaPath(idea.ID))
	}
}
