package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/app/services"
	"werkstatt/models"
)

func ideaPath(id uint64) string { return "/ideas/" + strconv.FormatUint(id, 10) }

// IdeaPage shows one idea with its comments.
type IdeaPage struct {
	Page
	View       *services.IdeaView
	Comments   []models.Comment
	CanVote    bool
	DotVoting  bool // votes are dots, placed on the workshop page
	CanComment bool
	MustJoin   bool
	Form       forms.Comment

	// The annotation the idea was promoted from, with its screen; nil if none
	// or if the viewer may not see the screen.
	FromAnnotation *models.Annotation
	FromScreen     *services.ScreenView
}

// ShowIdea renders /ideas/:id.
func ShowIdea(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := d.ideaPage(c)
		if err != nil {
			return err
		}
		return d.Views.Render(c, fiber.StatusOK, "ideas/show", p)
	}
}

func (d *Deps) ideaPage(c *fiber.Ctx) (*IdeaPage, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	actor := Actor(c)
	view, err := d.Svc.Idea(c.UserContext(), actor, id)
	if err != nil {
		return nil, err
	}
	comments, err := d.Svc.Comments(c.UserContext(), actor, id)
	if err != nil {
		return nil, err
	}
	facts := view.Workshop.Facts()
	p := &IdeaPage{Page: d.newPage(c, ""), View: view, Comments: comments,
		CanComment: auth.Comment(actor, facts).Ok(), DotVoting: view.Workshop.VotingMode == services.VotingDots}
	p.CanVote = auth.Vote(actor, facts).Ok() && !p.DotVoting
	p.MustJoin = !actor.LoggedIn() && (facts.Phase == auth.PhaseOpen || facts.Phase == auth.PhaseVoting)
	p.Title = view.Idea.Title
	if a, err := d.Svc.IdeaAnnotation(c.UserContext(), view.Idea); err != nil {
		return nil, err
	} else if a != nil {
		if sv, err := d.Svc.Screen(c.UserContext(), actor, a.ScreenID); err == nil {
			p.FromAnnotation, p.FromScreen = a, sv
		}
	}
	return p, nil
}

// VoteIdea and UnvoteIdea are the vote button's form posts.
func VoteIdea(d *Deps, on bool) fiber.Handler {
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
		// The page's script asks for JSON to update the count in place.
		if c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) == fiber.MIMEApplicationJSON {
			return c.JSON(voteJSON{IdeaID: id, Votes: res.Votes, Voted: res.Voted})
		}
		back := safeNext(c.FormValue("back"))
		if back == "/" {
			back = ideaPath(id)
		}
		return redirect(c, back)
	}
}

// CreateComment handles the comment form.
func CreateComment(d *Deps) fiber.Handler {
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
			p, perr := d.ideaPage(c)
			if perr != nil || !p.withErrors(err) {
				return err
			}
			p.Form = f
			return d.Views.Render(c, fiber.StatusUnprocessableEntity, "ideas/show", p)
		}
		d.flash(c, "comment.posted")
		return redirect(c, ideaPath(id)+"#comment-"+strconv.FormatUint(cm.ID, 10))
	}
}
