// Package frontend holds the browser app. Built with the embedui tag (as
// `go tool task build` does) the binary carries the Vite build in dist/;
// without it, a placeholder page, so `go test ./...` needs no Node.
package frontend

import "io/fs"

// Files returns the app's files, rooted at index.html.
func Files() fs.FS {
	sub, err := fs.Sub(files, root)
	if err != nil {
		panic(err) // the root is embedded at build time; a miss is a build bug
	}
	return sub
}
