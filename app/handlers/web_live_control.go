package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/app/services"
	"werkstatt/models"
)

// The control page: /w/:slug/control, the facilitator's remote for the
// wall, made for a phone. Every control is a plain form that posts, and
// the answer leads back to the control page at the same section with a
// one-time message (POST-redirect-GET). The phase buttons post to the
// workshop's edit action with back=control.

// ControlPage is the control page.
type ControlPage struct {
	Page
	Workshop     *models.Workshop
	Ideas        []models.Idea
	Timer        Countdown
	NextPhases   []auth.Phase
	CountsHidden bool
	Dots         bool

	// Form values, kept when a form comes back with an error.
	Minutes    string
	VotingMode string
	DotBudget  string
	DotsMax    string
}

// Count is the number shown for an idea: dots or supporters.
func (p *ControlPage) Count(i models.Idea) int64 {
	if p.Dots {
		return i.DotsCount
	}
	return i.VotesCount
}

// Spotlit reports whether an idea is in the wall's spotlight.
func (p *ControlPage) Spotlit(id uint64) bool {
	return p.Workshop.SpotlightIdeaID != nil && *p.Workshop.SpotlightIdeaID == id
}

// QuickStart is a one-tap timer length.
type QuickStart struct{ Minutes, Seconds int }

// QuickStarts are the one-tap timer lengths.
func (p *ControlPage) QuickStarts() []QuickStart {
	return []QuickStart{{1, 60}, {3, 180}, {5, 300}, {10, 600}}
}

// ShowControl renders /w/:slug/control.
func ShowControl(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := d.controlPage(c)
		if err != nil {
			return err
		}
		return d.Views.Render(c, fiber.StatusOK, "live/control", p)
	}
}

func (d *Deps) controlPage(c *fiber.Ctx) (*ControlPage, error) {
	w, err := d.moderated(c)
	if err != nil {
		return nil, err
	}
	list, err := d.Svc.Ideas(c.UserContext(), Actor(c), w, models.SortNew, services.MaxPage, 0)
	if err != nil {
		return nil, err
	}
	p := &ControlPage{Page: d.newPage(c, "live.control_title", w.Title), Workshop: w, Ideas: list.Ideas,
		Timer: newCountdown(w, d.Svc.Now()), NextPhases: services.NextPhases(w.Phase),
		CountsHidden: countsHidden(w), Dots: w.VotingMode == services.VotingDots,
		Minutes: "5", VotingMode: w.VotingMode, DotBudget: strconv.Itoa(w.DotBudget), DotsMax: strconv.Itoa(w.DotsPerIdeaMax)}
	p.Path = "/w/" + w.Slug + "/control" // also when a post shows the page again
	return p, nil
}

// controlDone leads back to the control page's section with a message.
func (d *Deps) controlDone(c *fiber.Ctx, flash, section string) error {
	d.flash(c, flash)
	return redirect(c, "/w/"+param(c, "slug")+"/control#"+section)
}

// controlFailed shows the control page again with what was wrong; keep
// puts the person's input back into the form.
func (d *Deps) controlFailed(c *fiber.Ctx, cause error, keep func(*ControlPage)) error {
	p, err := d.controlPage(c)
	if err != nil {
		return err
	}
	if !p.withErrors(cause) && !p.withMessage(cause) {
		return cause
	}
	if keep != nil {
		keep(p)
	}
	return d.Views.Render(c, statusOf(cause), "live/control", p)
}

