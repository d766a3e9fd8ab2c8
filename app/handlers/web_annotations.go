package handlers

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/apperr"
	"werkstatt/app/forms"
	"werkstatt/models"
)

// AnnotationInput is the annotation form as typed: the page keeps it on an
// error, including what is not a number.
type AnnotationInput struct {
	X, Y, W, H, Grid, Body string
}

// GridChoice is one cell of the 3×3 position chooser, for people who place
// a pin without pointing: the middle of the cell, in percent.
type GridChoice struct {
	Value, Label string
	X, Y         float64
}

var gridCells = []struct {
	value, key string
	x, y       float64
}{
	{"top-left", "annotation.grid_top_left", 16.7, 16.7},
	{"top-center", "annotation.grid_top_center", 50, 16.7},
	{"top-right", "annotation.grid_top_right", 83.3, 16.7},
	{"middle-left", "annotation.grid_middle_left", 16.7, 50},
	{"middle-center", "annotation.grid_middle_center", 50, 50},
	{"middle-right", "annotation.grid_middle_right", 83.3, 50},
	{"bottom-left", "annotation.grid_bottom_left", 16.7, 83.3},
	{"bottom-center", "annotation.grid_bottom_center", 50, 83.3},
	{"bottom-right", "annotation.grid_bottom_right", 83.3, 83.3},
}

func gridChoices(p *Page) []GridChoice {
	out := make([]GridChoice, len(gridCells))
	for i, g := range gridCells {
		out[i] = GridChoice{Value: g.value, Label: p.T(g.key), X: g.x, Y: g.y}
	}
	return out
}

// parsePercent reads "40", "40,5" or "40.5 %"; ok is false for an empty field,
// and a value that is no number becomes NaN, which the form refuses.
func parsePercent(s string) (v float64, ok bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsInf(v, 0) {
		return math.NaN(), true
	}
	return v, true
}

// form turns the input into a forms.Annotation. Without x and y the grid
// choice gives the position; without either, the position is missing.
func (in AnnotationInput) form() (forms.Annotation, error) {
	f := forms.Annotation{Body: in.Body}
	x, hasX := parsePercent(in.X)
	y, hasY := parsePercent(in.Y)
	f.W, _ = parsePercent(in.W)
	f.H, _ = parsePercent(in.H)
	var missing []apperr.FieldError
	switch {
	case hasX && hasY:
		f.X, f.Y = x, y
	case hasX:
		missing = append(missing, apperr.FieldError{Field: "y", Key: "field.required"})
	case hasY:
		missing = append(missing, apperr.FieldError{Field: "x", Key: "field.required"})
	default:
		found := false
		for _, g := range gridCells {
			if g.value == in.Grid {
				f.X, f.Y, found = g.x, g.y, true
			}
		}
		if !found {
			missing = append(missing, apperr.FieldError{Field: "position", Key: "annotation.position_required"})
		}
	}
	if len(missing) == 0 {
		return f, nil
	}
	var ae *apperr.Error
	if err := f.Validate(); errors.As(err, &ae) {
		missing = append(missing, ae.Fields...)
	}
	return f, apperr.Fields(missing...)
}

// CreateAnnotation handles the annotation form of the screen page.
func CreateAnnotation(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		in := AnnotationInput{X: c.FormValue("x"), Y: c.FormValue("y"), W: c.FormValue("w"), H: c.FormValue("h"),
			Grid: c.FormValue("grid"), Body: c.FormValue("body")}
		f, err := in.form()
		if err == nil {
			var a *models.Annotation
			if a, err = d.Svc.Annotate(c.UserContext(), Actor(c), id, f); err == nil {
				d.flash(c, "annotation.posted")
				return redirect(c, annotationPath(id, a.ID))
			}
		}
		return d.screenFailed(c, id, err, "annotate", func(p *ScreenPage) { p.Form = in })
	}
}

// screenFailed re-renders the screen page with err at the form named failed.
func (d *Deps) screenFailed(c *fiber.Ctx, id uint64, err error, failed string, keep func(*ScreenPage)) error {
	p, perr := d.screenPage(c, id)
	if perr != nil || (!p.withErrors(err) && !p.withMessage(err)) {
		return err
	}
	p.Failed = failed
	if keep != nil {
		keep(p)
	}
	return d.Views.Render(c, statusOrInvalid(err), "screens/show", p)
}

// annotationAction reads the annotation id and the screen page to return to.
func annotationAction(c *fiber.Ctx) (id, screen uint64, err error) {
	if id, err = idParam(c, "id"); err != nil {
		return 0, 0, err
	}
	screen, err = strconv.ParseUint(c.FormValue("screen"), 10, 64)
	if err != nil || screen == 0 {
		return 0, 0, apperr.New(apperr.NotFound, "error.not_found")
	}
	return id, screen, nil
}

func annotationPath(screen, id uint64) string { return screenPath(screen) + "#annotation-" + itoa(id) }

// ReplyAnnotation handles the reply form under an annotation.
func ReplyAnnotation(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, screen, err := annotationAction(c)
		if err != nil {
			return err
		}
		f := forms.Comment{Body: c.FormValue("body")}
		r, err := d.Svc.ReplyAnnotation(c.UserContext(), Actor(c), id, f)
		if err != nil {
			return d.screenFailed(c, screen, err, "reply-"+itoa(id), func(p *ScreenPage) { p.ReplyBody = f.Body })
		}
		d.flash(c, "annotation.replied")
		return redirect(c, screenPath(screen)+"#reply-"+itoa(r.ID))
	}
}

// MeTooAnnotation records the viewer's "me too".
func MeTooAnnotation(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, screen, err := annotationAction(c)
		if err != nil {
			return err
		}
		if _, err := d.Svc.MeToo(c.UserContext(), Actor(c), id); err != nil {
			return err
		}
		d.flash(c, "annotation.me_too_done")
		return redirect(c, annotationPath(screen, id))
	}
}

// PromoteAnnotation turns an annotation into an idea.
func PromoteAnnotation(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, screen, err := annotationAction(c)
		if err != nil {
			return err
		}
		if _, err := d.Svc.PromoteAnnotation(c.UserContext(), Actor(c), id); err != nil {
			return err
		}
		d.flash(c, "annotation.promoted")
		return redirect(c, annotationPath(screen, id))
	}
}

// ResolveAnnotation marks an annotation resolved, or open again.
func ResolveAnnotation(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, screen, err := annotationAction(c)
		if err != nil {
			return err
		}
		resolved := c.FormValue("resolved") != "false"
		if _, err := d.Svc.ResolveAnnotation(c.UserContext(), Actor(c), id, resolved); err != nil {
			return err
		}
		if resolved {
			d.flash(c, "annotation.resolved_done")
		} else {
			d.flash(c, "annotation.reopened")
		}
		return redirect(c, annotationPath(screen, id))
	}
}
