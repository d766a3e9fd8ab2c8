// Package static embeds the CSS, the little JavaScript there is, images and
// vendored front-end libraries, so the binary serves them from any folder
// and on a closed network.
package static

import "embed"

// FS holds every static file.
//
//go:embed css js img
var FS embed.FS
