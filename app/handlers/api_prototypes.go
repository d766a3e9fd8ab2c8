package handlers

import (
	"bytes"
	"mime/multipart"
	"time"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/apperr"
	"werkstatt/app/forms"
	"werkstatt/app/markdown"
	"werkstatt/models"
)

type screenJSON struct {
	ID           uint64    `json:"id"`
	PrototypeID  uint64    `json:"prototype_id"`
	Title        string    `json:"title"`
	Alt          string    `json:"alt"`
	Position     int       `json:"position"`
	Version      int       `json:"version"`
	Current      bool      `json:"current"`
	ReplacesID   *uint64   `json:"replaces_id"`
	ReplacedByID *uint64   `json:"replaced_by_id"`
	Width        int       `json:"width"`
	Height       int       `json:"height"`
	ImageURL     string    `json:"image_url"`
	DisplayURL   string    `json:"display_url"`
	ThumbnailURL string    `json:"thumbnail_url"`
	URL          string    `json:"url"`
	CreatedAt    time.Time `json:"created_at"`
}

func screenPath(id uint64) string { return "/screens/" + itoa(id) }

func (d *Deps) toScreen(c *fiber.Ctx, s *models.Screen) screenJSON {
	b := d.base(c)
	return screenJSON{ID: s.ID, PrototypeID: s.PrototypeID, Title: s.Title, Alt: s.Alt, Position: s.Position,
		Version: s.Version, Current: s.Current(), ReplacesID: s.ReplacesID, ReplacedByID: s.ReplacedByID,
		Width: s.Width, Height: s.Height, ImageURL: b + screenPath(s.ID) + "/image/original",
		DisplayURL: b + screenPath(s.ID) + "/image/display", ThumbnailURL: b + screenPath(s.ID) + "/image/thumb",
		URL: b + screenPath(s.ID), CreatedAt: s.CreatedAt}
}

type prototypeJSON struct {
	ID              uint64       `json:"id"`
	Workshop        string       `json:"workshop"`
	Title           string       `json:"title"`
	Description     string       `json:"description"`
	DescriptionHTML string       `json:"description_html"`
	LinkURL         string       `json:"link_url"`
	URL             string       `json:"url"`
	Screens         []screenJSON `json:"screens"`
	CreatedAt       time.Time    `json:"created_at"`
}

func (d *Deps) toPrototype(c *fiber.Ctx, p *models.Prototype, slug string, screens []models.Screen) prototypeJSON {
	out := prototypeJSON{ID: p.ID, Workshop: slug, Title: p.Title, Description: p.Description,
		DescriptionHTML: string(markdown.Render(p.Description)), LinkURL: p.LinkURL,
		URL: d.base(c) + "/prototypes/" + itoa(p.ID), Screens: make([]screenJSON, len(screens)), CreatedAt: p.CreatedAt}
	for i := range screens {
		out.Screens[i] = d.toScreen(c, &screens[i])
	}
	return out
}

// APICreatePrototype: POST /api/v1/workshops/:slug/prototypes.
func APICreatePrototype(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var f forms.Prototype
		if err := parseBody(c, &f); err != nil {
			return err
		}
		slug := param(c, "slug")
		p, err := d.Svc.CreatePrototype(c.UserContext(), Actor(c), slug, f)
		if err != nil {
			return err
		}
		c.Location("/api/v1/prototypes/" + itoa(p.ID))
		return c.Status(fiber.StatusCreated).JSON(d.toPrototype(c, p, slug, nil))
	}
}

// APIPrototypes: GET /api/v1/workshops/:slug/prototypes.
func APIPrototypes(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, err := d.Svc.Workshop(c.UserContext(), Actor(c), param(c, "slug"))
		if err != nil {
			return err
		}
		ps, err := d.Svc.Prototypes(c.UserContext(), Actor(c), w)
		if err != nil {
			return err
		}
		ids := make([]uint64, len(ps))
		for i := range ps {
			ids[i] = ps[i].ID
		}
		screens, err := d.Svc.CurrentScreens(c.UserContext(), ids)
		if err != nil {
			return err
		}
		out := list[prototypeJSON]{Items: make([]prototypeJSON, len(ps))}
		for i := range ps {
			out.Items[i] = d.toPrototype(c, &ps[i], w.Slug, screens[ps[i].ID])
		}
		return c.JSON(out)
	}
}

