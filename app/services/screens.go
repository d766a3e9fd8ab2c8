package services

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"gorm.io/gorm"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/app/imaging"
	"werkstatt/app/storage"
	"werkstatt/models"
)

// ScreenView is a screen with its prototype and workshop.
type ScreenView struct {
	Screen    *models.Screen
	Prototype *models.Prototype
	Workshop  *models.Workshop
	Versions  []models.Screen // every version of this screen, oldest first
}

// Screen returns a screen (any version) the actor may see.
func (s *Services) Screen(ctx context.Context, actor auth.Actor, id uint64) (*ScreenView, error) {
	var sc models.Screen
	if err := s.DB.WithContext(ctx).Take(&sc, id).Error; err != nil {
		return nil, dbErr(err)
	}
	var p models.Prototype
	if err := s.DB.WithContext(ctx).Take(&p, sc.PrototypeID).Error; err != nil {
		return nil, dbErr(err)
	}
	w, err := s.visibleWorkshop(ctx, actor, p.WorkshopID)
	if err != nil {
		return nil, err
	}
	versions, err := s.screenVersions(ctx, &sc)
	return &ScreenView{Screen: &sc, Prototype: &p, Workshop: w, Versions: versions}, err
}

// screenVersions walks the replacement chain both ways.
func (s *Services) screenVersions(ctx context.Context, sc *models.Screen) ([]models.Screen, error) {
	chain := []models.Screen{*sc}
	for cur := *sc; cur.ReplacesID != nil; {
		var prev models.Screen
		if err := s.DB.WithContext(ctx).Take(&prev, *cur.ReplacesID).Error; err != nil {
			return nil, dbErr(err)
		}
		chain = append([]models.Screen{prev}, chain...)
		cur = prev
	}
	for cur := *sc; cur.ReplacedByID != nil; {
		var next models.Screen
		if err := s.DB.WithContext(ctx).Take(&next, *cur.ReplacedByID).Error; err != nil {
			return nil, dbErr(err)
		}
		chain = append(chain, next)
		cur = next
	}
	return chain, nil
}

// UploadScreen adds a screenshot to a prototype. The image goes through the
// imaging pipeline; its variants are stored under their content hash before
// the row is written, and removed again if the row cannot be written.
func (s *Services) UploadScreen(ctx context.Context, actor auth.Actor, prototypeID uint64, f forms.Screen, r io.Reader) (*models.Screen, error) {
	view, err := s.Prototype(ctx, actor, prototypeID)
	if err != nil {
		return nil, err
	}
	if err := deny(auth.ManagePrototypes(actor, view.Workshop.Facts())); err != nil {
		return nil, err
	}
	return s.storeScreen(ctx, actor, view.Prototype, nil, f, r)
}

// ReplaceScreen uploads a new version of a screen. The old version and its
// annotations stay; new annotations go to the new version.
func (s *Services) ReplaceScreen(ctx context.Context, actor auth.Actor, screenID uint64, f forms.Screen, r io.Reader) (*models.Screen, error) {
	view, err := s.Screen(ctx, actor, screenID)
	if err != nil {
		return nil, err
	}
	if err := deny(auth.ManagePrototypes(actor, view.Workshop.Facts())); err != nil {
		return nil, err
	}
	if !view.Screen.Current() {
		return nil, apperr.New(apperr.Conflict, "screen.not_current")
	}
	if f.Title == "" {
		f.Title = view.Screen.Title
	}
	if f.Alt == "" {
		f.Alt = view.Screen.Alt
	}
	return s.storeScreen(ctx, actor, view.Prototype, view.Screen, f, r)
}

// ScreenUpload is one file of a batch upload with its title and alt text.
type ScreenUpload struct {
	Form forms.Screen
	File io.Reader
}

// UploadScreens adds several screenshots at once, all or nothing: every
// file goes through the pipeline before any is stored, and the rows are
// written in one transaction. On an error, Index says which file failed.
func (s *Services) UploadScreens(ctx context.Context, actor auth.Actor, prototypeID uint64, uploads []ScreenUpload) ([]models.Screen, int, error) {
	view, err := s.Prototype(ctx, actor, prototypeID)
	if err != nil {
		return nil, -1, err
	}
	if err := deny(auth.ManagePrototypes(actor, view.Workshop.Facts())); err != nil {
		return nil, -1, err
	}
	results := make([]*imaging.Result, len(uploads))
	for i := range uploads {
		if err := uploads[i].Form.Validate(); err != nil {
			return nil, i, err
		}
		if results[i], err = imaging.Process(ctx, uploads[i].File, imaging.DefaultLimits); err != nil {
			return nil, i, imageErr(err)
		}
	}
	var written []string
	for _, res := range results {
		keys, err := s.putVariants(ctx, res)
		written = append(written, keys...)
		if err != nil {
			s.removeUnreferenced(context.WithoutCancel(ctx), written)
			return nil, -1, err
		}
	}
	screens := make([]models.Screen, len(uploads))
	err = models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		var last int
		if err := tx.Model(&models.Screen{}).Where("prototype_id = ?", prototypeID).
			Select("COALESCE(MAX(position), 0)").Row().Scan(&last); err != nil {
			return err
		}
		for i, res := range results {
			screens[i] = newScreen(prototypeID, actor, uploads[i].Form, res)
			screens[i].Position = last + 1 + i
			if err := tx.Create(&screens[i]).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.removeUnreferenced(context.WithoutCancel(ctx), written)
		return nil, -1, dbErr(err)
	}
	return screens, -1, nil
}

