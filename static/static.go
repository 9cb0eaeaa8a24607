// Package static holds the console's CSS and script, embedded in the binary
// so that Parley ships as one file with no build step for the front end.
package static

import "embed"

// FS holds every asset, served under /static/.
//
//go:embed *.css *.js
var FS embed.FS
