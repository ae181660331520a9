// Package scenarios is the built-in scenario catalogue: one folder per
// scenario, holding its scenario.yaml, its words in Japanese
// (text.ja.yaml), its reference solution
// (solution.yaml), its instructor notes (README.md) and, in Go
// subpackages, its own vulnerable apps and scripted users and intruders.
// Only the data files are embedded here: the platform imports this
// package, and never the Go code beside it, which runs inside labs as
// part of sakimori-sim.
package scenarios

import "embed"

//go:embed */scenario.yaml */text.*.yaml */solution.yaml */README*.md
var files embed.FS

// Files returns the catalogue: one directory per scenario.
func Files() embed.FS { return files }
