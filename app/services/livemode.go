package services

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/app/live"
	"werkstatt/models"
)

// Voting modes of a workshop.
const (
	VotingSupport = "support" // one vote per person and idea
	VotingDots    = "dots"    // a budget of dots per person, a maximum per idea
)

// applyLiveSettings copies voting mode, dot limits and wall settings from f
// into w and says which event announces them.
func applyLiveSettings(w *models.Workshop, f forms.Workshop) (*pendingEvent, error) {
	changed := false
	if f.VotingMode != nil && *f.VotingMode != w.VotingMode {
		if w.Phase == auth.PhaseClosed {
			return nil, apperr.New(apperr.Conflict, "error.wrong_phase")
		}
		w.VotingMode, changed = *f.VotingMode, true
	}
	if f.DotBudget != nil {
		w.DotBudget, changed = *f.DotBudget, true
	}
	if f.DotsPerIdeaMax != nil {
		w.DotsPerIdeaMax, changed = *f.DotsPerIdeaMax, true
	}
	if w.DotsPerIdeaMax > w.DotBudget {
		return nil, apperr.Fields(apperr.FieldError{Field: "dots_per_idea_max", Key: "dots.max_over_budget"})
	}
	if f.WallView != nil {
		w.WallView, changed = *f.WallView, true
	}
	if f.HideCounts != nil {
		w.HideCounts, changed = *f.HideCounts, true
	}
	if !changed {
		return nil, nil
	}
	return &pendingEvent{live.WallChanged, WallSettings(w)}, nil
}

// WallSettings is what the wall and the phones need to know to show a
// workshop's live state.
func WallSettings(w *models.Workshop) map[string]any {
	return map[string]any{"voting_mode": w.VotingMode, "dot_budget": w.DotBudget,
		"dots_per_idea_max": w.DotsPerIdeaMax, "wall_view": w.WallView, "hide_counts": w.HideCounts}
}

// DotsResult is a person's dots on an idea after a change.
type DotsResult struct {
	Count    int   // this person's dots on the idea
	DotsLeft int   // what this person has left in the workshop
	Dots     int64 // the idea's total
}

// SetDots puts count of the actor's dots on an idea. The person's budget
// row is locked first (PostgreSQL; SQLite transactions are serial), and the
// update that spends dots carries the budget in its condition, so many taps
// at once from several devices can never overspend.
func (s *Services) SetDots(ctx context.Context, actor auth.Actor, ideaID uint64, f forms.Dots) (*DotsResult, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	res := &DotsResult{Count: *f.Count}
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
		workshopID = w.ID
		if err := deny(auth.Vote(actor, w.Facts())); err != nil {
			return err
		}
		if w.VotingMode != VotingDots {
			return apperr.New(apperr.Conflict, "dots.not_dot_voting")
		}
		used, err := lockBudget(tx, w.ID, actor.UserID)
		if err != nil {
			return err
		}
		var current int
		if err := tx.Model(&models.Dot{}).Select("COALESCE(MAX(count), 0)").
			Where("idea_id = ? AND user_id = ?", ideaID, actor.UserID).Row().Scan(&current); err != nil {
			return err
		}
		delta := *f.Count - current
		left := w.DotBudget - used
		if *f.Count > w.DotsPerIdeaMax {
			return &apperr.Error{Code: apperr.Conflict, Key: "dots.over_idea_max", Args: []any{w.DotsPerIdeaMax, left}}
		}
		r := tx.Model(&models.DotBudget{}).Where("workshop_id = ? AND user_id = ? AND used + ? <= ?", w.ID, actor.UserID, delta, w.DotBudget).
			UpdateColumn("used", gorm.Expr("used + ?", delta))
		if r.Error != nil {
			return r.Error
		}
		if r.RowsAffected != 1 {
			return &apperr.Error{Code: apperr.Conflict, Key: "dots.over_budget", Args: []any{left}}
		}
		res.DotsLeft = left - delta
		dot := models.Dot{WorkshopID: w.ID, IdeaID: ideaID, UserID: actor.UserID, Count: *f.Count, UpdatedAt: s.Now()}
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "idea_id"}, {Name: "user_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"count", "updated_at"})}).Create(&dot).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.Idea{}).Where("id = ?", ideaID).
			UpdateColumn("dots_count", gorm.Expr("dots_count + ?", delta)).Error; err != nil {
			return err
		}
		return tx.Model(&models.Idea{}).Select("dots_count").Where("id = ?", ideaID).Row().Scan(&res.Dots)
	})
	if err != nil {
		return nil, dbErr(err)
	}
	s.Live.VoteChanged(workshopID, ideaID)
	return res, nil
}

// lockBudget makes sure the person's budget row exists and locks it for the
// rest of the transaction; it returns the dots spent so far.
func lockBudget(tx *gorm.DB, workshopID, userID uint64) (int, error) {
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&models.DotBudget{WorkshopID: workshopID, UserID: userID}).Error; err != nil {
		return 0, err
	}
	q := tx.Model(&models.DotBudget{}).Where("workshop_id = ? AND user_id = ?", workshopID, userID)
	if models.IsPostgres(tx) {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var b models.DotBudget
	err := q.Take(&b).Error
	return b.Used, err
}

// Me is a person's state in a workshop.
type Me struct {
	Workshop *models.Workshop
	DotsLeft int
	MyDots   map[uint64]int // idea → dots
}

