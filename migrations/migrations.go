// Package migrations holds the versioned SQL schema, one folder per database
// dialect, embedded in the binary and applied with goose. Each change to the
// schema is a new numbered file in both folders; applied files never change.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// For returns the migrations of one dialect: "sqlite" or "postgres".
func For(dialect string) (fs.FS, error) {
	switch dialect {
	case "sqlite", "postgres":
		return fs.Sub(files, dialect)
	}
	return nil, fmt.Errorf("migrations: unknown dialect %q", dialect)
}