// APIPrototype: GET /api/v1/prototypes/:id.
func APIPrototype(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		v, err := d.Svc.Prototype(c.UserContext(), Actor(c), id)
		if err != nil {
			return err
		}
		return c.JSON(d.toPrototype(c, v.Prototype, v.Workshop.Slug, v.Screens))
	}
}

// APIUpdatePrototype: PATCH /api/v1/prototypes/:id.
func APIUpdatePrototype(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		// PATCH: fields left out keep their values.
		cur, err := d.Svc.Prototype(c.UserContext(), Actor(c), id)
		if err != nil {
			return err
		}
		f := forms.Prototype{Title: cur.Prototype.Title, Description: cur.Prototype.Description, LinkURL: cur.Prototype.LinkURL}
		if err := parseBody(c, &f); err != nil {
			return err
		}
		p, err := d.Svc.UpdatePrototype(c.UserContext(), Actor(c), id, f)
		if err != nil {
			return err
		}
		v, err := d.Svc.Prototype(c.UserContext(), Actor(c), p.ID)
		if err != nil {
			return err
		}
		return c.JSON(d.toPrototype(c, v.Prototype, v.Workshop.Slug, v.Screens))
	}
}

// uploadFile returns the multipart file field "file" as a reader.
func uploadFile(c *fiber.Ctx) (*bytes.Reader, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, apperr.Fields(apperr.FieldError{Field: "file", Key: "screen.file_missing"})
	}
	return readFileHeader(fh)
}

func readFileHeader(fh *multipart.FileHeader) (*bytes.Reader, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "screen.corrupt")
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "screen.corrupt")
	}
	return bytes.NewReader(buf.Bytes()), nil
}

// APIUploadScreen: POST /api/v1/prototypes/:id/screens (multipart: file, title, alt).
func APIUploadScreen(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		file, err := uploadFile(c)
		if err != nil {
			return err
		}
		f := forms.Screen{Title: c.FormValue("title"), Alt: c.FormValue("alt")}
		s, err := d.Svc.UploadScreen(c.UserContext(), Actor(c), id, f, file)
		if err != nil {
			return err
		}
		c.Location("/api/v1/screens/" + itoa(s.ID))
		return c.Status(fiber.StatusCreated).JSON(d.toScreen(c, s))
	}
}

// APIReplaceScreen: POST /api/v1/screens/:id/versions (multipart): a new
// version of the screen.
func APIReplaceScreen(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		file, err := uploadFile(c)
		if err != nil {
			return err
		}
		f := forms.Screen{Title: c.FormValue("title"), Alt: c.FormValue("alt")}
		s, err := d.Svc.ReplaceScreen(c.UserContext(), Actor(c), id, f, file)
		if err != nil {
			return err
		}
		c.Location("/api/v1/screens/" + itoa(s.ID))
		return c.Status(fiber.StatusCreated).JSON(d.toScreen(c, s))
	}
}

// APIScreen: GET /api/v1/screens/:id.
func APIScreen(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		v, err := d.Svc.Screen(c.UserContext(), Actor(c), id)
		if err != nil {
			return err
		}
		return c.JSON(d.toScreen(c, v.Screen))
	}
}

// APIUpdateScreen: PATCH /api/v1/screens/:id {title, alt}.
func APIUpdateScreen(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		cur, err := d.Svc.Screen(c.UserContext(), Actor(c), id)
		if err != nil {
			return err
		}
		f := forms.Screen{Title: cur.Screen.Title, Alt: cur.Screen.Alt}
		if err := parseBody(c, &f); err != nil {
			return err
		}
		s, err := d.Svc.UpdateScreen(c.UserContext(), Actor(c), id, f)
		if err != nil {
			return err
		}
		return c.JSON(d.toScreen(c, s))
	}
}
