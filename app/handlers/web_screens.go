package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/app/services"
	"werkstatt/models"
)

// ScreenPage shows one screen with its annotations as pins and areas on the
// image and as a numbered list beside it, and the form to add one. Failed
// names the form an error belongs to ("annotate", "reply-ID").
type ScreenPage struct {
	Page
	View        *services.ScreenView
	Latest      *models.Screen // the current version of this screen
	Prev, Next  *models.Screen // neighbours among the prototype's current screens
	Items       []AnnotationItem
	Now         string // what the viewer can do here now
	CanAnnotate bool
	CanReply    bool
	CanResolve  bool
	CanManage   bool
	MustJoin    bool
	Form        AnnotationInput
	Grid        []GridChoice
	Failed      string
	ReplyBody   string
}

// AnnotationItem is one annotation with what the viewer may do to it.
type AnnotationItem struct {
	*models.Annotation
	Idea       uint64 // the idea it became, 0 if none
	Mine       bool   // the viewer wrote it
	MeTooMine  bool
	CanPromote bool
	Where      string // the position in words, for the list
}

// SVG coordinates of the overlay, in percent of the image.
func (a AnnotationItem) SX() string { return svgPct(a.X) }
func (a AnnotationItem) SY() string { return svgPct(a.Y) }
func (a AnnotationItem) SW() string { return svgPct(a.W) }
func (a AnnotationItem) SH() string { return svgPct(a.H) }

func svgPct(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + "%" }

// Alt is the text alternative of a screen's image.
func (p *ScreenPage) Alt() string {
	s := p.View.Screen
	if s.Alt != "" {
		return s.Alt
	}
	if s.Title != "" {
		return p.T("screen.alt_fallback_title", s.Title)
	}
	return p.T("screen.alt_fallback")
}

// FailedOn reports whether the form kind of annotation id failed.
func (p *ScreenPage) FailedOn(kind string, id uint64) bool { return p.Failed == kind+"-"+itoa(id) }

// ShowScreen renders /screens/:id.
func ShowScreen(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		p, err := d.screenPage(c, id)
		if err != nil {
			return err
		}
		return d.Views.Render(c, fiber.StatusOK, "screens/show", p)
	}
}

func (d *Deps) screenPage(c *fiber.Ctx, id uint64) (*ScreenPage, error) {
	actor := Actor(c)
	anns, view, err := d.Svc.Annotations(c.UserContext(), actor, id)
	if err != nil {
		return nil, err
	}
	ids := make([]uint64, len(anns))
	for i := range anns {
		ids[i] = anns[i].ID
	}
	mine, err := d.Svc.MeTooBy(c.UserContext(), actor.UserID, ids)
	if err != nil {
		return nil, err
	}
	facts := view.Workshop.Facts()
	current := view.Screen.Current()
	p := &ScreenPage{Page: d.newPage(c, ""), View: view, Latest: &view.Versions[len(view.Versions)-1],
		CanAnnotate: current && auth.Annotate(actor, facts).Ok(), CanReply: auth.ReplyAnnotation(actor, facts).Ok(),
		CanResolve: auth.ResolveAnnotation(actor, facts).Ok(), CanManage: auth.ManagePrototypes(actor, facts).Ok()}
	p.MustJoin = !actor.LoggedIn() && (facts.Phase == auth.PhaseOpen || facts.Phase == auth.PhaseVoting)
	p.Title = screenTitle(&p.Page, view.Screen)
	p.Grid = gridChoices(&p.Page)
	p.Now = p.nowText(current, facts.Phase)
	for i := range anns {
		a := &anns[i]
		item := AnnotationItem{Annotation: a, MeTooMine: mine[a.ID], Mine: actor.LoggedIn() && a.AuthorID == actor.UserID,
			CanPromote: a.IdeaID == nil && auth.PromoteAnnotation(actor, facts, a.AuthorID).Ok(),
			Where:      where(&p.Page, a)}
		if a.IdeaID != nil {
			item.Idea = *a.IdeaID
		}
		p.Items = append(p.Items, item)
	}
	proto, err := d.Svc.Prototype(c.UserContext(), actor, view.Prototype.ID)
	if err != nil {
		return nil, err
	}
	for i := range proto.Screens {
		if proto.Screens[i].ID != p.Latest.ID {
			continue
		}
		if i > 0 {
			p.Prev = &proto.Screens[i-1]
		}
		if i+1 < len(proto.Screens) {
			p.Next = &proto.Screens[i+1]
		}
	}
	return p, nil
}

