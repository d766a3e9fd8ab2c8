// Package views embeds the html/template files: layouts/, partials/,
// errors/ and one folder per resource. They are parsed once at start, so a
// broken template stops the start, not a request.
package views

import "embed"

// FS holds every template.
//
//go:embed layouts partials errors */*.html
var FS embed.FS
