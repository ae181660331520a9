// Package scenarios is the built-in scenario catalogue: one folder per
// scenario holding its scenario.yaml (and, as they grow, its solution
// scripts and instructor notes), embedded in the binary.
package scenarios

import "embed"

//go:embed */scenario.yaml
var files embed.FS

// Files returns the catalogue: one directory per scenario.
func Files() embed.FS { return files }