// Count is the number of annotations.
func (p *ScreenPage) Count() int64 { return int64(len(p.Items)) }

// ScreenName names a screen in links, for templates.
func (p *ScreenPage) ScreenName(s *models.Screen) string { return screenTitle(&p.Page, s) }

func (p *ScreenPage) nowText(current bool, phase auth.Phase) string {
	switch {
	case !current:
		return p.T("screen.now_old")
	case phase == auth.PhaseOpen:
		return p.T("screen.now_open")
	case phase == auth.PhaseVoting:
		return p.T("screen.now_voting")
	case phase == auth.PhaseClosed:
		return p.T("screen.now_closed")
	}
	return p.T("screen.now_draft")
}

// screenTitle names a screen that has no title by its position.
func screenTitle(p *Page, s *models.Screen) string {
	if s.Title != "" {
		return s.Title
	}
	return p.T("screen.untitled", s.Position)
}

// where says where an annotation sits, in the page's language.
func where(p *Page, a *models.Annotation) string {
	if a.Pin() {
		return p.T("annotation.where_pin", pct(p.Lang, a.X), pct(p.Lang, a.Y))
	}
	return p.T("annotation.where_area", pct(p.Lang, a.X), pct(p.Lang, a.Y), pct(p.Lang, a.W), pct(p.Lang, a.H))
}

// pct formats a percentage with at most one decimal, as the language writes it.
func pct(lang string, v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if lang == "de" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// UpdateScreen saves a screen's title and alt text (prototype page).
func UpdateScreen(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		view, err := d.Svc.Screen(c.UserContext(), Actor(c), id)
		if err != nil {
			return err
		}
		f := forms.Screen{Title: c.FormValue("title"), Alt: c.FormValue("alt")}
		if _, err := d.Svc.UpdateScreen(c.UserContext(), Actor(c), id, f); err != nil {
			return d.prototypeFailed(c, view.Prototype.ID, err, "screen-"+itoa(id), func(p *PrototypePage) { p.ScreenForm = f })
		}
		d.flash(c, "screen.saved")
		return redirect(c, prototypePath(view.Prototype.ID)+"#manage-screen-"+itoa(id))
	}
}

// MoveScreen moves a screen one place up or down (prototype page).
func MoveScreen(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		view, err := d.Svc.Screen(c.UserContext(), Actor(c), id)
		if err != nil {
			return err
		}
		delta := 1
		if c.FormValue("direction") == "up" {
			delta = -1
		}
		if err := d.Svc.MoveScreen(c.UserContext(), Actor(c), id, delta); err != nil {
			return err
		}
		d.flash(c, "screen.moved")
		return redirect(c, prototypePath(view.Prototype.ID)+"#manage-screen-"+itoa(id))
	}
}

// ReplaceScreen uploads a new version of a screen (multipart, one file).
func ReplaceScreen(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		view, err := d.Svc.Screen(c.UserContext(), Actor(c), id)
		if err != nil {
			return err
		}
		if err := allow(auth.ManagePrototypes(Actor(c), view.Workshop.Facts())); err != nil {
			return err
		}
		failed := "replace-" + itoa(id)
		fh, err := c.FormFile("file")
		if err != nil {
			return d.prototypeFailed(c, view.Prototype.ID, fileErr("screen.file_missing"), failed, nil)
		}
		if err := precheck(fh); err != nil {
			return d.prototypeFailed(c, view.Prototype.ID, d.namedFileErr(c, fh, err), failed, nil)
		}
		r, err := readFileHeader(fh)
		var s *models.Screen
		if err == nil {
			s, err = d.Svc.ReplaceScreen(c.UserContext(), Actor(c), id, forms.Screen{}, r)
		}
		if err != nil {
			return d.prototypeFailed(c, view.Prototype.ID, d.namedFileErr(c, fh, err), failed, nil)
		}
		d.flash(c, "screen.replaced")
		return redirect(c, prototypePath(view.Prototype.ID)+"#manage-screen-"+itoa(s.ID))
	}
}
