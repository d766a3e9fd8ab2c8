package services

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/app/live"
	"werkstatt/models"
)

// ListWorkshops lists what the actor may see: drafts only for staff.
func (s *Services) ListWorkshops(ctx context.Context, actor auth.Actor) ([]models.WorkshopWithCounts, error) {
	ws, err := models.ListWorkshops(ctx, s.DB, auth.ManageWorkshops(actor).Ok())
	return ws, dbErr(err)
}

// Workshop returns a workshop the actor may see; NotFound otherwise, so
// drafts do not reveal that they exist.
func (s *Services) Workshop(ctx context.Context, actor auth.Actor, slug string) (*models.Workshop, error) {
	w, err := models.WorkshopBySlug(ctx, s.DB, slug)
	if err != nil {
		return nil, dbErr(err)
	}
	if err := deny(auth.ViewWorkshop(actor, w.Facts())); err != nil {
		return nil, err
	}
	return w, nil
}

// CreateWorkshop creates a draft workshop with a fresh join code.
func (s *Services) CreateWorkshop(ctx context.Context, actor auth.Actor, f forms.Workshop) (*models.Workshop, error) {
	if err := deny(auth.ManageWorkshops(actor)); err != nil {
		return nil, err
	}
	if err := f.Validate(true); err != nil {
		return nil, err
	}
	w := &models.Workshop{Title: *f.Title, Phase: auth.PhaseDraft, CreatedByID: actor.UserID}
	if f.Description != nil {
		w.Description = *f.Description
	}
	err := models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		slug, err := s.freeSlug(tx, f.Slug, *f.Title, 0)
		if err != nil {
			return err
		}
		w.Slug = slug
		return createWithJoinCode(tx, w)
	})
	return w, dbErr(err)
}

// createWithJoinCode inserts w with a fresh join code.
func createWithJoinCode(tx *gorm.DB, w *models.Workshop) error {
	code, err := freeJoinCode(tx)
	if err != nil {
		return err
	}
	w.JoinCode = code
	return tx.Create(w).Error
}

// freeJoinCode draws a join code that no workshop has. The unique index
// still guards the rare race between two transactions.
func freeJoinCode(tx *gorm.DB) (string, error) {
	for range 5 {
		code := auth.NewJoinCode()
		var n int64
		if err := tx.Model(&models.Workshop{}).Where("join_code = ?", code).Count(&n).Error; err != nil {
			return "", err
		}
		if n == 0 {
			return code, nil
		}
	}
	return "", fmt.Errorf("no free join code after 5 draws")
}

// freeSlug returns the wanted slug if free (Conflict if taken), or one
// derived from the title with a number added until it is free.
func (s *Services) freeSlug(tx *gorm.DB, wanted *string, title string, selfID uint64) (string, error) {
	taken := func(slug string) (bool, error) {
		var n int64
		err := tx.Model(&models.Workshop{}).Where("slug = ? AND id <> ?", slug, selfID).Count(&n).Error
		return n > 0, err
	}
	if wanted != nil && *wanted != "" {
		t, err := taken(*wanted)
		if err == nil && t {
			return "", &apperr.Error{Code: apperr.Conflict, Key: "workshop.slug_taken",
				Fields: []apperr.FieldError{{Field: "slug", Key: "workshop.slug_taken"}}}
		}
		return *wanted, err
	}
	base := Slugify(title)
	for i := 1; i < 1000; i++ {
		slug := base
		if i > 1 {
			slug = fmt.Sprintf("%s-%d", base, i)
		}
		t, err := taken(slug)
		if err != nil || !t {
			return slug, err
		}
	}
	return "", fmt.Errorf("no free slug for %q", base)
}

// Slugify makes an address from a German title: "Bürgerservice-App" →
// "buergerservice-app".
func Slugify(title string) string {
	r := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "ae", "Ö", "oe", "Ü", "ue", "ß", "ss")
	t := norm.NFKD.String(r.Replace(strings.ToLower(norm.NFC.String(title))))
	var b strings.Builder
	dash := false
	for _, c := range t {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteRune(c)
			dash = false
		case c < 0x80 && !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	slug := strings.Trim(b.String(), "-")
	if len(slug) > 60 {
		slug = strings.Trim(slug[:60], "-")
	}
	if len(slug) < 3 {
		slug = "werkstatt-" + slug
	}
	return strings.Trim(slug, "-")
}

