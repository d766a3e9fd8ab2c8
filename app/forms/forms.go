// Package forms holds the typed input of every action, with Validate methods
// that say, field by field and as translation keys, what is wrong. Handlers
// fill them from HTML forms or JSON bodies; services validate them again, so
// the CLI and seeds obey the same rules.
package forms

import (
	"math"
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
)

// Limits shared by forms, pages (maxlength) and the API description.
const (
	MaxTitle       = 140
	MaxIdeaBody    = 5000
	MaxComment     = 5000
	MaxDescription = 20000
	MaxName        = 80
	MinDisplayName = 2
	MaxDisplayName = 40
	MaxPassword    = 1000
	MaxReason      = 1000
)

type errs []apperr.FieldError

func (e *errs) add(field, key string, args ...any) {
	*e = append(*e, apperr.FieldError{Field: field, Key: key, Args: args})
}

func (e errs) err() error {
	if len(e) == 0 {
		return nil
	}
	return apperr.Fields(e...)
}

func (e *errs) text(field, value string, min, max int) {
	n := utf8.RuneCountInString(value)
	switch {
	case n < min && n == 0:
		(*e).add(field, "field.required")
	case n < min:
		(*e).add(field, "field.too_short", min)
	case n > max:
		(*e).add(field, "field.too_long", max, n)
	}
}

