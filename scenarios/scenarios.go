// Package scenarios is the built-in scenario catalogue: one folder per
// scenario, holding its scenario.yaml, its words in Japanese
// (text.ja.yaml), its reference solution
// (solution.yaml), its instructor notes (README.md) and, in Go
// subpackages, its own vulnerable apps and scripted users and intruders.
// Only the data files are embedded here: the platform imports this
// package, and never the Go code beside it, which runs inside labs as
// part of sakimori-sim.
package scenarios

import (
	"embed"
	"io/fs"
)

//go:embed */scenario.yaml */text.*.yaml */solution.yaml */README*.md stolen-session/files
var files embed.FS

// Files returns the catalogue: one directory per scenario.
func Files() embed.FS { return files }

// The templates an author starts from: one host; a workstation and a web
// application; a workstation and an emulated cloud account. Each is a
// complete scenario folder, valid and solvable as it stands, in the
// catalogue's layout; `sakimori scenario new` copies one under a new id.
// They are not in the catalogue.
//
//go:embed templates/*/scenario.yaml templates/*/text.*.yaml templates/*/solution.yaml templates/*/README*.md templates/web-app/files
var templateFiles embed.FS

// TemplateNames lists the templates, in the order an author is offered them.
var TemplateNames = []string{"one-host", "web-app", "cloud-account"}

// Templates returns the templates: one directory per template.
func Templates() fs.FS {
	sub, err := fs.Sub(templateFiles, "templates")
	if err != nil {
		panic(err) // the embedded folder is there by construction
	}
	return sub
}
