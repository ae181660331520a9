// Package store is the storage edge: it opens SQLite or PostgreSQL through
// GORM, applies the embedded goose migrations, and implements each domain's
// Store interface. GORM types never leave this package; database errors are
// translated into the domains' faults here, in one place.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DB is an open database with its dialect.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB
	dialect string // "sqlite" or "postgres"
	now     func() time.Time
}

// Dialect names the database: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect }

// Options say which database to open and what time it is.
type Options struct {
	// DatabaseURL is postgres:// or postgresql:// for PostgreSQL, sqlite:PATH
	// for a SQLite file, or empty for SQLite at DataDir/sakimori.db.
	DatabaseURL string
	DataDir     string
	// Now stamps the times the store sets itself (a row's updated_at);
	// tests pin it.
	Now func() time.Time
}

// Open connects to the database opt names.
func Open(ctx context.Context, opt Options) (*DB, error) {
	if opt.Now == nil {
		return nil, errors.New("store: no clock (Now)")
	}
	databaseURL, dataDir, now := opt.DatabaseURL, opt.DataDir, opt.Now
	var (
		dialector gorm.Dialector
		dialect   string
	)
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		dialector, dialect = postgres.Open(databaseURL), "postgres"
	case databaseURL == "" || strings.HasPrefix(databaseURL, "sqlite:"):
		path := strings.TrimPrefix(databaseURL, "sqlite:")
		if path == "" {
			path = filepath.Join(dataDir, "sakimori.db")
		}
		if err := createPrivate(path); err != nil {
			return nil, err
		}
		dialector, dialect = sqlite.Open(sqliteDSN(path)), "sqlite"
	default:
		return nil, errors.New("database URL must be postgres://…, postgresql://… or sqlite:PATH")
	}
	g, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 logger.Discard,
		TranslateError:         true, // unique violations become gorm.ErrDuplicatedKey
		SkipDefaultTransaction: true, // single statements need no wrapping transaction
		NowFunc:                func() time.Time { return now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dialect, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	tunePool(sqlDB, dialect)
	db := &DB{gorm: g, sql: sqlDB, dialect: dialect, now: now}
	if err := db.Ping(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect %s: %w", dialect, err)
	}
	return db, nil
}

// createPrivate makes the database file readable by the server's user only
// (it holds password hashes); SQLite would create it world-readable and
// gives its -wal and -shm files the same mode as the database.
func createPrivate(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("database directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("database file: %w", err)
	}
	return f.Close()
}

// sqliteDSN sets the connection defaults every SQLite connection needs:
// WAL so readers never block the writer, foreign keys on (SQLite's default
// is off), a busy timeout so writers queue rather than fail, and immediate
// transactions so a read-then-write transaction cannot deadlock with another.
// Reads go through a memory map of the database file (up to 256 MiB):
// each pooled connection has only a small page cache of its own, and
// without the map a long read such as a partner's record feed spent most
// of its time in read system calls (docs/BENCHMARKS.md).
func sqliteDSN(path string) string {
	pragmas := []string{
		"journal_mode(WAL)",
		"foreign_keys(1)",
		"busy_timeout(10000)",
		"synchronous(NORMAL)",
		"journal_size_limit(200000000)",
		"temp_store(MEMORY)",
		"mmap_size(268435456)",
	}
	return "file:" + path + "?_txlock=immediate&_pragma=" + strings.Join(pragmas, "&_pragma=")
}

func tunePool(db *sql.DB, dialect string) {
	if dialect == "sqlite" {
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(16)
		return
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
}

// Ping checks the database answers, for readiness.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return db.sql.PingContext(ctx)
}

// Close closes every connection.
func (db *DB) Close() error { return db.sql.Close() }

// Pragma reads one SQLite setting, so tests and operators can check the
// connection defaults actually took.
func (db *DB) Pragma(ctx context.Context, name string) (string, error) {
	if db.dialect != "sqlite" {
		return "", errors.New("pragma: not a SQLite database")
	}
	switch name {
	case "journal_mode", "foreign_keys", "busy_timeout", "synchronous", "mmap_size":
	default:
		return "", fmt.Errorf("pragma %q: not one the server sets", name)
	}
	var v string
	err := db.sql.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v)
	return v, err
}