func newScreen(prototypeID uint64, actor auth.Actor, f forms.Screen, res *imaging.Result) models.Screen {
	return models.Screen{PrototypeID: prototypeID, Title: f.Title, Alt: f.Alt, Version: 1,
		Width: res.Original.Width, Height: res.Original.Height, ContentType: res.Original.ContentType,
		ImageKey: variantKey(res.Original), DisplayKey: variantKey(res.Display), DisplayWidth: res.Display.Width,
		DisplayHeight: res.Display.Height, DisplayType: res.Display.ContentType, ThumbKey: variantKey(res.Thumbnail),
		ThumbWidth: res.Thumbnail.Width, ThumbHeight: res.Thumbnail.Height, ThumbType: res.Thumbnail.ContentType,
		CreatedByID: actor.UserID}
}

// AnnotationCounts counts the annotations of each screen in one query.
func (s *Services) AnnotationCounts(ctx context.Context, screenIDs []uint64) (map[uint64]int64, error) {
	out := map[uint64]int64{}
	if len(screenIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		ScreenID uint64
		N        int64
	}
	err := s.DB.WithContext(ctx).Model(&models.Annotation{}).Select("screen_id, COUNT(*) AS n").
		Where("screen_id IN ?", screenIDs).Group("screen_id").Scan(&rows).Error
	for _, r := range rows {
		out[r.ScreenID] = r.N
	}
	return out, dbErr(err)
}

func (s *Services) storeScreen(ctx context.Context, actor auth.Actor, p *models.Prototype, old *models.Screen, f forms.Screen, r io.Reader) (*models.Screen, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	res, err := imaging.Process(ctx, r, imaging.DefaultLimits)
	if err != nil {
		return nil, imageErr(err)
	}
	written, err := s.putVariants(ctx, res)
	if err != nil {
		return nil, err
	}
	screen := newScreen(p.ID, actor, f, res)
	sc := &screen
	err = models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		if old != nil {
			sc.Version, sc.Position, sc.ReplacesID = old.Version+1, old.Position, &old.ID
		} else {
			var last int
			if err := tx.Model(&models.Screen{}).Where("prototype_id = ?", p.ID).
				Select("COALESCE(MAX(position), 0)").Row().Scan(&last); err != nil {
				return err
			}
			sc.Position = last + 1
		}
		if err := tx.Create(sc).Error; err != nil {
			return err
		}
		if old == nil {
			return nil
		}
		// Only the current version may be replaced, once: the condition makes
		// two replacements at the same time fail instead of forking history.
		r := tx.Model(&models.Screen{}).Where("id = ? AND replaced_by_id IS NULL", old.ID).Update("replaced_by_id", sc.ID)
		if r.Error == nil && r.RowsAffected != 1 {
			return apperr.New(apperr.Conflict, "screen.not_current")
		}
		return r.Error
	})
	if err != nil {
		s.removeUnreferenced(context.WithoutCancel(ctx), written)
		return nil, dbErr(err)
	}
	return sc, nil
}

// imageErr turns pipeline errors into messages people understand.
func imageErr(err error) error {
	switch {
	case errors.Is(err, imaging.ErrTooLarge):
		return apperr.Wrap(err, apperr.TooLarge, "screen.too_large")
	case errors.Is(err, imaging.ErrTooManyPixels):
		return fieldErr(err, "file", "screen.too_many_pixels")
	case errors.Is(err, imaging.ErrUnsupported):
		return fieldErr(err, "file", "screen.unsupported")
	case errors.Is(err, imaging.ErrCorrupt):
		return fieldErr(err, "file", "screen.corrupt")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return apperr.Wrap(err, apperr.Unavailable, "error.unavailable")
	}
	return apperr.Wrap(err, apperr.Internal, "error.internal")
}

func fieldErr(err error, field, key string) error {
	return &apperr.Error{Code: apperr.Invalid, Key: key, Err: err, Fields: []apperr.FieldError{{Field: field, Key: key}}}
}

// variantKey names an object by its content: the same image is stored once.
func variantKey(v imaging.Variant) string {
	ext := ".png"
	if v.ContentType == "image/jpeg" {
		ext = ".jpg"
	}
	return "screens/" + v.Hash[:2] + "/" + v.Hash + ext
}

