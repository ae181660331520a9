//go:build !embedui

// Package frontend holds the browser app. Built with the embedui tag (as
// `go tool task build` does) the binary carries the Vite build in dist/;
// without it, a placeholder page, so `go test ./...` needs no Node.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed placeholder/index.html
var placeholder embed.FS

// Built reports whether the real app is embedded.
const Built = false

// Files returns the placeholder page.
func Files() fs.FS {
	sub, err := fs.Sub(placeholder, "placeholder")
	if err != nil {
		panic(err)
	}
	return sub
}
