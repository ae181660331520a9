//go:build embedui

package frontend

import "embed"

//go:embed all:dist
var files embed.FS

const root = "dist"

// Built reports whether the real app is embedded.
const Built = true
