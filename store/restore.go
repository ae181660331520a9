package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sakimori/sakimori/migrations"
)

// ErrDatabaseExists refuses to restore over a database without force.
var ErrDatabaseExists = errors.New("a database already exists there; restore over it with -force (stop the server first)")

// Restore puts the backup at src in place of the SQLite database at dst.
// The backup is copied beside dst and checked first: SQLite's integrity
// check passes, and its schema is at a migration this build knows (an
// older one is migrated at the next start). dst is replaced only then,
// and only with force if it exists. The server must not be running on
// dst. It returns the backup's schema version.
func Restore(ctx context.Context, src, dst string, force bool) (int64, error) {
	if info, err := os.Stat(dst); err == nil && info.Size() > 0 && !force {
		return 0, fmt.Errorf("restore into %s: %w", dst, ErrDatabaseExists)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	staged := dst + ".restoring-" + randomSuffix()
	if err := copyPrivate(src, staged); err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	defer removeDatabaseFiles(staged)
	version, err := checkBackup(ctx, staged)
	if err != nil {
		return 0, fmt.Errorf("restore: %s is not a backup this build can restore: %w", src, err)
	}
	// A stale -wal beside dst would be replayed into the restored file.
	os.Remove(dst + "-wal")
	os.Remove(dst + "-shm")
	if err := os.Rename(staged, dst); err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	return version, nil
}

// checkBackup opens the staged copy as the server would, and checks it.
func checkBackup(ctx context.Context, path string) (int64, error) {
	db, err := Open(ctx, Options{DatabaseURL: "sqlite:" + path, Now: time.Now})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err != nil {
		return 0, err
	}
	version, err := db.SchemaVersion(ctx)
	if err != nil {
		return 0, err
	}
	known, err := knownVersions()
	if err != nil {
		return 0, err
	}
	if !known[version] {
		return 0, fmt.Errorf("schema version %d is not one of this build's migrations (a newer Sakimori's backup?)", version)
	}
	var users int64
	if err := db.sql.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&users); err != nil {
		return 0, fmt.Errorf("no accounts table: %w", err)
	}
	return version, nil
}

func knownVersions() (map[int64]bool, error) {
	fsys, err := migrations.For("sqlite")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	known := map[int64]bool{}
	for _, n := range names {
		num, _, _ := strings.Cut(n, "_")
		if v, err := strconv.ParseInt(num, 10, 64); err == nil {
			known[v] = true
		}
	}
	return known, nil
}

func copyPrivate(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	return out.Close()
}

// removeDatabaseFiles removes a SQLite database's side files (and the
// file itself, if it is still there).
func removeDatabaseFiles(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Remove(p)
	}
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