// ControlTimer starts, pauses, resumes, extends or stops the countdown:
// POST /w/:slug/control/timer with action and seconds, or minutes from the
// start form.
func ControlTimer(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f := forms.Timer{Action: c.FormValue("action")}
		minutes := strings.TrimSpace(c.FormValue("minutes"))
		if s := c.FormValue("seconds"); s != "" {
			f.Seconds, _ = strconv.Atoi(s)
		} else if f.Action == "start" {
			m, err := strconv.Atoi(minutes)
			if err != nil || m < 1 || m > 600 {
				return d.controlFailed(c, apperr.Fields(apperr.FieldError{Field: "minutes", Key: "field.range", Args: []any{1, 600}}),
					func(p *ControlPage) { p.Minutes = minutes })
			}
			f.Seconds = m * 60
		}
		if _, err := d.Svc.ControlTimer(c.UserContext(), Actor(c), param(c, "slug"), f); err != nil {
			return d.controlFailed(c, err, nil)
		}
		flash := map[string]string{"start": "live.timer_started", "pause": "live.timer_paused", "resume": "live.timer_resumed",
			"extend": "live.timer_extended", "stop": "live.timer_stopped"}[f.Action]
		return d.controlDone(c, flash, "timer")
	}
}

// ControlSpotlight puts an idea into the wall's spotlight, or with
// idea_id 0 takes it out: POST /w/:slug/control/spotlight.
func ControlSpotlight(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, _ := strconv.ParseUint(c.FormValue("idea_id"), 10, 64)
		if _, err := d.Svc.Spotlight(c.UserContext(), Actor(c), param(c, "slug"), id); err != nil {
			return d.controlFailed(c, err, nil)
		}
		if id == 0 {
			return d.controlDone(c, "live.spotlight_cleared", "ideas")
		}
		return d.controlDone(c, "live.spotlight_set", "idea-"+strconv.FormatUint(id, 10))
	}
}

// ControlIdeaWall hides an idea from the wall or shows it again:
// POST /w/:slug/control/ideas/:id/wall with hidden=true or false.
func ControlIdeaWall(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		hidden := c.FormValue("hidden") == "true"
		if err := d.Svc.HideOnWall(c.UserContext(), Actor(c), id, hidden); err != nil {
			return d.controlFailed(c, err, nil)
		}
		flash := "live.idea_shown"
		if hidden {
			flash = "live.idea_hidden"
		}
		return d.controlDone(c, flash, "idea-"+strconv.FormatUint(id, 10))
	}
}

// ControlWall switches the wall between cards and ranking and hides or
// reveals the counts: POST /w/:slug/control/wall.
func ControlWall(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		view := c.FormValue("wall_view")
		hide := c.FormValue("hide_counts") == "true"
		f := forms.Workshop{WallView: &view, HideCounts: &hide}
		if _, err := d.Svc.UpdateWorkshop(c.UserContext(), Actor(c), param(c, "slug"), f); err != nil {
			return d.controlFailed(c, err, nil)
		}
		return d.controlDone(c, "live.wall_saved", "wall")
	}
}

// ControlVoting sets support or dot voting with its budget and maximum
// per idea: POST /w/:slug/control/voting.
func ControlVoting(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		mode := c.FormValue("voting_mode")
		budgetText, maxText := strings.TrimSpace(c.FormValue("dot_budget")), strings.TrimSpace(c.FormValue("dots_per_idea_max"))
		keep := func(p *ControlPage) { p.VotingMode, p.DotBudget, p.DotsMax = mode, budgetText, maxText }
		f := forms.Workshop{VotingMode: &mode}
		var bad []apperr.FieldError
		for _, n := range []struct {
			field, text string
			into        **int
		}{{"dot_budget", budgetText, &f.DotBudget}, {"dots_per_idea_max", maxText, &f.DotsPerIdeaMax}} {
			v, err := strconv.Atoi(n.text)
			if err != nil {
				bad = append(bad, apperr.FieldError{Field: n.field, Key: "field.range", Args: []any{1, 100}})
				continue
			}
			*n.into = &v
		}
		if len(bad) > 0 {
			return d.controlFailed(c, apperr.Fields(bad...), keep)
		}
		if _, err := d.Svc.UpdateWorkshop(c.UserContext(), Actor(c), param(c, "slug"), f); err != nil {
			return d.controlFailed(c, err, keep)
		}
		return d.controlDone(c, "live.voting_saved", "voting")
	}
}
