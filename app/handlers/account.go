package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/forms"
	"werkstatt/models"
)

// AccountPage is the login and the registration form.
type AccountPage struct {
	Page
	Email string
	Name  string
	Next  string
}

// LoginForm renders /login.
func LoginForm(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := AccountPage{Page: d.newPage(c, "login.title"), Next: safeNext(c.Query("next"))}
		return d.Views.Render(c, fiber.StatusOK, "auth/login", p)
	}
}

// Login checks the password and starts a session.
func Login(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var f forms.Login
		if err := parseBody(c, &f); err != nil {
			return err
		}
		u, err := d.Svc.Login(c.UserContext(), f, ClientIP(c))
		if err != nil {
			p := AccountPage{Page: d.newPage(c, "login.title"), Email: f.Email, Next: safeNext(f.Next)}
			if !p.withErrors(err) && !p.withMessage(err) {
				return err
			}
			setRetryAfter(c, err)
			return d.Views.Render(c, statusOf(err), "auth/login", p)
		}
		if err := d.startSession(c, u); err != nil {
			return err
		}
		d.flash(c, "login.welcome")
		return redirect(c, safeNext(f.Next))
	}
}

// RegisterForm renders /register.
func RegisterForm(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := AccountPage{Page: d.newPage(c, "register.title"), Next: safeNext(c.Query("next"))}
		return d.Views.Render(c, fiber.StatusOK, "auth/register", p)
	}
}

// Register creates an account and logs it in.
func Register(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var f forms.Register
		if err := parseBody(c, &f); err != nil {
			return err
		}
		u, err := d.Svc.Register(c.UserContext(), f)
		if err != nil {
			p := AccountPage{Page: d.newPage(c, "register.title"), Email: f.Email, Name: f.Name, Next: safeNext(c.FormValue("next"))}
			if !p.withErrors(err) {
				return err
			}
			return d.Views.Render(c, fiber.StatusUnprocessableEntity, "auth/register", p)
		}
		if err := d.startSession(c, u); err != nil {
			return err
		}
		d.flash(c, "register.welcome")
		return redirect(c, safeNext(c.FormValue("next")))
	}
}

// Logout ends the session.
func Logout(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if token := c.Cookies(SessionCookie); token != "" {
			if err := d.Svc.EndSession(c.UserContext(), token); err != nil {
				return err
			}
		}
		c.Cookie(d.sessionCookie("", -1))
		d.flash(c, "logout.done")
		return redirect(c, "/")
	}
}

// startSession replaces any session cookie with a new one, so a session id
// known before login is worthless after it.
func (d *Deps) startSession(c *fiber.Ctx, u *models.User) error {
	if old := c.Cookies(SessionCookie); old != "" {
		_ = d.Svc.EndSession(c.UserContext(), old)
	}
	token, err := d.Svc.StartSession(c.UserContext(), u, c.Get(fiber.HeaderUserAgent))
	if err != nil {
		return err
	}
	c.Cookie(d.sessionCookie(token, int(d.Cfg.SessionMaxAge/time.Second)))
	SetUser(c, u)
	return nil
}

func (d *Deps) sessionCookie(value string, maxAge int) *fiber.Cookie {
	return &fiber.Cookie{Name: SessionCookie, Value: value, Path: "/", HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: d.Cfg.Secure(), MaxAge: maxAge}
}