// clean trims a single-line value and drops control characters.
func clean(s string) string {
	s = strings.TrimSpace(s)
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// Register creates an account.
type Register struct {
	Email    string `json:"email" form:"email"`
	Name     string `json:"name" form:"name"`
	Password string `json:"password" form:"password"`
}

func (f *Register) Validate() error {
	var e errs
	f.Email, f.Name = strings.TrimSpace(f.Email), clean(f.Name)
	validEmail(&e, f.Email)
	e.text("name", f.Name, 1, MaxName)
	e.text("password", f.Password, auth.MinPasswordLength, MaxPassword)
	return e.err()
}

func validEmail(e *errs, email string) {
	if email == "" {
		e.add("email", "field.required")
		return
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		e.add("email", "field.email")
	}
}

// Login signs in with e-mail and password.
type Login struct {
	Email    string `json:"email" form:"email"`
	Password string `json:"password" form:"password"`
	Next     string `json:"-" form:"next"`
}

func (f *Login) Validate() error {
	var e errs
	f.Email = strings.TrimSpace(f.Email)
	if f.Email == "" {
		e.add("email", "field.required")
	}
	if f.Password == "" {
		e.add("password", "field.required")
	}
	return e.err()
}

// Join makes a pseudonymous guest of one workshop.
type Join struct {
	Code        string `json:"code" form:"code"`
	DisplayName string `json:"display_name" form:"display_name"`
}

func (f *Join) Validate() error {
	var e errs
	f.Code, f.DisplayName = auth.NormalizeJoinCode(f.Code), clean(f.DisplayName)
	if f.Code == "" {
		e.add("code", "field.required")
	} else if len(f.Code) > 12 {
		e.add("code", "join.code_unknown")
	}
	e.text("display_name", f.DisplayName, MinDisplayName, MaxDisplayName)
	return e.err()
}

// Workshop creates or edits a workshop. Nil fields are left unchanged on
// edit (PATCH); on create Title is required.
type Workshop struct {
	Title          *string `json:"title" form:"title"`
	Description    *string `json:"description" form:"description"`
	Slug           *string `json:"slug" form:"slug"`
	Phase          *string `json:"phase" form:"phase"`
	Reason         *string `json:"reason" form:"reason"`
	RegenerateCode bool    `json:"regenerate_join_code" form:"regenerate_join_code"`

	// Live mode.
	VotingMode     *string `json:"voting_mode" form:"voting_mode"`
	DotBudget      *int    `json:"dot_budget" form:"dot_budget"`
	DotsPerIdeaMax *int    `json:"dots_per_idea_max" form:"dots_per_idea_max"`
	WallView       *string `json:"wall_view" form:"wall_view"`
	HideCounts     *bool   `json:"hide_counts" form:"hide_counts"`
}

func (f *Workshop) Validate(create bool) error {
	var e errs
	if create && f.Title == nil {
		e.add("title", "field.required")
	}
	if f.Title != nil {
		t := clean(*f.Title)
		f.Title = &t
		e.text("title", t, 3, MaxTitle)
	}
	if f.Description != nil {
		e.text("description", *f.Description, 0, MaxDescription)
	}
	if f.Slug != nil {
		s := strings.TrimSpace(*f.Slug)
		f.Slug = &s
		if s != "" && !ValidSlug(s) {
			e.add("slug", "field.slug")
		}
	}
	if f.Phase != nil {
		valid := false
		for _, p := range auth.Phases {
			valid = valid || string(p) == *f.Phase
		}
		if !valid {
			e.add("phase", "field.phase")
		}
	}
	if f.VotingMode != nil && *f.VotingMode != "support" && *f.VotingMode != "dots" {
		e.add("voting_mode", "field.voting_mode")
	}
	if f.DotBudget != nil && (*f.DotBudget < 1 || *f.DotBudget > 100) {
		e.add("dot_budget", "field.range", 1, 100)
	}
	if f.DotsPerIdeaMax != nil && (*f.DotsPerIdeaMax < 1 || *f.DotsPerIdeaMax > 100) {
		e.add("dots_per_idea_max", "field.range", 1, 100)
	}
	if f.WallView != nil && *f.WallView != "cards" && *f.WallView != "ranking" {
		e.add("wall_view", "field.wall_view")
	}
	if f.Reason != nil {
		r := strings.TrimSpace(*f.Reason)
		f.Reason = &r
		e.text("reason", r, 0, MaxReason)
	}
	return e.err()
}

// ValidSlug: lower-case letters, digits and single dashes, 3–60 long.
func ValidSlug(s string) bool {
	if len(s) < 3 || len(s) > 60 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// Idea posts a proposal.
type Idea struct {
	Title string `json:"title" form:"title"`
	Body  string `json:"body" form:"body"`
}

func (f *Idea) Validate() error {
	var e errs
	f.Title, f.Body = clean(f.Title), strings.TrimSpace(f.Body)
	e.text("title", f.Title, 3, MaxTitle)
	e.text("body", f.Body, 0, MaxIdeaBody)
	return e.err()
}

// Comment answers an idea.
type Comment struct {
	Body string `json:"body" form:"body"`
}

func (f *Comment) Validate() error {
	var e errs
	f.Body = strings.TrimSpace(f.Body)
	e.text("body", f.Body, 1, MaxComment)
	return e.err()
}

// Role changes a user's role.
type Role struct {
	Role string `json:"role" form:"role"`
}

func (f *Role) Validate() error {
	var e errs
	if !auth.ValidRole(f.Role) {
		e.add("role", "field.role")
	}
	return e.err()
}

// Prototype adds or edits a prototype of a workshop.
type Prototype struct {
	Title       string `json:"title" form:"title"`
	Description string `json:"description" form:"description"`
	LinkURL     string `json:"link_url" form:"link_url"`
}

func (f *Prototype) Validate() error {
	var e errs
	f.Title, f.LinkURL = clean(f.Title), strings.TrimSpace(f.LinkURL)
	e.text("title", f.Title, 3, MaxTitle)
	e.text("description", f.Description, 0, MaxDescription)
	if f.LinkURL != "" {
		u, err := url.Parse(f.LinkURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(f.LinkURL) > 500 {
			e.add("link_url", "field.url")
		}
	}
	return e.err()
}

// Screen names a screenshot; the image itself comes as a file.
type Screen struct {
	Title string `json:"title" form:"title"`
	Alt   string `json:"alt" form:"alt"`
}

func (f *Screen) Validate() error {
	var e errs
	f.Title, f.Alt = clean(f.Title), clean(f.Alt)
	e.text("title", f.Title, 0, MaxTitle)
	e.text("alt", f.Alt, 0, 1000)
	return e.err()
}

// Annotation places a pin (W = H = 0) or an area on a screen, in percent.
type Annotation struct {
	X    float64 `json:"x" form:"x"`
	Y    float64 `json:"y" form:"y"`
	W    float64 `json:"w" form:"w"`
	H    float64 `json:"h" form:"h"`
	Body string  `json:"body" form:"body"`
}

func (f *Annotation) Validate() error {
	var e errs
	f.Body = strings.TrimSpace(f.Body)
	for _, c := range []struct {
		name string
		v    float64
	}{{"x", f.X}, {"y", f.Y}, {"w", f.W}, {"h", f.H}} {
		if math.IsNaN(c.v) || c.v < 0 || c.v > 100 {
			e.add(c.name, "field.percent")
		}
	}
	if (f.W > 0) != (f.H > 0) {
		e.add("h", "annotation.area_both")
	}
	if f.X+f.W > 100.0001 {
		e.add("w", "annotation.past_edge")
	}
	if f.Y+f.H > 100.0001 {
		e.add("h", "annotation.past_edge")
	}
	e.text("body", f.Body, 1, MaxComment)
	return e.err()
}

// Dots places a number of dots on an idea (dot voting).
type Dots struct {
	Count *int `json:"count" form:"count"`
}

func (f *Dots) Validate() error {
	var e errs
	if f.Count == nil {
		e.add("count", "field.required")
	} else if *f.Count < 0 || *f.Count > 100 {
		e.add("count", "field.range", 0, 100)
	}
	return e.err()
}

// Timer controls a workshop's countdown.
type Timer struct {
	Action  string `json:"action" form:"action"` // start, pause, resume, stop, extend
	Seconds int    `json:"seconds" form:"seconds"`
}

func (f *Timer) Validate() error {
	var e errs
	switch f.Action {
	case "start", "extend":
		if f.Seconds < 1 || f.Seconds > 24*3600 {
			e.add("seconds", "field.range", 1, 24*3600)
		}
	case "pause", "resume", "stop":
	default:
		e.add("action", "field.timer_action")
	}
	return e.err()
}
