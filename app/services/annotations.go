package services

import (
	"context"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/models"
)

// Annotations lists a screen's annotations by number, with replies.
func (s *Services) Annotations(ctx context.Context, actor auth.Actor, screenID uint64) ([]models.Annotation, *ScreenView, error) {
	view, err := s.Screen(ctx, actor, screenID)
	if err != nil {
		return nil, nil, err
	}
	var out []models.Annotation
	err = s.DB.WithContext(ctx).Preload("Author").
		Preload("Replies", func(db *gorm.DB) *gorm.DB { return db.Order("created_at, id") }).
		Preload("Replies.Author").
		Where("screen_id = ?", screenID).Order("number").Find(&out).Error
	return out, view, dbErr(err)
}

// annotationView loads an annotation with its screen, prototype and workshop.
func (s *Services) annotationView(ctx context.Context, actor auth.Actor, id uint64) (*models.Annotation, *ScreenView, error) {
	var a models.Annotation
	if err := s.DB.WithContext(ctx).Preload("Author").Take(&a, id).Error; err != nil {
		return nil, nil, dbErr(err)
	}
	view, err := s.Screen(ctx, actor, a.ScreenID)
	return &a, view, err
}

// Annotate pins a comment on the current version of a screen. Numbers count
// up per screen; the unique (screen, number) index settles races.
func (s *Services) Annotate(ctx context.Context, actor auth.Actor, screenID uint64, f forms.Annotation) (*models.Annotation, error) {
	view, err := s.Screen(ctx, actor, screenID)
	if err != nil {
		return nil, err
	}
	if err := deny(auth.Annotate(actor, view.Workshop.Facts())); err != nil {
		return nil, err
	}
	if !view.Screen.Current() {
		return nil, apperr.New(apperr.Conflict, "screen.not_current")
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	a := &models.Annotation{ScreenID: screenID, AuthorID: actor.UserID, X: f.X, Y: f.Y, W: f.W, H: f.H, Body: f.Body}
	for attempt := 0; ; attempt++ {
		a.ID = 0
		err = models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
			if err := lockedPhase(tx, view.Workshop); err != nil {
				return err
			}
			if err := deny(auth.Annotate(actor, view.Workshop.Facts())); err != nil {
				return err
			}
			if err := tx.Model(&models.Annotation{}).Where("screen_id = ?", screenID).
				Select("COALESCE(MAX(number), 0) + 1").Row().Scan(&a.Number); err != nil {
				return err
			}
			if err := tx.Create(a).Error; err != nil {
				return err
			}
			return tx.Preload("Author").Take(a, a.ID).Error
		})
		if !models.IsDuplicate(err) || attempt == 4 {
			break
		}
	}
	return a, dbErr(err)
}

// ReplyAnnotation answers an annotation in its thread.
func (s *Services) ReplyAnnotation(ctx context.Context, actor auth.Actor, id uint64, f forms.Comment) (*models.AnnotationReply, error) {
	a, view, err := s.annotationView(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := deny(auth.ReplyAnnotation(actor, view.Workshop.Facts())); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	r := &models.AnnotationReply{AnnotationID: a.ID, AuthorID: actor.UserID, Body: f.Body}
	err = models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		if err := tx.Create(r).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.Annotation{}).Where("id = ?", a.ID).
			UpdateColumn("replies_count", gorm.Expr("replies_count + 1")).Error; err != nil {
			return err
		}
		return tx.Preload("Author").Take(r, r.ID).Error
	})
	return r, dbErr(err)
}

// MeToo records that the actor shares an annotation's point; once per
// person, counted exactly.
func (s *Services) MeToo(ctx context.Context, actor auth.Actor, id uint64) (int64, error) {
	a, view, err := s.annotationView(ctx, actor, id)
	if err != nil {
		return 0, err
	}
	if err := deny(auth.ReplyAnnotation(actor, view.Workshop.Facts())); err != nil {
		return 0, err
	}
	var count int64
	err = models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		r := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.AnnotationMeToo{AnnotationID: a.ID, UserID: actor.UserID})
		if r.Error != nil {
			return r.Error
		}
		if r.RowsAffected == 1 {
			if err := tx.Model(&models.Annotation{}).Where("id = ?", a.ID).
				UpdateColumn("me_too_count", gorm.Expr("me_too_count + 1")).Error; err != nil {
				return err
			}
		}
		return tx.Model(&models.Annotation{}).Select("me_too_count").Where("id = ?", a.ID).Row().Scan(&count)
	})
	return count, dbErr(err)
}

