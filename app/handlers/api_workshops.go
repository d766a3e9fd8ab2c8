package handlers

import (
	"github.com/gofiber/fiber/v2"

	"werkstatt/app/apperr"
	"werkstatt/app/forms"
	"werkstatt/models"
)

// APIWorkshops: GET /api/v1/workshops.
func APIWorkshops(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		actor := Actor(c)
		ws, err := d.Svc.ListWorkshops(c.UserContext(), actor)
		if err != nil {
			return err
		}
		out := list[workshopJSON]{Items: make([]workshopJSON, len(ws))}
		for i := range ws {
			out.Items[i] = d.toWorkshop(actor, &ws[i].Workshop)
			out.Items[i].IdeasCount = &ws[i].IdeasCount
		}
		return c.JSON(out)
	}
}

// APICreateWorkshop: POST /api/v1/workshops.
func APICreateWorkshop(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var f forms.Workshop
		if err := parseBody(c, &f); err != nil {
			return err
		}
		w, err := d.Svc.CreateWorkshop(c.UserContext(), Actor(c), f)
		if err != nil {
			return err
		}
		c.Location("/api/v1/workshops/" + w.Slug)
		return c.Status(fiber.StatusCreated).JSON(d.toWorkshop(Actor(c), w))
	}
}

// APIWorkshop: GET /api/v1/workshops/:slug.
func APIWorkshop(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, err := d.Svc.Workshop(c.UserContext(), Actor(c), param(c, "slug"))
		if err != nil {
			return err
		}
		return c.JSON(d.toWorkshop(Actor(c), w))
	}
}

// APIUpdateWorkshop: PATCH /api/v1/workshops/:slug.
func APIUpdateWorkshop(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var f forms.Workshop
		if err := parseBody(c, &f); err != nil {
			return err
		}
		w, err := d.Svc.UpdateWorkshop(c.UserContext(), Actor(c), param(c, "slug"), f)
		if err != nil {
			return err
		}
		return c.JSON(d.toWorkshop(Actor(c), w))
	}
}

// APIIdeas: GET /api/v1/workshops/:slug/ideas?sort=top|new&limit=&offset=.
func APIIdeas(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		sort := models.IdeaSort(c.Query("sort", string(models.SortTop)))
		limit, okL := queryInt(c, "limit", 50)
		offset, okO := queryInt(c, "offset", 0)
		var fe []apperr.FieldError
		if sort != models.SortTop && sort != models.SortNew {
			fe = append(fe, apperr.FieldError{Field: "sort", Key: "field.sort"})
		}
		if !okL || limit < 1 || limit > 200 {
			fe = append(fe, apperr.FieldError{Field: "limit", Key: "field.range", Args: []any{1, 200}})
		}
		if !okO {
			fe = append(fe, apperr.FieldError{Field: "offset", Key: "field.range", Args: []any{0, 1 << 30}})
		}
		if len(fe) > 0 {
			return apperr.Fields(fe...)
		}
		actor := Actor(c)
		w, err := d.Svc.Workshop(c.UserContext(), actor, param(c, "slug"))
		if err != nil {
			return err
		}
		res, err := d.Svc.Ideas(c.UserContext(), actor, w, sort, limit, offset)
		if err != nil {
			return err
		}
		out := list[ideaJSON]{Items: make([]ideaJSON, len(res.Ideas)), Total: &res.Total}
		for i := range res.Ideas {
			out.Items[i] = d.toIdea(&res.Ideas[i], w.Slug, res.Voted[res.Ideas[i].ID])
		}
		return c.JSON(out)
	}
}

// APICreateIdea: POST /api/v1/workshops/:slug/ideas.
func APICreateIdea(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var f forms.Idea
		if err := parseBody(c, &f); err != nil {
			return err
		}
		slug := param(c, "slug")
		idea, err := d.Svc.PostIdea(c.UserContext(), Actor(c), slug, f)
		if err != nil {
			return err
		}
		c.Location("/api/v1/ideas/" + itoa(idea.ID))
		return c.Status(fiber.StatusCreated).JSON(d.toIdea(idea, slug, false))
	}
}
