package handlers

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/auth"
	"werkstatt/app/markdown"
	"werkstatt/models"
)

// The JSON shapes of the API. Ids are numbers.

type userJSON struct {
	ID    uint64 `json:"id"`
	Name  string `json:"name"`
	Role  string `json:"role"`
	Guest bool   `json:"guest"`
}

func toUser(u *models.User) userJSON {
	return userJSON{ID: u.ID, Name: u.Name, Role: string(u.Role), Guest: u.Guest}
}

type authorJSON struct {
	ID    uint64 `json:"id"`
	Name  string `json:"name"`
	Guest bool   `json:"guest"`
}

func toAuthor(u *models.User) authorJSON { return authorJSON{ID: u.ID, Name: u.Name, Guest: u.Guest} }

type workshopJSON struct {
	ID              uint64    `json:"id"`
	Slug            string    `json:"slug"`
	Title           string    `json:"title"`
	Description     string    `json:"description"`
	DescriptionHTML string    `json:"description_html"`
	Phase           string    `json:"phase"`
	IdeasCount      *int64    `json:"ideas_count,omitempty"`
	JoinCode        string    `json:"join_code,omitempty"` // staff only
	JoinURL         string    `json:"join_url,omitempty"`  // staff only
	URL             string    `json:"url"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

func (d *Deps) toWorkshop(actor auth.Actor, w *models.Workshop) workshopJSON {
	out := workshopJSON{ID: w.ID, Slug: w.Slug, Title: w.Title, Description: w.Description,
		DescriptionHTML: string(markdown.Render(w.Description)), Phase: string(w.Phase),
		URL: d.Cfg.BaseURL + "/w/" + w.Slug, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
	if auth.EditWorkshop(actor, w.Facts()).Ok() {
		out.JoinCode = w.JoinCode
		out.JoinURL = d.Cfg.BaseURL + "/w/" + w.Slug + "/join?code=" + w.JoinCode
	}
	return out
}

type ideaJSON struct {
	ID        uint64     `json:"id"`
	Workshop  string     `json:"workshop"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	BodyHTML  string     `json:"body_html"`
	Votes     int64      `json:"votes"`
	Comments  int64      `json:"comments"`
	Voted     bool       `json:"voted"`
	Author    authorJSON `json:"author"`
	URL       string     `json:"url"`
	CreatedAt time.Time  `json:"created_at"`
}

func (d *Deps) toIdea(idea *models.Idea, slug string, voted bool) ideaJSON {
	return ideaJSON{ID: idea.ID, Workshop: slug, Title: idea.Title, Body: idea.Body,
		BodyHTML: string(markdown.Render(idea.Body)), Votes: idea.VotesCount, Comments: idea.CommentsCount,
		Voted: voted, Author: toAuthor(&idea.Author), URL: d.Cfg.BaseURL + ideaPath(idea.ID), CreatedAt: idea.CreatedAt}
}

type commentJSON struct {
	ID        uint64     `json:"id"`
	IdeaID    uint64     `json:"idea_id"`
	Body      string     `json:"body"`
	BodyHTML  string     `json:"body_html"`
	Author    authorJSON `json:"author"`
	CreatedAt time.Time  `json:"created_at"`
}

func toComment(cm *models.Comment) commentJSON {
	return commentJSON{ID: cm.ID, IdeaID: cm.IdeaID, Body: cm.Body, BodyHTML: string(markdown.Render(cm.Body)),
		Author: toAuthor(&cm.Author), CreatedAt: cm.CreatedAt}
}

type list[T any] struct {
	Items []T    `json:"items"`
	Total *int64 `json:"total,omitempty"`
}

// queryInt reads a non-negative integer query parameter.
func queryInt(c *fiber.Ctx, name string, def int) (int, bool) {
	v := c.Query(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0
}