// putVariants stores the variants that are not stored yet and returns the
// keys it wrote. On failure it removes what it wrote and answers 503.
func (s *Services) putVariants(ctx context.Context, res *imaging.Result) ([]string, error) {
	var written []string
	seen := map[string]bool{}
	for _, v := range []imaging.Variant{res.Original, res.Display, res.Thumbnail} {
		key := variantKey(v)
		if seen[key] {
			continue
		}
		seen[key] = true
		if _, err := s.Store.Stat(ctx, key); err == nil {
			continue
		} else if !errors.Is(err, storage.ErrNotFound) {
			s.removeUnreferenced(context.WithoutCancel(ctx), written)
			return nil, apperr.Wrap(err, apperr.Unavailable, "screen.store_unavailable")
		}
		if err := s.Store.Put(ctx, key, bytes.NewReader(v.Data), int64(len(v.Data)), v.ContentType); err != nil {
			s.removeUnreferenced(context.WithoutCancel(ctx), written)
			return nil, apperr.Wrap(err, apperr.Unavailable, "screen.store_unavailable")
		}
		written = append(written, key)
	}
	return written, nil
}

// removeUnreferenced deletes objects no screen refers to. A failure here is
// only logged: the sweeper collects what is left.
func (s *Services) removeUnreferenced(ctx context.Context, keys []string) {
	for _, key := range keys {
		var n int64
		err := s.DB.WithContext(ctx).Model(&models.Screen{}).
			Where("image_key = ? OR display_key = ? OR thumb_key = ?", key, key, key).Count(&n).Error
		if err != nil || n > 0 {
			continue
		}
		if err := s.Store.Delete(ctx, key); err != nil {
			s.Log.Warn("remove unreferenced object", "key", key, "err", err)
		}
	}
}

// SweepObjects deletes stored screen images that no row refers to and that
// are older than grace (an upload in flight writes objects before its row).
func (s *Services) SweepObjects(ctx context.Context, grace time.Duration) (int, error) {
	infos, err := s.Store.List(ctx, "screens/")
	if err != nil {
		return 0, fmt.Errorf("list objects: %w", err)
	}
	removed := 0
	cutoff := s.Now().Add(-grace)
	for _, info := range infos {
		if info.ModTime.After(cutoff) {
			continue
		}
		var n int64
		if err := s.DB.WithContext(ctx).Model(&models.Screen{}).
			Where("image_key = ? OR display_key = ? OR thumb_key = ?", info.Key, info.Key, info.Key).Count(&n).Error; err != nil {
			return removed, dbErr(err)
		}
		if n == 0 {
			if err := s.Store.Delete(ctx, info.Key); err != nil {
				return removed, fmt.Errorf("delete %s: %w", info.Key, err)
			}
			removed++
		}
	}
	return removed, nil
}

// ScreenImage is what the image handler serves.
type ScreenImage struct {
	Key, ContentType, ETag string
}

// ScreenImage returns the object of a screen's variant ("original",
// "display", "thumb") if the actor may see the screen.
func (s *Services) ScreenImage(ctx context.Context, actor auth.Actor, screenID uint64, variant string) (*ScreenImage, error) {
	view, err := s.Screen(ctx, actor, screenID)
	if err != nil {
		return nil, err
	}
	sc := view.Screen
	switch variant {
	case "original":
		return &ScreenImage{Key: sc.ImageKey, ContentType: sc.ContentType}, nil
	case "display":
		return &ScreenImage{Key: sc.DisplayKey, ContentType: sc.DisplayType}, nil
	case "thumb":
		return &ScreenImage{Key: sc.ThumbKey, ContentType: sc.ThumbType}, nil
	}
	return nil, apperr.New(apperr.NotFound, "error.not_found")
}

// UpdateScreen changes a screen's title and alt text.
func (s *Services) UpdateScreen(ctx context.Context, actor auth.Actor, screenID uint64, f forms.Screen) (*models.Screen, error) {
	view, err := s.Screen(ctx, actor, screenID)
	if err != nil {
		return nil, err
	}
	if err := deny(auth.ManagePrototypes(actor, view.Workshop.Facts())); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	sc := view.Screen
	sc.Title, sc.Alt = f.Title, f.Alt
	err = models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		return tx.Model(sc).Select("title", "alt").Updates(sc).Error
	})
	return sc, dbErr(err)
}

// MoveScreen moves a current screen one place up (-1) or down (+1).
func (s *Services) MoveScreen(ctx context.Context, actor auth.Actor, screenID uint64, delta int) error {
	view, err := s.Screen(ctx, actor, screenID)
	if err != nil {
		return err
	}
	if err := deny(auth.ManagePrototypes(actor, view.Workshop.Facts())); err != nil {
		return err
	}
	return dbErr(models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		var screens []models.Screen
		if err := tx.Where("prototype_id = ? AND replaced_by_id IS NULL", view.Prototype.ID).
			Order("position, id").Find(&screens).Error; err != nil {
			return err
		}
		i := -1
		for k := range screens {
			if screens[k].ID == screenID {
				i = k
			}
		}
		j := i + delta
		if i < 0 || j < 0 || j >= len(screens) {
			return nil
		}
		screens[i], screens[j] = screens[j], screens[i]
		for k := range screens {
			if err := tx.Model(&models.Screen{}).Where("id = ?", screens[k].ID).Update("position", k+1).Error; err != nil {
				return err
			}
		}
		return nil
	}))
}
