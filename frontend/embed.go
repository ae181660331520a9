//go:build embedui

// Package frontend holds the browser app. Built with the embedui tag (as
// `go tool task build` does) the binary carries the Vite build in dist/;
// without it, a placeholder page, so `go test ./...` needs no Node.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Built reports whether the real app is embedded.
const Built = true

// Files returns the app's files, rooted at index.html.
func Files() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded at build time; a miss is a build bug
	}
	return sub
}
