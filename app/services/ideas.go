package services

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/app/live"
	"werkstatt/models"
)

// MaxPage is the most ideas one list request returns.
const MaxPage = 200

// IdeaList is one page of a workshop's ideas and what the actor voted for.
type IdeaList struct {
	Ideas []models.Idea
	Voted map[uint64]bool
	Total int64
}

// Ideas lists a workshop's ideas in the given order.
func (s *Services) Ideas(ctx context.Context, actor auth.Actor, w *models.Workshop, sort models.IdeaSort, limit, offset int) (*IdeaList, error) {
	if err := deny(auth.ViewWorkshop(actor, w.Facts())); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	offset = max(offset, 0)
	ideas, err := models.IdeasOfWorkshop(ctx, s.DB, w.ID, sort, limit, offset)
	if err != nil {
		return nil, dbErr(err)
	}
	total, err := models.CountIdeas(ctx, s.DB, w.ID)
	if err != nil {
		return nil, dbErr(err)
	}
	ids := make([]uint64, len(ideas))
	for i, idea := range ideas {
		ids[i] = idea.ID
	}
	voted, err := models.VotedBy(ctx, s.DB, actor.UserID, ids)
	return &IdeaList{Ideas: ideas, Voted: voted, Total: total}, dbErr(err)
}

// IdeaView is an idea with its workshop and whether the actor voted.
type IdeaView struct {
	Idea     *models.Idea
	Workshop *models.Workshop
	Voted    bool
}

// Idea returns an idea the actor may see.
func (s *Services) Idea(ctx context.Context, actor auth.Actor, id uint64) (*IdeaView, error) {
	idea, err := models.IdeaByID(ctx, s.DB, id)
	if err != nil {
		return nil, dbErr(err)
	}
	w, err := models.WorkshopByID(ctx, s.DB, idea.WorkshopID)
	if err != nil {
		return nil, dbErr(err)
	}
	if err := deny(auth.ViewWorkshop(actor, w.Facts())); err != nil {
		return nil, err
	}
	voted, err := models.VotedBy(ctx, s.DB, actor.UserID, []uint64{id})
	return &IdeaView{Idea: idea, Workshop: w, Voted: voted[id]}, dbErr(err)
}

// PostIdea adds an idea to a workshop that is open.
func (s *Services) PostIdea(ctx context.Context, actor auth.Actor, slug string, f forms.Idea) (*models.Idea, error) {
	w, err := s.Workshop(ctx, actor, slug)
	if err != nil {
		return nil, err
	}
	if err := deny(auth.PostIdea(actor, w.Facts())); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	idea := &models.Idea{WorkshopID: w.ID, AuthorID: actor.UserID, Title: f.Title, Body: f.Body}
	err = models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		// Re-check the phase inside the transaction: a moderator may have
		// closed the workshop since it was read.
		if err := lockedPhase(tx, w); err != nil {
			return err
		}
		if err := deny(auth.PostIdea(actor, w.Facts())); err != nil {
			return err
		}
		if err := tx.Create(idea).Error; err != nil {
			return err
		}
		return tx.Preload("Author").Take(idea, idea.ID).Error
	})
	if err != nil {
		return nil, dbErr(err)
	}
	s.Live.Publish(ctx, w.ID, live.IdeaCreated, map[string]any{"idea_id": idea.ID})
	return idea, nil
}

// lockedPhase re-reads the workshop's phase within tx.
func lockedPhase(tx *gorm.DB, w *models.Workshop) error {
	return tx.Model(&models.Workshop{}).Select("phase").Where("id = ?", w.ID).Row().Scan(&w.Phase)
}

// VoteResult is the state after a vote or its withdrawal.
type VoteResult struct {
	Votes int64
	Voted bool
}

// Vote gives the actor's support to an idea; voting twice counts once. The
// unique (idea, user) index decides, so the count is exact under any timing.
func (s *Services) Vote(ctx context.Context, actor auth.Actor, ideaID uint64) (*VoteResult, error) {
	return s.setVote(ctx, actor, ideaID, true)
}

// Unvote takes the actor's support back; doing it twice is harmless.
func (s *Services) Unvote(ctx context.Context, actor auth.Actor, ideaID uint64) (*VoteResult, error) {
	return s.setVote(ctx, actor, ideaID, false)
}

func (s *Services) setVote(ctx context.Context, actor auth.Actor, ideaID uint64, on bool) (*VoteResult, error) {
	res := &VoteResult{Voted: on}
	var workshopID uint64
	err := models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		var idea models.Idea
		if err := tx.Select("id", "workshop_id").Take(&idea, ideaID).Error; err != nil {
			return err
		}
		var w models.Workshop
		if err := tx.Take(&w, idea.WorkshopID).Error; err != nil {
			return err
		}
		if err := deny(auth.Vote(actor, w.Facts())); err != nil {
			return err
		}
		if w.VotingMode == VotingDots {
			return apperr.New(apperr.Conflict, "vote.dots_mode")
		}
		workshopID = w.ID
		var changed int64
		if on {
			r := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.Vote{IdeaID: ideaID, UserID: actor.UserID})
			if r.Error != nil {
				return r.Error
			}
			changed = r.RowsAffected
		} else {
			r := tx.Where("idea_id = ? AND user_id = ?", ideaID, actor.UserID).Delete(&models.Vote{})
			if r.Error != nil {
				return r.Error
			}
			changed = -r.RowsAffected
		}
		if changed != 0 {
			if err := tx.Model(&models.Idea{}).Where("id = ?", ideaID).
				UpdateColumn("votes_count", gorm.Expr("votes_count + ?", changed)).Error; err != nil {
				return err
			}
		}
		return tx.Model(&models.Idea{}).Select("votes_count").Where("id = ?", ideaID).Row().Scan(&res.Votes)
	})
	if err != nil {
		return nil, dbErr(err)
	}
	s.Live.VoteChanged(workshopID, ideaID)
	return res, nil
}

// Comments lists an idea's comments.
func (s *Services) Comments(ctx context.Context, actor auth.Actor, ideaID uint64) ([]models.Comment, error) {
	if _, err := s.Idea(ctx, actor, ideaID); err != nil {
		return nil, err
	}
	cs, err := models.CommentsOfIdea(ctx, s.DB, ideaID)
	return cs, dbErr(err)
}

// PostComment answers an idea while its workshop is open or voting.
func (s *Services) PostComment(ctx context.Context, actor auth.Actor, ideaID uint64, f forms.Comment) (*models.Comment, error) {
	view, err := s.Idea(ctx, actor, ideaID)
	if err != nil {
		return nil, err
	}
	if err := deny(auth.Comment(actor, view.Workshop.Facts())); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	c := &models.Comment{IdeaID: ideaID, AuthorID: actor.UserID, Body: f.Body}
	err = models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		if err := lockedPhase(tx, view.Workshop); err != nil {
			return err
		}
		if err := deny(auth.Comment(actor, view.Workshop.Facts())); err != nil {
			return err
		}
		if err := tx.Create(c).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.Idea{}).Where("id = ?", ideaID).
			UpdateColumn("comments_count", gorm.Expr("comments_count + 1")).Error; err != nil {
			return err
		}
		return tx.Preload("Author").Take(c, c.ID).Error
	})
	return c, dbErr(err)
}