// UpdateWorkshop changes texts, slug, phase or join code. A phase change is
// checked against the phase rules and logged in the same transaction.
func (s *Services) UpdateWorkshop(ctx context.Context, actor auth.Actor, slug string, f forms.Workshop) (*models.Workshop, error) {
	if err := f.Validate(false); err != nil {
		return nil, err
	}
	var w models.Workshop
	var events []pendingEvent
	err := models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		events = nil
		if err := tx.Where("slug = ?", slug).Take(&w).Error; err != nil {
			return err
		}
		if err := deny(auth.EditWorkshop(actor, w.Facts())); err != nil {
			return err
		}
		if f.Title != nil {
			w.Title = *f.Title
		}
		if f.Description != nil {
			w.Description = *f.Description
		}
		if f.Slug != nil && *f.Slug != "" && *f.Slug != w.Slug {
			newSlug, err := s.freeSlug(tx, f.Slug, w.Title, w.ID)
			if err != nil {
				return err
			}
			w.Slug = newSlug
		}
		if f.RegenerateCode {
			code, err := freeJoinCode(tx)
			if err != nil {
				return err
			}
			w.JoinCode = code
		}
		if f.Phase != nil && auth.Phase(*f.Phase) != w.Phase {
			reason := ""
			if f.Reason != nil {
				reason = *f.Reason
			}
			if err := changePhase(tx, &w, actor, auth.Phase(*f.Phase), reason); err != nil {
				return err
			}
			events = append(events, pendingEvent{live.PhaseChanged, map[string]any{"phase": w.Phase}})
		}
		if ev, err := applyLiveSettings(&w, f); err != nil {
			return err
		} else if ev != nil {
			events = append(events, *ev)
		}
		return tx.Save(&w).Error
	})
	if models.IsDuplicate(err) {
		return nil, apperr.Wrap(err, apperr.Conflict, "workshop.slug_taken")
	}
	if err != nil {
		return nil, dbErr(err)
	}
	for _, e := range events {
		s.Live.Publish(ctx, w.ID, e.name, e.data)
	}
	return &w, nil
}

type pendingEvent struct {
	name string
	data any
}

// NextPhases lists the phases a workshop may move to from p.
func NextPhases(p auth.Phase) []auth.Phase {
	switch p {
	case auth.PhaseDraft:
		return []auth.Phase{auth.PhaseOpen}
	case auth.PhaseOpen:
		return []auth.Phase{auth.PhaseVoting}
	case auth.PhaseVoting:
		return []auth.Phase{auth.PhaseClosed}
	case auth.PhaseClosed:
		return []auth.Phase{auth.PhaseVoting}
	}
	return nil
}

// changePhase moves w one step forward, or from closed back to voting with
// a reason, and records the move.
func changePhase(tx *gorm.DB, w *models.Workshop, actor auth.Actor, to auth.Phase, reason string) error {
	allowed := false
	for _, p := range NextPhases(w.Phase) {
		allowed = allowed || p == to
	}
	if !allowed {
		return &apperr.Error{Code: apperr.Conflict, Key: "phase.not_allowed", Args: []any{string(w.Phase), string(to)}}
	}
	if w.Phase == auth.PhaseClosed && reason == "" {
		return &apperr.Error{Code: apperr.Invalid, Key: "phase.reason_required",
			Fields: []apperr.FieldError{{Field: "reason", Key: "phase.reason_required"}}}
	}
	change := models.PhaseChange{WorkshopID: w.ID, ActorID: actor.UserID, FromPhase: w.Phase, ToPhase: to, Reason: reason}
	if err := tx.Create(&change).Error; err != nil {
		return err
	}
	w.Phase = to
	return nil
}

// PhaseChanges lists a workshop's phase history, newest first.
func (s *Services) PhaseChanges(ctx context.Context, w *models.Workshop) ([]models.PhaseChange, error) {
	var out []models.PhaseChange
	err := s.DB.WithContext(ctx).Where("workshop_id = ?", w.ID).Order("created_at DESC, id DESC").Find(&out).Error
	return out, dbErr(err)
}
