package handlers

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/app/i18n"
	"werkstatt/app/services"
	"werkstatt/models"
)

// Live workshop mode, the participant's side: the live panel on the
// workshop page (phase, countdown, dots left, notices of what changed) and
// dot voting with forms that work without JavaScript. The wall and the
// control page are in web_live_wall.go and web_live_control.go.

// Countdown is a workshop's timer as pages show it. The page renders the
// value at the time of the request; live.js counts down from there.
type Countdown struct{ services.TimerState }

func newCountdown(w *models.Workshop, now time.Time) Countdown {
	return Countdown{services.Timer(w, now)}
}

// Running and Paused say what the timer does; a stopped timer is not shown.
func (t Countdown) Running() bool { return t.State == "running" }
func (t Countdown) Paused() bool  { return t.State == "paused" }
func (t Countdown) Stopped() bool { return !t.Running() && !t.Paused() }

// Expired: running, and the time is up.
func (t Countdown) Expired() bool { return t.Running() && t.RemainingSeconds == 0 }

// Clock is the remaining time as m:ss, or h:mm:ss from an hour on.
func (t Countdown) Clock() string { return clock(t.RemainingSeconds) }

// EndsAtISO and ServerTimeISO let the script count down with the server's
// clock, whatever the device's clock says.
func (t Countdown) EndsAtISO() string {
	if t.EndsAt == nil {
		return ""
	}
	return t.EndsAt.UTC().Format(time.RFC3339Nano)
}

func (t Countdown) ServerTimeISO() string { return t.ServerTime.UTC().Format(time.RFC3339Nano) }

// EndsAtLocal is the time of day the timer ends, for pages read without
// JavaScript, whose clock does not move.
func (t Countdown) EndsAtLocal() string {
	if t.EndsAt == nil {
		return ""
	}
	return t.EndsAt.In(berlin).Format("15:04")
}

func clock(s int64) string {
	s = max(s, 0)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// LiveState is what the workshop page shows of live mode.
type LiveState struct {
	Timer        Countdown
	Phase        auth.Phase
	DotVoting    bool // the workshop votes with dots
	CanDot       bool // the viewer may place dots now
	CountsHidden bool // the facilitator keeps the totals back
	DotBudget    int
	DotsMax      int
	DotsLeft     int
	MyDots       map[uint64]int
	DotsError    string // why a dot was refused (page rendered again without JavaScript)
	DotsErrorFor uint64 // the idea it was refused for
}

// Mine is the viewer's dots on an idea.
func (l *LiveState) Mine(ideaID uint64) int { return l.MyDots[ideaID] }

// Pips is one entry per dot an idea can get from the viewer, true where
// one is placed: the little row of dots beside the buttons. Past ten the
// number alone says it better.
func (l *LiveState) Pips(ideaID uint64) []bool {
	if l.DotsMax > 10 {
		return nil
	}
	out := make([]bool, l.DotsMax)
	for i := range out {
		out[i] = i < l.MyDots[ideaID]
	}
	return out
}

// countsHidden: the totals are kept back while the workshop runs, if the
// facilitator chose so; closing the workshop publishes them.
func countsHidden(w *models.Workshop) bool { return w.HideCounts && w.Phase != auth.PhaseClosed }

// addLive fills the live panel of the workshop page. In a dot-voting
// workshop the support buttons give way to the dot controls, which the
// service would refuse anyway.
func (d *Deps) addLive(c *fiber.Ctx, p *WorkshopPage) error {
	me, err := d.Svc.MyWorkshop(c.UserContext(), Actor(c), p.Workshop.Slug)
	if err != nil {
		return err
	}
	w := p.Workshop
	p.Live = &LiveState{Timer: newCountdown(w, d.Svc.Now()), Phase: w.Phase,
		DotVoting: w.VotingMode == services.VotingDots, CountsHidden: countsHidden(w),
		DotBudget: w.DotBudget, DotsMax: w.DotsPerIdeaMax, DotsLeft: me.DotsLeft, MyDots: me.MyDots}
	if p.Live.DotVoting {
		p.Live.CanDot, p.CanVote = p.CanVote, false
	}
	return nil
}

// DotIdea handles the − and + forms of dot voting: POST /ideas/:id/dots
// with the count the viewer wants on the idea. The page script asks for
// JSON (errors come as problem+json with the translated message); a plain
// form post returns to the idea on the workshop page, or shows the page
// again with the reason when the dot was refused.
func DotIdea(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var f forms.Dots
		if err := parseBody(c, &f); err != nil {
			return err
		}
		wantsJSON := c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) == fiber.MIMEApplicationJSON
		res, err := d.Svc.SetDots(c.UserContext(), Actor(c), id, f)
		if err != nil && (wantsJSON || !refusal(err)) {
			return err
		}
		if wantsJSON {
			return c.JSON(fiber.Map{"idea_id": id, "count": res.Count, "dots_left": res.DotsLeft, "dots": res.Dots})
		}
		view, verr := d.Svc.Idea(c.UserContext(), Actor(c), id)
		if verr != nil {
			return verr
		}
		if err != nil {
			return d.dotsRefused(c, view.Workshop.Slug, id, err)
		}
		d.flash(c, "dots.saved")
		return redirect(c, "/w/"+view.Workshop.Slug+"#dots-"+strconv.FormatUint(id, 10))
	}
}

// refusal: an error the person can act on (over budget, wrong input),
// shown beside the dot controls rather than as an error page.
func refusal(err error) bool {
	switch apperr.As(err).Code {
	case apperr.Conflict, apperr.Invalid:
		return true
	}
	return false
}

func (d *Deps) dotsRefused(c *fiber.Ctx, slug string, ideaID uint64, cause error) error {
	p, err := d.workshopPageOf(c, slug)
	if err != nil {
		return err
	}
	if p.Live == nil {
		return cause
	}
	ae := apperr.As(cause)
	msg := i18n.T(p.Lang, ae.Key, ae.Args...)
	if len(ae.Fields) > 0 {
		msg = i18n.T(p.Lang, ae.Fields[0].Key, ae.Fields[0].Args...)
	}
	p.Live.DotsError, p.Live.DotsErrorFor = msg, ideaID
	p.Path = "/w/" + slug // the language switch and links lead to the page, not to this post
	return d.Views.Render(c, statusOf(cause), "workshops/show", p)
}
