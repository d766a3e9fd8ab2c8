package handlers

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/forms"
	"werkstatt/app/markdown"
	"werkstatt/models"
)

type replyJSON struct {
	ID        uint64     `json:"id"`
	Body      string     `json:"body"`
	BodyHTML  string     `json:"body_html"`
	Author    authorJSON `json:"author"`
	CreatedAt time.Time  `json:"created_at"`
}

func toReply(r *models.AnnotationReply) replyJSON {
	return replyJSON{ID: r.ID, Body: r.Body, BodyHTML: string(markdown.Render(r.Body)), Author: toAuthor(&r.Author), CreatedAt: r.CreatedAt}
}

type annotationJSON struct {
	ID           uint64      `json:"id"`
	ScreenID     uint64      `json:"screen_id"`
	Number       int         `json:"number"`
	Kind         string      `json:"kind"` // "pin" or "area"
	X            float64     `json:"x"`
	Y            float64     `json:"y"`
	W            float64     `json:"w"`
	H            float64     `json:"h"`
	Body         string      `json:"body"`
	BodyHTML     string      `json:"body_html"`
	Author       authorJSON  `json:"author"`
	Replies      []replyJSON `json:"replies"`
	RepliesCount int64       `json:"replies_count"`
	MeToo        int64       `json:"me_too"`
	MeTooByMe    bool        `json:"me_too_by_me"`
	Resolved     bool        `json:"resolved"`
	IdeaID       *uint64     `json:"idea_id"`
	CreatedAt    time.Time   `json:"created_at"`
}

func toAnnotation(a *models.Annotation, mine bool) annotationJSON {
	kind := "area"
	if a.Pin() {
		kind = "pin"
	}
	out := annotationJSON{ID: a.ID, ScreenID: a.ScreenID, Number: a.Number, Kind: kind, X: a.X, Y: a.Y, W: a.W, H: a.H,
		Body: a.Body, BodyHTML: string(markdown.Render(a.Body)), Author: toAuthor(&a.Author),
		Replies: make([]replyJSON, len(a.Replies)), RepliesCount: a.RepliesCount, MeToo: a.MeTooCount,
		MeTooByMe: mine, Resolved: a.Resolved, IdeaID: a.IdeaID, CreatedAt: a.CreatedAt}
	for i := range a.Replies {
		out.Replies[i] = toReply(&a.Replies[i])
	}
	return out
}

// APIAnnotations: GET /api/v1/screens/:id/annotations, as our JSON or, with
// Accept: application/ld+json, as a W3C Web Annotation page.
func APIAnnotations(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		anns, view, err := d.Svc.Annotations(c.UserContext(), Actor(c), id)
		if err != nil {
			return err
		}
		if wantsJSONLD(c) {
			return d.annotationPage(c, view.Screen, anns)
		}
		ids := make([]uint64, len(anns))
		for i := range anns {
			ids[i] = anns[i].ID
		}
		mine, err := d.Svc.MeTooBy(c.UserContext(), Actor(c).UserID, ids)
		if err != nil {
			return err
		}
		out := list[annotationJSON]{Items: make([]annotationJSON, len(anns))}
		for i := range anns {
			out.Items[i] = toAnnotation(&anns[i], mine[anns[i].ID])
		}
		return c.JSON(out)
	}
}

func wantsJSONLD(c *fiber.Ctx) bool {
	a := c.Get(fiber.HeaderAccept)
	return strings.Contains(a, "application/ld+json") || c.Query("format") == "jsonld"
}

// APICreateAnnotation: POST /api/v1/screens/:id/annotations {x, y, w, h, body}.
func APICreateAnnotation(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var f forms.Annotation
		if err := parseBody(c, &f); err != nil {
			return err
		}
		a, err := d.Svc.Annotate(c.UserContext(), Actor(c), id, f)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(toAnnotation(a, false))
	}
}

// APIReplyAnnotation: POST /api/v1/annotations/:id/replies {body}.
func APIReplyAnnotation(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var f forms.Comment
		if err := parseBody(c, &f); err != nil {
			return err
		}
		r, err := d.Svc.ReplyAnnotation(c.UserContext(), Actor(c), id, f)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(toReply(r))
	}
}

// APIMeToo: PUT /api/v1/annotations/:id/me-too.
func APIMeToo(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		n, err := d.Svc.MeToo(c.UserContext(), Actor(c), id)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"annotation_id": id, "me_too": n, "me_too_by_me": true})
	}
}

// APIPromoteAnnotation: POST /api/v1/annotations/:id/promote → 201 {idea_id}.
func APIPromoteAnnotation(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		idea, err := d.Svc.PromoteAnnotation(c.UserContext(), Actor(c), id)
		if err != nil {
			return err
		}
		c.Location("/api/v1/ideas/" + itoa(idea.ID))
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"idea_id": idea.ID, "annotation_id": id,
			"url": d.base(c) + ideaPath(idea.ID)})
	}
}

// APIResolveAnnotation: POST /api/v1/annotations/:id/resolve {resolved}.
func APIResolveAnnotation(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		in := struct {
			Resolved *bool `json:"resolved"`
		}{}
		if len(c.Body()) > 0 {
			if err := parseBody(c, &in); err != nil {
				return err
			}
		}
		resolved := in.Resolved == nil || *in.Resolved
		a, err := d.Svc.ResolveAnnotation(c.UserContext(), Actor(c), id, resolved)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"annotation_id": a.ID, "resolved": a.Resolved})
	}
}