// MeTooBy returns which of the annotations the user said "me too" to.
func (s *Services) MeTooBy(ctx context.Context, userID uint64, ids []uint64) (map[uint64]bool, error) {
	out := map[uint64]bool{}
	if userID == 0 || len(ids) == 0 {
		return out, nil
	}
	var got []uint64
	err := s.DB.WithContext(ctx).Model(&models.AnnotationMeToo{}).
		Where("user_id = ? AND annotation_id IN ?", userID, ids).Pluck("annotation_id", &got).Error
	for _, id := range got {
		out[id] = true
	}
	return out, dbErr(err)
}

// PromoteAnnotation turns an annotation into an idea of the same workshop.
// The idea links back to the screen and position; the annotation shows that
// it became an idea. Promoting twice is a conflict that names the idea.
func (s *Services) PromoteAnnotation(ctx context.Context, actor auth.Actor, id uint64) (*models.Idea, error) {
	a, view, err := s.annotationView(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := deny(auth.PromoteAnnotation(actor, view.Workshop.Facts(), a.AuthorID)); err != nil {
		return nil, err
	}
	if a.IdeaID != nil {
		return nil, apperr.New(apperr.Conflict, "annotation.already_promoted", *a.IdeaID)
	}
	aid := a.ID
	idea := &models.Idea{WorkshopID: view.Workshop.ID, AuthorID: a.AuthorID, Title: ideaTitle(a.Body),
		Body: a.Body, AnnotationID: &aid}
	err = models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		if err := tx.Create(idea).Error; err != nil {
			return err
		}
		r := tx.Model(&models.Annotation{}).Where("id = ? AND idea_id IS NULL", a.ID).Update("idea_id", idea.ID)
		if r.Error == nil && r.RowsAffected != 1 {
			// Promoted by someone else meanwhile: name their idea.
			var other models.Annotation
			if err := tx.Select("idea_id").Take(&other, a.ID).Error; err != nil || other.IdeaID == nil {
				return apperr.New(apperr.Conflict, "error.conflict")
			}
			return apperr.New(apperr.Conflict, "annotation.already_promoted", *other.IdeaID)
		}
		if r.Error != nil {
			return r.Error
		}
		return tx.Preload("Author").Take(idea, idea.ID).Error
	})
	return idea, dbErr(err)
}

// ideaTitle makes a title from the first line of an annotation.
func ideaTitle(body string) string {
	line := strings.TrimSpace(strings.SplitN(body, "\n", 2)[0])
	line = strings.TrimLeft(line, "#>*- ")
	if utf8.RuneCountInString(line) > forms.MaxTitle {
		r := []rune(line)
		line = strings.TrimSpace(string(r[:forms.MaxTitle-1])) + "…"
	}
	for utf8.RuneCountInString(line) < 3 {
		line += " …" // titles need three characters; keep the author's words
	}
	return line
}

// ResolveAnnotation marks an annotation as dealt with, or not.
func (s *Services) ResolveAnnotation(ctx context.Context, actor auth.Actor, id uint64, resolved bool) (*models.Annotation, error) {
	a, view, err := s.annotationView(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := deny(auth.ResolveAnnotation(actor, view.Workshop.Facts())); err != nil {
		return nil, err
	}
	a.Resolved = resolved
	err = models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		return tx.Model(&models.Annotation{}).Where("id = ?", a.ID).Update("resolved", resolved).Error
	})
	return a, dbErr(err)
}

// IdeaAnnotation returns the annotation an idea was promoted from, if any.
func (s *Services) IdeaAnnotation(ctx context.Context, idea *models.Idea) (*models.Annotation, error) {
	if idea.AnnotationID == nil {
		return nil, nil
	}
	var a models.Annotation
	err := s.DB.WithContext(ctx).Take(&a, *idea.AnnotationID).Error
	if models.IsNotFound(err) {
		return nil, nil
	}
	return &a, dbErr(err)
}
