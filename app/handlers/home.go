package handlers

import (
	"github.com/gofiber/fiber/v2"

	"werkstatt/app/auth"
	"werkstatt/models"
)

// HomePage lists workshops by what people can do in them.
type HomePage struct {
	Page
	Active    []models.WorkshopWithCounts // open or voting
	Closed    []models.WorkshopWithCounts
	Drafts    []models.WorkshopWithCounts // staff only
	CanCreate bool
}

// Home is the start page.
func Home(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ws, err := d.Svc.ListWorkshops(c.UserContext(), Actor(c))
		if err != nil {
			return err
		}
		p := HomePage{Page: d.newPage(c, "home.title"), CanCreate: auth.ManageWorkshops(Actor(c)).Ok()}
		for _, w := range ws {
			switch w.Phase {
			case auth.PhaseOpen, auth.PhaseVoting:
				p.Active = append(p.Active, w)
			case auth.PhaseClosed:
				p.Closed = append(p.Closed, w)
			default:
				p.Drafts = append(p.Drafts, w)
			}
		}
		return d.Views.Render(c, fiber.StatusOK, "home/index", p)
	}
}
