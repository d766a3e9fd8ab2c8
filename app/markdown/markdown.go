// Package markdown turns user-written Markdown into HTML that is safe to put
// on a page: goldmark renders it (raw HTML is shown as text, never passed through), then
// bluemonday's user-content policy removes anything that could run script or
// leak data. It is a leaf: it imports nothing of ours.
package markdown

import (
	"bytes"
	"html/template"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

var (
	md = goldmark.New(
		goldmark.WithExtensions(extension.Linkify, extension.Strikethrough, extension.Table),
		goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(escapeHTML{}, 100))),
	)
	policy = newPolicy()
)

func newPolicy() *bluemonday.Policy {
	// Built from scratch rather than from UGCPolicy: user images could track
	// readers and are not part of ideas, so <img> is not allowed.
	p := bluemonday.NewPolicy()
	p.AllowStandardURLs()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AllowAttrs("href").OnElements("a")
	p.AllowElements("p", "br", "hr", "strong", "em", "b", "i", "del", "s", "code", "pre",
		"blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
		"table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|right|center)$`)).OnElements("th", "td")
	return p
}

// Render converts Markdown source into sanitised HTML.
func Render(src string) template.HTML {
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		// goldmark only fails on writer errors; a bytes.Buffer has none.
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(policy.SanitizeBytes(buf.Bytes())) //nolint:gosec // sanitised above
}

// Plain returns src without any markup, for previews and feeds.
func Plain(src string) string {
	return bluemonday.StrictPolicy().Sanitize(string(Render(src)))
}
