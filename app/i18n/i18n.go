// Package i18n holds the catalogue of every user-facing string, in German
// (the default) and English, and picks a language for a request. Messages are
// looked up by key; arguments use fmt verbs with explicit indexes (%[1]d) so a
// translation may reorder them. It is a leaf: it imports nothing of ours.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

//go:embed locales/*.json
var files embed.FS

// Default is the language used when nothing else matches.
const Default = "de"

// Languages lists the supported languages, default first.
var Languages = []string{"de", "en"}

// Catalogue maps language → key → message.
type Catalogue map[string]map[string]string

var catalogue = mustLoad()

func mustLoad() Catalogue {
	c := Catalogue{}
	for _, lang := range Languages {
		data, err := files.ReadFile("locales/" + lang + ".json")
		if err != nil {
			panic(fmt.Sprintf("i18n: catalogue %s missing: %v", lang, err))
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			panic(fmt.Sprintf("i18n: catalogue %s broken: %v", lang, err))
		}
		c[lang] = m
	}
	return c
}

// Keys returns the sorted keys of a language's catalogue.
func Keys(lang string) []string {
	keys := make([]string, 0, len(catalogue[lang]))
	for k := range catalogue[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Has reports whether key exists in lang.
func Has(lang, key string) bool {
	_, ok := catalogue[lang][key]
	return ok
}

// T translates key into lang, formatting args into it. A missing key falls
// back to the default language, then to the key itself, so a gap is visible
// but never breaks a page.
func T(lang, key string, args ...any) string {
	msg, ok := catalogue[lang][key]
	if !ok {
		if msg, ok = catalogue[Default][key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// N translates a counted message: key+".one" for n == 1, key+".other" else.
func N(lang, key string, n int64) string {
	if n == 1 {
		return T(lang, key+".one", n)
	}
	return T(lang, key+".other", n)
}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Pick chooses the language for a request: an explicit choice (query or
// cookie) if supported, else the best match of the Accept-Language header.
func Pick(explicit, cookie, acceptLanguage string) string {
	for _, l := range []string{explicit, cookie} {
		if Supported(l) {
			return l
		}
	}
	best, bestQ := Default, -1.0
	for i, part := range strings.Split(acceptLanguage, ",") {
		tag, q := parseRange(part)
		base := strings.ToLower(strings.SplitN(tag, "-", 2)[0])
		if !Supported(base) || q <= 0 {
			continue
		}
		// Earlier entries win ties, as browsers list them in preference order.
		if q > bestQ || (q == bestQ && i == 0) {
			best, bestQ = base, q
		}
	}
	return best
}

func parseRange(s string) (string, float64) {
	parts := strings.Split(strings.TrimSpace(s), ";")
	q := 1.0
	for _, p := range parts[1:] {
		p = strings.TrimSpace(p)
		if v, ok := strings.CutPrefix(p, "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				q = 0
			}
		}
	}
	return strings.TrimSpace(parts[0]), q
}