// MyWorkshop returns the actor's dots in a workshop.
func (s *Services) MyWorkshop(ctx context.Context, actor auth.Actor, slug string) (*Me, error) {
	w, err := s.Workshop(ctx, actor, slug)
	if err != nil {
		return nil, err
	}
	me := &Me{Workshop: w, DotsLeft: w.DotBudget, MyDots: map[uint64]int{}}
	if !actor.LoggedIn() {
		return me, nil
	}
	var dots []models.Dot
	if err := s.DB.WithContext(ctx).Where("workshop_id = ? AND user_id = ? AND count > 0", w.ID, actor.UserID).Find(&dots).Error; err != nil {
		return nil, dbErr(err)
	}
	for _, d := range dots {
		me.MyDots[d.IdeaID] = d.Count
		me.DotsLeft -= d.Count
	}
	return me, nil
}

// TimerState is a workshop's countdown as clients show it.
type TimerState struct {
	State            string     `json:"state"` // stopped, running, paused
	EndsAt           *time.Time `json:"ends_at"`
	RemainingSeconds int64      `json:"remaining_seconds"`
	DurationSeconds  int64      `json:"duration_seconds"`
	ServerTime       time.Time  `json:"server_time"`
}

// Timer describes a workshop's timer at now.
func Timer(w *models.Workshop, now time.Time) TimerState {
	t := TimerState{State: w.TimerState, DurationSeconds: w.TimerDurationMS / 1000, ServerTime: now}
	switch w.TimerState {
	case "running":
		t.EndsAt = w.TimerEndsAt
		if w.TimerEndsAt != nil {
			t.RemainingSeconds = max(0, int64(w.TimerEndsAt.Sub(now).Round(time.Second)/time.Second))
		}
	case "paused":
		t.RemainingSeconds = w.TimerRemainingMS / 1000
	default:
		t.State = "stopped"
	}
	return t
}

// ControlTimer starts, pauses, resumes, extends or stops a workshop's timer.
// The state is stored, so every instance and a restarted server agree.
func (s *Services) ControlTimer(ctx context.Context, actor auth.Actor, slug string, f forms.Timer) (*TimerState, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var w models.Workshop
	now := s.Now()
	err := models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		if err := tx.Where("slug = ?", slug).Take(&w).Error; err != nil {
			return err
		}
		if err := deny(auth.EditWorkshop(actor, w.Facts())); err != nil {
			return err
		}
		d := time.Duration(f.Seconds) * time.Second
		cur := Timer(&w, now)
		switch f.Action {
		case "start":
			ends := now.Add(d)
			w.TimerState, w.TimerEndsAt, w.TimerDurationMS, w.TimerRemainingMS = "running", &ends, d.Milliseconds(), 0
		case "pause":
			if cur.State != "running" {
				return apperr.New(apperr.Conflict, "timer.not_running")
			}
			w.TimerState, w.TimerRemainingMS, w.TimerEndsAt = "paused", w.TimerEndsAt.Sub(now).Milliseconds(), nil
		case "resume":
			if cur.State != "paused" {
				return apperr.New(apperr.Conflict, "timer.not_paused")
			}
			ends := now.Add(time.Duration(w.TimerRemainingMS) * time.Millisecond)
			w.TimerState, w.TimerEndsAt, w.TimerRemainingMS = "running", &ends, 0
		case "extend":
			switch cur.State {
			case "running":
				ends := w.TimerEndsAt.Add(d)
				w.TimerEndsAt = &ends
			case "paused":
				w.TimerRemainingMS += d.Milliseconds()
			default:
				return apperr.New(apperr.Conflict, "timer.not_running")
			}
			w.TimerDurationMS += d.Milliseconds()
		case "stop":
			w.TimerState, w.TimerEndsAt, w.TimerRemainingMS = "stopped", nil, 0
		}
		return tx.Model(&w).Select("timer_state", "timer_ends_at", "timer_remaining_ms", "timer_duration_ms").Updates(&w).Error
	})
	if err != nil {
		return nil, dbErr(err)
	}
	t := Timer(&w, now)
	s.Live.Publish(ctx, w.ID, live.TimerChanged, t)
	return &t, nil
}

// Spotlight shows one idea large on the wall (0: none).
func (s *Services) Spotlight(ctx context.Context, actor auth.Actor, slug string, ideaID uint64) (*models.Workshop, error) {
	w, err := s.Workshop(ctx, actor, slug)
	if err != nil {
		return nil, err
	}
	if err := deny(auth.EditWorkshop(actor, w.Facts())); err != nil {
		return nil, err
	}
	var spot *uint64
	if ideaID != 0 {
		var n int64
		if err := s.DB.WithContext(ctx).Model(&models.Idea{}).Where("id = ? AND workshop_id = ?", ideaID, w.ID).Count(&n).Error; err != nil {
			return nil, dbErr(err)
		}
		if n == 0 {
			return nil, apperr.Fields(apperr.FieldError{Field: "idea_id", Key: "error.not_found"})
		}
		spot = &ideaID
	}
	w.SpotlightIdeaID = spot
	if err := s.DB.WithContext(ctx).Model(w).Update("spotlight_idea_id", spot).Error; err != nil {
		return nil, dbErr(err)
	}
	s.Live.Publish(ctx, w.ID, live.SpotlightChanged, map[string]any{"idea_id": spot})
	return w, nil
}

// HideOnWall hides an idea from the wall (not from the workshop page).
func (s *Services) HideOnWall(ctx context.Context, actor auth.Actor, ideaID uint64, hidden bool) error {
	view, err := s.Idea(ctx, actor, ideaID)
	if err != nil {
		return err
	}
	if err := deny(auth.EditWorkshop(actor, view.Workshop.Facts())); err != nil {
		return err
	}
	if err := s.DB.WithContext(ctx).Model(&models.Idea{}).Where("id = ?", ideaID).Update("hidden_on_wall", hidden).Error; err != nil {
		return dbErr(err)
	}
	s.Live.Publish(ctx, view.Workshop.ID, live.IdeaUpdated, map[string]any{"idea_id": ideaID, "hidden_on_wall": hidden})
	return nil
}
