package forms_test

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"werkstatt/app/apperr"
	"werkstatt/app/forms"
)

// verdict renders a validation result as "field:key" pairs, sorted, or
// "ok"; a result that is not a field error is a test failure.
func verdict(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return "ok"
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != apperr.Invalid || len(ae.Fields) == 0 {
		t.Fatalf("want an Invalid error with fields, got %v", err)
	}
	var out []string
	for _, f := range ae.Fields {
		out = append(out, f.Field+":"+f.Key)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func ptr(s string) *string { return &s }

func TestRegisterValidate(t *testing.T) {
	long := strings.Repeat("a", 250) + "@x.de" // 255 characters
	cases := []struct {
		name string
		f    forms.Register
		want string
	}{
		{"valid", forms.Register{Email: "anna@example.org", Name: "Anna", Password: "0123456789"}, "ok"},
		{"valid, spaces around e-mail", forms.Register{Email: "  anna@example.org ", Name: "Anna", Password: "0123456789"}, "ok"},
		{"umlaut name", forms.Register{Email: "j@example.org", Name: "Jürgen Öztürk", Password: "0123456789"}, "ok"},
		{"all empty", forms.Register{}, "email:field.required name:field.required password:field.required"},
		{"no at", forms.Register{Email: "anna.example.org", Name: "A", Password: "0123456789"}, "email:field.email"},
		{"no dot in domain", forms.Register{Email: "anna@localhost", Name: "A", Password: "0123456789"}, "email:field.email"},
		{"display-name form", forms.Register{Email: "Anna <anna@example.org>", Name: "A", Password: "0123456789"}, "email:field.email"},
		{"two ats", forms.Register{Email: "a@b@example.org", Name: "A", Password: "0123456789"}, "email:field.email"},
		{"255 characters", forms.Register{Email: long, Name: "A", Password: "0123456789"}, "email:field.email"},
		{"nine-character password", forms.Register{Email: "a@example.org", Name: "A", Password: "012345678"}, "password:field.too_short"},
		{"1000-character password", forms.Register{Email: "a@example.org", Name: "A", Password: strings.Repeat("p", 1000)}, "ok"},
		{"1001-character password", forms.Register{Email: "a@example.org", Name: "A", Password: strings.Repeat("p", 1001)}, "password:field.too_long"},
		{"80-character name", forms.Register{Email: "a@example.org", Name: strings.Repeat("ü", 80), Password: "0123456789"}, "ok"},
		{"81-character name", forms.Register{Email: "a@example.org", Name: strings.Repeat("ü", 81), Password: "0123456789"}, "name:field.too_long"},
		{"name of control characters", forms.Register{Email: "a@example.org", Name: "\t\n\x00", Password: "0123456789"}, "name:field.required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := c.f
			if got := verdict(t, f.Validate()); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
	f := forms.Register{Email: " a@example.org ", Name: " Anna\x07 ", Password: " 0123456789 "}
	if err := f.Validate(); err != nil || f.Email != "a@example.org" || f.Name != "Anna" || f.Password != " 0123456789 " {
		t.Errorf("Validate should trim e-mail and name, drop control characters, keep the password: %+v %v", f, err)
	}
}

func TestLoginValidate(t *testing.T) {
	for _, c := range []struct {
		f    forms.Login
		want string
	}{
		{forms.Login{Email: "a@example.org", Password: "x"}, "ok"},
		{forms.Login{Email: "   ", Password: ""}, "email:field.required password:field.required"},
		{forms.Login{Email: "a@example.org"}, "password:field.required"},
	} {
		f := c.f
		if got := verdict(t, f.Validate()); got != c.want {
			t.Errorf("%+v: got %s, want %s", c.f, got, c.want)
		}
	}
}

func TestJoinValidate(t *testing.T) {
	for _, c := range []struct {
		code, name string
		want       string
		wantCode   string
	}{
		{"K7QP2M", "Fritz", "ok", "K7QP2M"},
		{"k7q-p2m", "Fritz", "ok", "K7QP2M"},
		{" k7 qp 2m ", "Fritz", "ok", "K7QP2M"},
		{"", "Fritz", "code:field.required", ""},
		{"--", "Fritz", "code:field.required", ""},
		{"ABCDEFGHJKMNP", "Fritz", "code:join.code_unknown", "ABCDEFGHJKMNP"},
		{"K7QP2M", "F", "display_name:field.too_short", "K7QP2M"},
		{"K7QP2M", " \x00F\x01 ", "display_name:field.too_short", "K7QP2M"},
		{"K7QP2M", "", "display_name:field.required", "K7QP2M"},
		{"K7QP2M", strings.Repeat("ß", 40), "ok", "K7QP2M"},
		{"K7QP2M", strings.Repeat("ß", 41), "display_name:field.too_long", "K7QP2M"},
	} {
		f := forms.Join{Code: c.code, DisplayName: c.name}
		if got := verdict(t, f.Validate()); got != c.want || f.Code != c.wantCode {
			t.Errorf("Join{%q, %q}: got %s with code %q, want %s with %q", c.code, c.name, got, f.Code, c.want, c.wantCode)
		}
	}
}

func TestWorkshopValidate(t *testing.T) {
	cases := []struct {
		name   string
		f      forms.Workshop
		create bool
		want   string
	}{
		{"create with title", forms.Workshop{Title: ptr("Bürgerservice")}, true, "ok"},
		{"create without title", forms.Workshop{Description: ptr("x")}, true, "title:field.required"},
		{"edit without title", forms.Workshop{Description: ptr("x")}, false, "ok"},
		{"empty edit", forms.Workshop{}, false, "ok"},
		{"two-character title", forms.Workshop{Title: ptr("Ab")}, true, "title:field.too_short"},
		{"title of spaces", forms.Workshop{Title: ptr("     ")}, false, "title:field.required"},
		{"140 characters", forms.Workshop{Title: ptr(strings.Repeat("ö", 140))}, true, "ok"},
		{"141 characters", forms.Workshop{Title: ptr(strings.Repeat("ö", 141))}, true, "title:field.too_long"},
		{"long description", forms.Workshop{Title: ptr("Titel"), Description: ptr(strings.Repeat("d", 20001))}, true, "description:field.too_long"},
		{"good slug", forms.Workshop{Slug: ptr("buergerservice-app")}, false, "ok"},
		{"empty slug means derive", forms.Workshop{Title: ptr("Titel"), Slug: ptr("  ")}, true, "ok"},
		{"bad slug", forms.Workshop{Slug: ptr("Bürger Service")}, false, "slug:field.slug"},
		{"every phase", forms.Workshop{Phase: ptr("voting")}, false, "ok"},
		{"unknown phase", forms.Workshop{Phase: ptr("archived")}, false, "phase:field.phase"},
		{"upper-case phase", forms.Workshop{Phase: ptr("Open")}, false, "phase:field.phase"},
		{"long reason", forms.Workshop{Phase: ptr("voting"), Reason: ptr(strings.Repeat("r", 1001))}, false, "reason:field.too_long"},
		{"several at once", forms.Workshop{Title: ptr("x"), Slug: ptr("-x-"), Phase: ptr("?")}, false, "phase:field.phase slug:field.slug title:field.too_short"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := c.f
			if got := verdict(t, f.Validate(c.create)); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
	f := forms.Workshop{Title: ptr("  Titel\x1b "), Slug: ptr(" abc "), Reason: ptr("  Grund ")}
	if err := f.Validate(false); err != nil || *f.Title != "Titel" || *f.Slug != "abc" || *f.Reason != "Grund" {
		t.Errorf("Validate should clean title, slug and reason: %q %q %q %v", *f.Title, *f.Slug, *f.Reason, err)
	}
}

func TestIdeaAndCommentValidate(t *testing.T) {
	for _, c := range []struct {
		title, body, want string
	}{
		{"Termine online buchen", "", "ok"},
		{"Abc", strings.Repeat("b", 5000), "ok"},
		{"", "", "title:field.required"},
		{"  \t ", "Text", "title:field.required"},
		{"Ab", "", "title:field.too_short"},
		{strings.Repeat("ä", 140), "", "ok"},
		{strings.Repeat("ä", 141), "", "title:field.too_long"},
		{"Titel", strings.Repeat("ü", 5001), "body:field.too_long"},
		{"", strings.Repeat("b", 5001), "body:field.too_long title:field.required"},
	} {
		f := forms.Idea{Title: c.title, Body: c.body}
		if got := verdict(t, f.Validate()); got != c.want {
			t.Errorf("Idea{%.20q, %d runes}: got %s, want %s", c.title, len([]rune(c.body)), got, c.want)
		}
	}
	for _, c := range []struct{ body, want string }{
		{"Gute Idee", "ok"},
		{"", "body:field.required"},
		{" \n\t ", "body:field.required"},
		{strings.Repeat("k", 5000), "ok"},
		{strings.Repeat("k", 5001), "body:field.too_long"},
	} {
		f := forms.Comment{Body: c.body}
		if got := verdict(t, f.Validate()); got != c.want {
			t.Errorf("Comment{%d runes}: got %s, want %s", len(c.body), got, c.want)
		}
	}
}

func TestRoleValidate(t *testing.T) {
	for role, want := range map[string]string{
		"participant": "ok", "moderator": "ok", "committee": "ok", "admin": "ok",
		"": "role:field.role", "Admin": "role:field.role", "root": "role:field.role",
	} {
		f := forms.Role{Role: role}
		if got := verdict(t, f.Validate()); got != want {
			t.Errorf("role %q: got %s, want %s", role, got, want)
		}
	}
}

func TestValidSlug(t *testing.T) {
	for slug, want := range map[string]bool{
		"abc":                              true,
		"buergerservice-app":               true,
		"werkstatt-2026":                   true,
		"a1-b2-c3":                         true,
		strings.Repeat("a", 60):            true,
		strings.Repeat("a", 61):            false,
		"ab":                               false,
		"":                                 false,
		"-abc":                             false,
		"abc-":                             false,
		"ab--cd":                           false,
		"Abc":                              false,
		"bürger":                           false,
		"ab_cd":                            false,
		"ab cd":                            false,
		"ab/cd":                            false,
		"ab.cd":                            false,
		"a-b":                              true,
		fmt.Sprintf("%c%c%c", 'a', 0, 'b'): false,
	} {
		if got := forms.ValidSlug(slug); got != want {
			t.Errorf("ValidSlug(%q) = %v, want %v", slug, got, want)
		}
	}
}
