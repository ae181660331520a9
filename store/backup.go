package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrPostgresBackup says PostgreSQL is backed up with its own tools.
var ErrPostgresBackup = errors.New("the database is PostgreSQL: back it up with pg_dump and restore it with pg_restore (see docs/operators.md, Backups)")

// Backup writes a consistent copy of a SQLite database to path while the
// server may be writing to it: VACUUM INTO reads the database in one
// transaction, so the copy is the database as of one moment, every
// committed write before it included, compacted. path must not exist; it
// is made readable by this user only, as the database is (it holds
// password hashes).
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != "sqlite" {
		return ErrPostgresBackup
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f.Close()
	if _, err := db.sql.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// IntegrityCheck runs SQLite's own check of every page and index.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	if db.dialect != "sqlite" {
		return errors.New("integrity check: not a SQLite database")
	}
	var result string
	if err := db.sql.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if result != "ok" {
		return fmt.Errorf("integrity check: %s", result)
	}
	return nil
}

// SchemaVersion is the highest migration applied to the database.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	var v sql.NullInt64
	err := db.sql.QueryRowContext(ctx, "SELECT MAX(version_id) FROM goose_db_version WHERE is_applied").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("no migration record: %w", err)
	}
	return v.Int64, nil
}

// SQLitePath is the file of the SQLite database the settings name, or an
// error if they name PostgreSQL.
func SQLitePath(databaseURL, dataDir string) (string, error) {
	switch {
	case databaseURL == "":
		return filepath.Join(dataDir, "sakimori.db"), nil
	case strings.HasPrefix(databaseURL, "sqlite:"):
		return strings.TrimPrefix(databaseURL, "sqlite:"), nil
	}
	return "", ErrPostgresBackup
}
