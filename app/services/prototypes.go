package services

import (
	"context"

	"gorm.io/gorm"

	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/models"
)

// PrototypeView is a prototype with its current screens and its workshop.
type PrototypeView struct {
	Prototype *models.Prototype
	Workshop  *models.Workshop
	Screens   []models.Screen // current versions, in order
}

// CreatePrototype adds a prototype to a workshop (staff only).
func (s *Services) CreatePrototype(ctx context.Context, actor auth.Actor, slug string, f forms.Prototype) (*models.Prototype, error) {
	w, err := s.Workshop(ctx, actor, slug)
	if err != nil {
		return nil, err
	}
	if err := deny(auth.ManagePrototypes(actor, w.Facts())); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	p := &models.Prototype{WorkshopID: w.ID, Title: f.Title, Description: f.Description, LinkURL: f.LinkURL, CreatedByID: actor.UserID}
	err = models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		var last int
		if err := tx.Model(&models.Prototype{}).Where("workshop_id = ?", w.ID).
			Select("COALESCE(MAX(position), 0)").Row().Scan(&last); err != nil {
			return err
		}
		p.Position = last + 1
		return tx.Create(p).Error
	})
	return p, dbErr(err)
}

// Prototypes lists a workshop's prototypes in order.
func (s *Services) Prototypes(ctx context.Context, actor auth.Actor, w *models.Workshop) ([]models.Prototype, error) {
	if err := deny(auth.ViewWorkshop(actor, w.Facts())); err != nil {
		return nil, err
	}
	var ps []models.Prototype
	err := s.DB.WithContext(ctx).Where("workshop_id = ?", w.ID).Order("position, id").Find(&ps).Error
	return ps, dbErr(err)
}

// Prototype returns a prototype the actor may see, with its screens.
func (s *Services) Prototype(ctx context.Context, actor auth.Actor, id uint64) (*PrototypeView, error) {
	var p models.Prototype
	if err := s.DB.WithContext(ctx).Take(&p, id).Error; err != nil {
		return nil, dbErr(err)
	}
	w, err := s.visibleWorkshop(ctx, actor, p.WorkshopID)
	if err != nil {
		return nil, err
	}
	var screens []models.Screen
	err = s.DB.WithContext(ctx).Where("prototype_id = ? AND replaced_by_id IS NULL", p.ID).
		Order("position, id").Find(&screens).Error
	return &PrototypeView{Prototype: &p, Workshop: w, Screens: screens}, dbErr(err)
}

// UpdatePrototype changes a prototype's texts.
func (s *Services) UpdatePrototype(ctx context.Context, actor auth.Actor, id uint64, f forms.Prototype) (*models.Prototype, error) {
	view, err := s.Prototype(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := deny(auth.ManagePrototypes(actor, view.Workshop.Facts())); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	p := view.Prototype
	p.Title, p.Description, p.LinkURL = f.Title, f.Description, f.LinkURL
	err = models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		return tx.Model(p).Select("title", "description", "link_url", "updated_at").Updates(p).Error
	})
	return p, dbErr(err)
}

// visibleWorkshop loads a workshop by id and checks the actor may see it.
func (s *Services) visibleWorkshop(ctx context.Context, actor auth.Actor, id uint64) (*models.Workshop, error) {
	w, err := models.WorkshopByID(ctx, s.DB, id)
	if err != nil {
		return nil, dbErr(err)
	}
	if err := deny(auth.ViewWorkshop(actor, w.Facts())); err != nil {
		return nil, err
	}
	return w, nil
}

// CurrentScreens returns the current screens of the given prototypes, in
// order, keyed by prototype, in one query.
func (s *Services) CurrentScreens(ctx context.Context, prototypeIDs []uint64) (map[uint64][]models.Screen, error) {
	out := map[uint64][]models.Screen{}
	if len(prototypeIDs) == 0 {
		return out, nil
	}
	var screens []models.Screen
	err := s.DB.WithContext(ctx).Where("prototype_id IN ? AND replaced_by_id IS NULL", prototypeIDs).
		Order("prototype_id, position, id").Find(&screens).Error
	for _, sc := range screens {
		out[sc.PrototypeID] = append(out[sc.PrototypeID], sc)
	}
	return out, dbErr(err)
}
