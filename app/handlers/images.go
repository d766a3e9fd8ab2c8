package handlers

import (
	"errors"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/storage"
)

// ScreenImage serves /screens/:id/image/:variant to those who may see the
// workshop. The object is streamed from the store; its name is its content
// hash, so the ETag is that hash and the answer never changes.
func ScreenImage(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		img, err := d.Svc.ScreenImage(c.UserContext(), Actor(c), id, param(c, "variant"))
		if err != nil {
			return err
		}
		etag := `"` + strings.TrimSuffix(path.Base(img.Key), path.Ext(img.Key)) + `"`
		cache := "public, max-age=31536000, immutable"
		if v, err := d.Svc.Screen(c.UserContext(), auth.Actor{}, id); err != nil || v == nil {
			// Not visible to the public (a draft): no shared caches.
			cache = "private, max-age=31536000, immutable"
		}
		c.Set(fiber.HeaderETag, etag)
		c.Set(fiber.HeaderCacheControl, cache)
		c.Set("X-Content-Type-Options", "nosniff")
		c.Vary(fiber.HeaderCookie, fiber.HeaderAuthorization)
		if c.Get(fiber.HeaderIfNoneMatch) == etag {
			return c.SendStatus(fiber.StatusNotModified)
		}
		r, info, err := d.Svc.Store.Get(c.UserContext(), img.Key)
		if errors.Is(err, storage.ErrNotFound) {
			return apperr.Wrap(err, apperr.NotFound, "error.not_found")
		}
		if err != nil {
			return apperr.Wrap(err, apperr.Unavailable, "error.unavailable")
		}
		c.Set(fiber.HeaderContentType, img.ContentType)
		return c.SendStream(r, int(info.Size))
	}
}
