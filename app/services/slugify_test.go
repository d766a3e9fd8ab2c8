package services_test

import (
	"strings"
	"testing"

	"werkstatt/app/forms"
	"werkstatt/app/services"
)

func TestSlugify(t *testing.T) {
	cases := []struct{ title, want string }{
		{"Bürgerservice-App", "buergerservice-app"},
		{"Digitale Bibliothek", "digitale-bibliothek"},
		{"Straße & Plätze", "strasse-plaetze"},
		{"ÄÖÜ äöü ß", "aeoeue-aeoeue-ss"},
		{"GROSSE ẞTRASSE", "grosse-sstrasse"},
		{"Café Crème à la carte", "cafe-creme-a-la-carte"},
		{"  --Hallo, Welt!--  ", "hallo-welt"},
		{"Wer? Wie? Was?", "wer-wie-was"},
		{"2026: Haushalt (Entwurf)", "2026-haushalt-entwurf"},
		{"a_b.c/d", "a-b-c-d"},
		{"Tab\tund\nZeile", "tab-und-zeile"},
		{"🎉 Fest", "fest"},
		{"日本語", "werkstatt"},
		{"", "werkstatt"},
		{"x", "werkstatt-x"},
		{"ab", "werkstatt-ab"},
		{"abc", "abc"},
		{strings.Repeat("a", 100), strings.Repeat("a", 60)},
		{strings.Repeat("a", 59) + " bbb", strings.Repeat("a", 59)},
		{strings.Repeat("ü", 40), strings.Repeat("ue", 30)},
	}
	for _, c := range cases {
		got := services.Slugify(c.title)
		if got != c.want {
			t.Errorf("Slugify(%q) = %q, want %q", c.title, got, c.want)
		}
		if !forms.ValidSlug(got) {
			t.Errorf("Slugify(%q) = %q is not a valid slug", c.title, got)
		}
	}
}

// FuzzSlugify: whatever the title, the slug is valid. `go test` runs the
// seeds; `go test -fuzz FuzzSlugify` searches further.
func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Bürgerservice-App", "", "-", "ß", "a-", strings.Repeat("ab ", 40), "Ä\u0308", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, title string) {
		if got := services.Slugify(title); !forms.ValidSlug(got) {
			t.Errorf("Slugify(%q) = %q is not a valid slug", title, got)
		}
	})
}
