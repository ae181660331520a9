// Package templates holds the scenarios an author starts from: one host;
// a workstation and a web application; a workstation and an emulated
// cloud account. Each is a complete scenario folder, valid and solvable as
// it stands, in the same layout as the built-in catalogue; `sakimori
// scenario new` copies one under a new id.
package templates

import (
	"embed"
	"io/fs"
)

//go:embed */scenario.yaml */text.*.yaml */solution.yaml */README*.md
var files embed.FS

// Names lists the templates, in the order an author is offered them.
var Names = []string{"one-host", "web-app", "cloud-account"}

// Files returns the templates: one directory per template.
func Files() fs.FS { return files }
