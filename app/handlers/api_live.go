package handlers

import (
	"github.com/gofiber/fiber/v2"

	"werkstatt/app/apperr"
	"werkstatt/app/forms"
	"werkstatt/app/services"
)

// APIDots: PUT /api/v1/ideas/:id/dots {count} → {count, dots_left, dots}.
func APIDots(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var f forms.Dots
		if err := parseBody(c, &f); err != nil {
			return err
		}
		res, err := d.Svc.SetDots(c.UserContext(), Actor(c), id, f)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"idea_id": id, "count": res.Count, "dots_left": res.DotsLeft, "dots": res.Dots})
	}
}

// APIMyWorkshop: GET /api/v1/workshops/:slug/me → {dots_left, …}.
func APIMyWorkshop(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		me, err := d.Svc.MyWorkshop(c.UserContext(), Actor(c), param(c, "slug"))
		if err != nil {
			return err
		}
		w := me.Workshop
		out := fiber.Map{"workshop": w.Slug, "phase": w.Phase, "voting_mode": w.VotingMode,
			"dot_budget": w.DotBudget, "dots_per_idea_max": w.DotsPerIdeaMax, "dots_left": me.DotsLeft,
			"dots": me.MyDots, "timer": services.Timer(w, d.Svc.Now())}
		if u := User(c); u != nil {
			out["user"] = toUser(u)
		}
		return c.JSON(out)
	}
}

// APITimer: POST /api/v1/workshops/:slug/timer {action, seconds}.
func APITimer(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var f forms.Timer
		if err := parseBody(c, &f); err != nil {
			return err
		}
		t, err := d.Svc.ControlTimer(c.UserContext(), Actor(c), param(c, "slug"), f)
		if err != nil {
			return err
		}
		return c.JSON(t)
	}
}

// APISpotlight: POST /api/v1/workshops/:slug/spotlight {idea_id} (null or 0 clears).
func APISpotlight(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in struct {
			IdeaID *uint64 `json:"idea_id"`
		}
		if err := parseBody(c, &in); err != nil {
			return err
		}
		var id uint64
		if in.IdeaID != nil {
			id = *in.IdeaID
		}
		w, err := d.Svc.Spotlight(c.UserContext(), Actor(c), param(c, "slug"), id)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"idea_id": w.SpotlightIdeaID})
	}
}

// APIWallVisibility: POST /api/v1/ideas/:id/wall {hidden}.
func APIWallVisibility(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var in struct {
			Hidden *bool `json:"hidden"`
		}
		if err := parseBody(c, &in); err != nil {
			return err
		}
		if in.Hidden == nil {
			return apperr.Fields(apperr.FieldError{Field: "hidden", Key: "field.required"})
		}
		if err := d.Svc.HideOnWall(c.UserContext(), Actor(c), id, *in.Hidden); err != nil {
			return err
		}
		return c.JSON(fiber.Map{"idea_id": id, "hidden_on_wall": *in.Hidden})
	}
}
