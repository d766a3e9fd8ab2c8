package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/forms"
)

func itoa(id uint64) string { return strconv.FormatUint(id, 10) }

// APIIdea: GET /api/v1/ideas/:id.
func APIIdea(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		v, err := d.Svc.Idea(c.UserContext(), Actor(c), id)
		if err != nil {
			return err
		}
		return c.JSON(d.toIdea(v.Idea, v.Workshop.Slug, v.Voted))
	}
}

type voteJSON struct {
	IdeaID uint64 `json:"idea_id"`
	Votes  int64  `json:"votes"`
	Voted  bool   `json:"voted"`
}

// APIVote: PUT (on) and DELETE (off) /api/v1/ideas/:id/vote.
func APIVote(d *Deps, on bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		vote := d.Svc.Unvote
		if on {
			vote = d.Svc.Vote
		}
		res, err := vote(c.UserContext(), Actor(c), id)
		if err != nil {
			return err
		}
		return c.JSON(voteJSON{IdeaID: id, Votes: res.Votes, Voted: res.Voted})
	}
}

// APIComments: GET /api/v1/ideas/:id/comments.
func APIComments(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		cs, err := d.Svc.Comments(c.UserContext(), Actor(c), id)
		if err != nil {
			return err
		}
		out := list[commentJSON]{Items: make([]commentJSON, len(cs))}
		for i := range cs {
			out.Items[i] = toComment(&cs[i])
		}
		return c.JSON(out)
	}
}

// APICreateComment: POST /api/v1/ideas/:id/comments.
func APICreateComment(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var f forms.Comment
		if err := parseBody(c, &f); err != nil {
			return err
		}
		cm, err := d.Svc.PostComment(c.UserContext(), Actor(c), id, f)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(toComment(cm))
	}
}
