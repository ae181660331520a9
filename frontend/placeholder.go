//go:build !embedui

package frontend

import "embed"

//go:embed placeholder/index.html
var files embed.FS

const root = "placeholder"

// Built reports whether the real app is embedded.
const Built = false
