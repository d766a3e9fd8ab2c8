// Package server wires Werkstatt's HTTP side: the Fiber app with its limits
// and timeouts, every route (routes.go), the middleware, the one error
// handler, static files and metrics. Handlers do the work; this package
// only connects them.
package server

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/config"
	"werkstatt/app/handlers"
	"werkstatt/app/services"
	"werkstatt/static"
	"werkstatt/views"
)

// Body limits: JSON and form posts are small; uploads (later) get their own.
const (
	MaxBody       = 1 << 20
	MaxUploadBody = 21 << 20
)

// Deps are what the server needs.
type Deps struct {
	Cfg     config.Config
	Svc     *services.Services
	Log     *slog.Logger
	Secret  []byte
	Metrics *Metrics
	Done    <-chan struct{} // closed when the server shuts down
}

// New returns the configured Fiber app with every route.
func New(d Deps) (*fiber.App, error) {
	assets, err := newAssets(static.FS)
	if err != nil {
		return nil, err
	}
	views, err := handlers.NewRenderer(views.FS, assets.url)
	if err != nil {
		return nil, err
	}
	h := &handlers.Deps{Svc: d.Svc, Views: views, Cfg: d.Cfg, Done: d.Done}
	app := fiber.New(fiber.Config{
		AppName:                 "Werkstatt",
		BodyLimit:               MaxUploadBody,
		ReadTimeout:             30 * time.Second,
		WriteTimeout:            60 * time.Second,
		IdleTimeout:             120 * time.Second,
		DisableStartupMessage:   true,
		ErrorHandler:            errorHandler(h, d.Log),
		ProxyHeader:             d.Cfg.ProxyHeader,
		EnableTrustedProxyCheck: len(d.Cfg.TrustedProxies) > 0,
		TrustedProxies:          d.Cfg.TrustedProxies,
		ReadBufferSize:          16 << 10,
		// Values from the request (form fields, params) may outlive it in
		// rate-limit keys and logs; immutable strings make that safe.
		Immutable: true,
	})
	routes(app, h, d, assets)
	return app, nil
}

// assets serves static files under content-hashed URLs, so they can be
// cached for a year and still change with each release.
type assets struct {
	fsys   fs.FS
	hashes map[string]string
}

func newAssets(fsys fs.FS) (*assets, error) {
	a := &assets{fsys: fsys, hashes: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		a.hashes[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return a, err
}

func (a *assets) url(name string) string {
	if h, ok := a.hashes[name]; ok {
		return "/static/" + name + "?v=" + h
	}
	return "/static/" + name
}
