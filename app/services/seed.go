package services

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/models"
	"werkstatt/seeds"
)

// SeedReport says what Seed created; passwords of new accounts are in it
// once and nowhere else.
type SeedReport struct {
	Accounts                          []SeededAccount
	Workshops, Ideas, Votes, Comments int
	Screens, Annotations              int
}

// SeededAccount is a demo account with its generated password.
type SeededAccount struct{ Email, Role, Password string }

// Empty reports whether the database has no accounts and no workshops yet.
func (s *Services) Empty(ctx context.Context) (bool, error) {
	var n int64
	if err := s.DB.WithContext(ctx).Model(&models.User{}).Count(&n).Error; err != nil {
		return false, dbErr(err)
	}
	return n == 0, nil
}

// Seed applies the demo data through the same use cases people use, so it
// obeys every rule. Accounts and workshops that exist already are kept.
func (s *Services) Seed(ctx context.Context, demo *seeds.Demo) (*SeedReport, error) {
	r := &SeedReport{}
	var creator *models.User
	for _, a := range demo.Accounts {
		u, err := models.UserByEmail(ctx, s.DB, a.Email)
		if models.IsNotFound(err) {
			pw := auth.NewToken()[:20]
			if u, err = s.CreateUser(ctx, forms.Register{Email: a.Email, Name: a.Name, Password: pw}, auth.Role(a.Role)); err != nil {
				return nil, fmt.Errorf("seed account %s: %w", a.Email, err)
			}
			r.Accounts = append(r.Accounts, SeededAccount{Email: a.Email, Role: a.Role, Password: pw})
		} else if err != nil {
			return nil, dbErr(err)
		}
		if creator == nil && u.Actor().Staff() {
			creator = u
		}
	}
	if creator == nil {
		return nil, fmt.Errorf("seed: the demo data needs a moderator or admin account")
	}
	for _, w := range demo.Workshops {
		if _, err := models.WorkshopBySlug(ctx, s.DB, w.Slug); err == nil {
			continue
		} else if !models.IsNotFound(err) {
			return nil, dbErr(err)
		}
		if err := s.seedWorkshop(ctx, creator.Actor(), w, r); err != nil {
			return nil, fmt.Errorf("seed workshop %s: %w", w.Slug, err)
		}
	}
	return r, nil
}

func (s *Services) seedWorkshop(ctx context.Context, staff auth.Actor, d seeds.Workshop, r *SeedReport) error {
	slug := d.Slug
	w, err := s.CreateWorkshop(ctx, staff, forms.Workshop{Title: &d.Title, Description: &d.Description, Slug: &slug})
	if err != nil {
		return err
	}
	r.Workshops++
	if err := s.seedPhase(ctx, staff, w, auth.PhaseOpen); err != nil {
		return err
	}
	guests := make([]auth.Actor, len(d.Participants))
	for i, name := range d.Participants {
		wid := w.ID
		u := &models.User{Name: name, Role: auth.RoleParticipant, Guest: true, GuestWorkshopID: &wid}
		if err := models.WithTx(ctx, s.DB, func(tx *gorm.DB) error { return tx.Create(u).Error }); err != nil {
			return err
		}
		guests[i] = u.Actor()
	}
	for _, di := range d.Ideas {
		idea, err := s.PostIdea(ctx, guests[di.Author], w.Slug, forms.Idea{Title: di.Title, Body: di.Body})
		if err != nil {
			return err
		}
		r.Ideas++
		for _, dc := range di.Comments {
			if _, err := s.PostComment(ctx, guests[dc.Author], idea.ID, forms.Comment{Body: dc.Body}); err != nil {
				return err
			}
			r.Comments++
		}
		for v := 0; v < di.Votes && v < len(guests); v++ {
			if _, err := s.Vote(ctx, guests[v], idea.ID); err != nil {
				return err
			}
			r.Votes++
		}
	}
	for _, dp := range d.Prototypes {
		if err := s.seedPrototype(ctx, staff, w, dp, guests, r); err != nil {
			return fmt.Errorf("prototype %q: %w", dp.Title, err)
		}
	}
	for _, p := range []auth.Phase{auth.PhaseVoting, auth.PhaseClosed} {
		if phaseIndex(w.Phase) >= phaseIndex(auth.Phase(d.Phase)) {
			break
		}
		if err := s.seedPhase(ctx, staff, w, p); err != nil {
			return err
		}
	}
	return nil
}

func (s *Services) seedPrototype(ctx context.Context, staff auth.Actor, w *models.Workshop, dp seeds.Prototype, guests []auth.Actor, r *SeedReport) error {
	p, err := s.CreatePrototype(ctx, staff, w.Slug, forms.Prototype{Title: dp.Title, Description: dp.Description, LinkURL: dp.LinkURL})
	if err != nil {
		return err
	}
	for _, ds := range dp.Screens {
		f, err := seeds.Screens.Open("screens/" + ds.File)
		if err != nil {
			return err
		}
		sc, err := s.UploadScreen(ctx, staff, p.ID, forms.Screen{Title: ds.Title, Alt: ds.Alt}, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("screen %s: %w", ds.File, err)
		}
		r.Screens++
		for _, da := range ds.Annotations {
			a, err := s.Annotate(ctx, guests[da.Author], sc.ID, forms.Annotation{X: da.X, Y: da.Y, W: da.W, H: da.H, Body: da.Body})
			if err != nil {
				return fmt.Errorf("annotation on %s: %w", ds.File, err)
			}
			r.Annotations++
			for _, dr := range da.Replies {
				if _, err := s.ReplyAnnotation(ctx, guests[dr.Author], a.ID, forms.Comment{Body: dr.Body}); err != nil {
					return err
				}
			}
			for _, m := range da.MeToo {
				if _, err := s.MeToo(ctx, guests[m], a.ID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *Services) seedPhase(ctx context.Context, staff auth.Actor, w *models.Workshop, p auth.Phase) error {
	phase := string(p)
	updated, err := s.UpdateWorkshop(ctx, staff, w.Slug, forms.Workshop{Phase: &phase})
	if err != nil {
		return err
	}
	*w = *updated
	return nil
}

func phaseIndex(p auth.Phase) int {
	for i, q := range auth.Phases {
		if q == p {
			return i
		}
	}
	return -1
}
