package server

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"werkstatt/app/handlers"
	"werkstatt/static"
)

// routes lists every route of Werkstatt. Read it as the table of contents.
func routes(app *fiber.App, h *handlers.Deps, d Deps, a *assets) {
	app.Use(recoverer(d.Log), d.Metrics.middleware(), securityHeaders(d.Cfg), requestLog(d.Log))

	app.Get("/healthz", healthz)
	app.Get("/readyz", readyz(d.Svc))
	app.Get("/metrics", d.Metrics.handler())
	app.Use("/static", staticCache, filesystem.New(filesystem.Config{Root: httpFS(static.FS)}))

	// Uploads take up to 20 MB; every other request at most 1 MiB. They are
	// registered before the groups so the small body limit does not apply.
	app.Post("/api/v1/prototypes/:id/screens", bearerAuth(h), handlers.APIUploadScreen(h))
	app.Post("/api/v1/screens/:id/versions", bearerAuth(h), handlers.APIReplaceScreen(h))
	app.Post("/prototypes/:id/screens", language(), sessionAuth(h), csrf(d.Secret, d.Cfg), handlers.UploadScreens(h))
	app.Post("/screens/:id/versions", language(), sessionAuth(h), csrf(d.Secret, d.Cfg), handlers.ReplaceScreen(h))

	// Screen images, for pages (session cookie) and API clients (bearer).
	app.Get("/screens/:id/image/:variant", limitBody(MaxBody), language(), eitherAuth(h), handlers.ScreenImage(h))

	// JSON API: bearer tokens, no cookies, so no CSRF.
	api := app.Group("/api/v1", limitBody(MaxBody), bearerAuth(h))
	api.Get("/openapi.json", openAPI(d.Cfg))
	api.Post("/auth/register", handlers.APIRegister(h))
	api.Post("/auth/token", handlers.APIToken(h))
	api.Get("/me", handlers.APIMe(h))
	api.Get("/workshops", handlers.APIWorkshops(h))
	api.Post("/workshops", handlers.APICreateWorkshop(h))
	api.Get("/workshops/:slug", handlers.APIWorkshop(h))
	api.Patch("/workshops/:slug", handlers.APIUpdateWorkshop(h))
	api.Post("/workshops/:slug/join", handlers.APIJoin(h))
	api.Get("/workshops/:slug/ideas", handlers.APIIdeas(h))
	api.Post("/workshops/:slug/ideas", handlers.APICreateIdea(h))
	api.Get("/ideas/:id", handlers.APIIdea(h))
	api.Put("/ideas/:id/vote", handlers.APIVote(h, true))
	api.Delete("/ideas/:id/vote", handlers.APIVote(h, false))
	api.Get("/ideas/:id/comments", handlers.APIComments(h))
	api.Post("/ideas/:id/comments", handlers.APICreateComment(h))
	api.Get("/workshops/:slug/events", handlers.Events(h))
	api.Get("/workshops/:slug/me", handlers.APIMyWorkshop(h))
	api.Post("/workshops/:slug/timer", handlers.APITimer(h))
	api.Post("/workshops/:slug/spotlight", handlers.APISpotlight(h))
	api.Put("/ideas/:id/dots", handlers.APIDots(h))
	api.Post("/ideas/:id/wall", handlers.APIWallVisibility(h))
	api.Get("/workshops/:slug/prototypes", handlers.APIPrototypes(h))
	api.Post("/workshops/:slug/prototypes", handlers.APICreatePrototype(h))
	api.Get("/prototypes/:id", handlers.APIPrototype(h))
	api.Patch("/prototypes/:id", handlers.APIUpdatePrototype(h))
	api.Get("/screens/:id", handlers.APIScreen(h))
	api.Patch("/screens/:id", handlers.APIUpdateScreen(h))
	api.Get("/screens/:id/annotations", handlers.APIAnnotations(h))
	api.Post("/screens/:id/annotations", handlers.APICreateAnnotation(h))
	api.Post("/annotations/:id/replies", handlers.APIReplyAnnotation(h))
	api.Put("/annotations/:id/me-too", handlers.APIMeToo(h))
	api.Post("/annotations/:id/promote", handlers.APIPromoteAnnotation(h))
	api.Post("/annotations/:id/resolve", handlers.APIResolveAnnotation(h))
	api.Get("/admin/users", handlers.APIUsers(h))
	api.Patch("/admin/users/:id", handlers.APIChangeRole(h))
	api.Use(apiNotFound)

	// HTML pages: session cookies, CSRF on every post, language per request.
	web := app.Group("", limitBody(MaxBody), language(), sessionAuth(h), csrf(d.Secret, d.Cfg))
	web.Get("/", handlers.Home(h))
	web.Get("/join", handlers.JoinForm(h))
	web.Post("/join", handlers.Join(h))
	web.Get("/login", handlers.LoginForm(h))
	web.Post("/login", handlers.Login(h))
	web.Get("/register", handlers.RegisterForm(h))
	web.Post("/register", handlers.Register(h))
	web.Post("/logout", handlers.Logout(h))
	web.Get("/workshops/new", handlers.NewWorkshop(h))
	web.Post("/workshops", handlers.CreateWorkshop(h))
	web.Get("/w/:slug", handlers.ShowWorkshop(h))
	web.Get("/w/:slug/events", handlers.Events(h))
	web.Get("/w/:slug/join", handlers.JoinForm(h))
	web.Post("/w/:slug/join", handlers.Join(h))
	web.Post("/w/:slug/ideas", handlers.CreateIdea(h))
	web.Get("/w/:slug/edit", handlers.EditWorkshop(h))
	web.Post("/w/:slug/edit", handlers.UpdateWorkshop(h))
	web.Get("/ideas/:id", handlers.ShowIdea(h))
	web.Post("/ideas/:id/vote", handlers.VoteIdea(h, true))
	web.Post("/ideas/:id/unvote", handlers.VoteIdea(h, false))
	web.Post("/ideas/:id/comments", handlers.CreateComment(h))
	web.Post("/ideas/:id/dots", handlers.DotIdea(h))
	// Live workshop mode: the presenter wall and its control page (moderators).
	web.Get("/w/:slug/wall", handlers.ShowWall(h))
	web.Get("/w/:slug/wall/ideas/:id", handlers.WallIdea(h))
	web.Get("/w/:slug/wall/spotlight", handlers.WallSpotlight(h))
	web.Get("/w/:slug/qr.svg", handlers.WallQR(h))
	web.Get("/w/:slug/control", handlers.ShowControl(h))
	web.Post("/w/:slug/control/timer", handlers.ControlTimer(h))
	web.Post("/w/:slug/control/spotlight", handlers.ControlSpotlight(h))
	web.Post("/w/:slug/control/wall", handlers.ControlWall(h))
	web.Post("/w/:slug/control/voting", handlers.ControlVoting(h))
	web.Post("/w/:slug/control/ideas/:id/wall", handlers.ControlIdeaWall(h))
	web.Post("/w/:slug/prototypes", handlers.CreatePrototype(h))
	web.Get("/prototypes/:id", handlers.ShowPrototype(h))
	web.Post("/prototypes/:id/edit", handlers.UpdatePrototype(h))
	web.Get("/screens/:id", handlers.ShowScreen(h))
	web.Post("/screens/:id/edit", handlers.UpdateScreen(h))
	web.Post("/screens/:id/move", handlers.MoveScreen(h))
	web.Post("/screens/:id/annotations", handlers.CreateAnnotation(h))
	web.Post("/annotations/:id/replies", handlers.ReplyAnnotation(h))
	web.Post("/annotations/:id/me-too", handlers.MeTooAnnotation(h))
	web.Post("/annotations/:id/promote", handlers.PromoteAnnotation(h))
	web.Post("/annotations/:id/resolve", handlers.ResolveAnnotation(h))
	web.Get("/admin/users", handlers.ListUsers(h))
	web.Post("/admin/users/:id/role", handlers.ChangeRole(h))
	web.Use(notFound)
}
