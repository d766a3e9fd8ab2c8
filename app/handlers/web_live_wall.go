package handlers

import (
	"bytes"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/piglig/go-qr"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/i18n"
	"werkstatt/app/services"
	"werkstatt/models"
)

// The presenter wall: /w/:slug/wall on a projector, for moderators. It is a
// page of its own (no site header), renders everything on the server, and
// live.js keeps it current from the workshop's event stream. New and
// re-shown ideas come as HTML fragments from /w/:slug/wall/ideas/:id, not
// from the JSON API: the wall's session cookie does not authenticate the
// API, and a fragment keeps the card's markup, escaping and wording in one
// template on the server.

// WallPage is the presenter wall.
type WallPage struct {
	Page
	Workshop     *models.Workshop
	Ideas        []models.Idea // shown on the wall, in the order of its view
	Total        int           // ideas on the wall
	Spotlight    *models.Idea
	Timer        Countdown
	JoinURL      string // what the QR code holds: the join form with the code filled in
	JoinAddress  string // what people type: host and /join, without the scheme
	CountsHidden bool
	Dots         bool
}

// Ranking reports whether the wall ranks ideas by their count.
func (p *WallPage) Ranking() bool { return p.Workshop.WallView == "ranking" }

// Count is the number the wall shows for an idea: dots or supporters.
func (p *WallPage) Count(i models.Idea) int64 {
	if p.Dots {
		return i.DotsCount
	}
	return i.VotesCount
}

// CreatedMS orders cards by age in the page script.
func (p *WallPage) CreatedMS(i models.Idea) int64 { return i.CreatedAt.UnixMilli() }

// Refresh is how often the wall reloads itself when scripts do not run.
func (p *WallPage) Refresh() int { return 10 }

// ShowWall renders /w/:slug/wall.
func ShowWall(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, err := d.moderated(c)
		if err != nil {
			return err
		}
		p := d.wallPage(c, w)
		list, err := d.Svc.Ideas(c.UserContext(), Actor(c), w, models.SortNew, services.MaxPage, 0)
		if err != nil {
			return err
		}
		for _, i := range list.Ideas {
			if i.HiddenOnWall {
				continue
			}
			p.Ideas = append(p.Ideas, i)
			if w.SpotlightIdeaID != nil && *w.SpotlightIdeaID == i.ID {
				spot := i
				p.Spotlight = &spot
			}
		}
		p.Total = len(p.Ideas)
		if p.Ranking() && !p.CountsHidden {
			sort.SliceStable(p.Ideas, func(a, b int) bool { return p.Count(p.Ideas[a]) > p.Count(p.Ideas[b]) })
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return d.Views.renderPart(c, fiber.StatusOK, "live/wall", "wall", p)
	}
}

func (d *Deps) wallPage(c *fiber.Ctx, w *models.Workshop) *WallPage {
	// Not newPage: the wall shows no one-time messages, and its fragment
	// requests must not take one away from the control page in another tab.
	lang := Lang(c)
	page := Page{Lang: lang, User: User(c), CSRF: CSRF(c), Path: "/w/" + w.Slug + "/wall",
		Title: i18n.T(lang, "live.wall_title", w.Title)}
	p := &WallPage{Page: page, Workshop: w,
		Timer: newCountdown(w, d.Svc.Now()), JoinURL: d.joinURL(c, w),
		CountsHidden: countsHidden(w), Dots: w.VotingMode == services.VotingDots}
	p.JoinAddress = strings.TrimPrefix(strings.TrimPrefix(d.base(c), "https://"), "http://") + "/join"
	return p
}

// WallIdea renders one idea's wall card: GET /w/:slug/wall/ideas/:id. An
// idea hidden from the wall is not found here.
func WallIdea(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, idea, err := d.wallIdea(c)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return d.Views.renderPart(c, fiber.StatusOK, "live/wall", "wall-card", Pair{Page: d.wallPage(c, w), Item: *idea})
	}
}

// WallSpotlight renders the spotlight of the wall as it is now: GET
// /w/:slug/wall/spotlight; empty (204) when no idea is in the spotlight.
func WallSpotlight(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, err := d.moderated(c)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		if w.SpotlightIdeaID == nil {
			return c.SendStatus(fiber.StatusNoContent)
		}
		view, err := d.Svc.Idea(c.UserContext(), Actor(c), *w.SpotlightIdeaID)
		if apperr.As(err).Code == apperr.NotFound {
			return c.SendStatus(fiber.StatusNoContent) // deleted meanwhile
		} else if err != nil {
			return err
		}
		if view.Idea.HiddenOnWall || view.Idea.WorkshopID != w.ID {
			return c.SendStatus(fiber.StatusNoContent)
		}
		p := d.wallPage(c, w)
		p.Spotlight = view.Idea
		return d.Views.renderPart(c, fiber.StatusOK, "live/wall", "wall-spotlight", p)
	}
}

// WallQR is the join QR code as SVG: GET /w/:slug/qr.svg. It holds the join
// code, so only the workshop's moderators get it, like the code itself.
func WallQR(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, err := d.moderated(c)
		if err != nil {
			return err
		}
		svg, err := qrSVG(d.joinURL(c, w))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "image/svg+xml; charset=utf-8")
		// A new join code changes the picture; let the browser ask again.
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
		return c.Send(svg)
	}
}

// qrSVG encodes text at error correction level M (a projected code
// survives some glare), with the quiet zone of four modules the standard
// asks for, as an SVG whose user unit is one module.
func qrSVG(text string) ([]byte, error) {
	qr, err := qrcode.EncodeText(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	svg, err := qr.ToSVGBytes(qrcode.NewQrCodeImgConfig(1, 4, qrcode.WithOptimalSVG()))
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	// Edges on whole modules: no blur when a projector scales it.
	return bytes.Replace(svg, []byte(`stroke="none"`), []byte(`stroke="none" shape-rendering="crispEdges"`), 1), nil
}

// joinURL is the address in the QR code: the join form with the code.
func (d *Deps) joinURL(c *fiber.Ctx, w *models.Workshop) string {
	return d.base(c) + "/w/" + url.PathEscape(w.Slug) + "/join?code=" + url.QueryEscape(w.JoinCode)
}

// moderated returns the workshop of the request if the viewer runs it.
func (d *Deps) moderated(c *fiber.Ctx) (*models.Workshop, error) {
	w, err := d.Svc.Workshop(c.UserContext(), Actor(c), param(c, "slug"))
	if err != nil {
		return nil, err
	}
	if err := allow(auth.EditWorkshop(Actor(c), w.Facts())); err != nil {
		return nil, err
	}
	return w, nil
}

// wallIdea returns a moderated workshop and one of its ideas shown on the wall.
func (d *Deps) wallIdea(c *fiber.Ctx) (*models.Workshop, *models.Idea, error) {
	w, err := d.moderated(c)
	if err != nil {
		return nil, nil, err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return nil, nil, err
	}
	view, err := d.Svc.Idea(c.UserContext(), Actor(c), id)
	if err != nil {
		return nil, nil, err
	}
	if view.Idea.WorkshopID != w.ID || view.Idea.HiddenOnWall {
		return nil, nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	return w, view.Idea, nil
}

// renderPart writes one template of a page's set without the site layout:
// the wall, which is a document of its own, and the fragments its script
// fetches.
func (r *Renderer) renderPart(c *fiber.Ctx, status int, page, name string, data any) error {
	t, ok := r.pages[page]
	if !ok {
		return fmt.Errorf("render: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render %s/%s: %w", page, name, err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}
