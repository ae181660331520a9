// Package storetest opens real, migrated databases for tests: SQLite in a
// temporary directory always, and PostgreSQL when SAKIMORI_TEST_POSTGRES_URL
// names a server (CI always sets it, and sets SAKIMORI_TEST_REQUIRE_POSTGRES
// so a missing server fails rather than skips). Each test gets a database of
// its own, dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for creating test databases

	"github.com/sakimori/sakimori/store"
)

// PostgresURLVar names the variable holding an admin URL of a test server.
const PostgresURLVar = "SAKIMORI_TEST_POSTGRES_URL"

// Dialects lists the dialects this run tests.
func Dialects(t testing.TB) []string {
	if os.Getenv(PostgresURLVar) != "" {
		return []string{"sqlite", "postgres"}
	}
	if os.Getenv("SAKIMORI_TEST_REQUIRE_POSTGRES") != "" {
		t.Fatalf("SAKIMORI_TEST_REQUIRE_POSTGRES is set but %s is empty", PostgresURLVar)
	}
	return []string{"sqlite"}
}

// Each runs fn as a subtest once per dialect, with a fresh database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, d := range Dialects(t) {
		t.Run(d, func(t *testing.T) { fn(t, Open(t, d)) })
	}
}

// Open returns a new, migrated database of the dialect on the wall clock,
// closed and removed when t ends.
func Open(t testing.TB, dialect string) *store.DB {
	t.Helper()
	return OpenAt(t, dialect, time.Now)
}

// OpenAt is Open with the store's clock pinned to now.
func OpenAt(t testing.TB, dialect string, now func() time.Time) *store.DB {
	t.Helper()
	db, _ := openURL(t, dialect, now)
	return db
}

// OpenWithURL is Open, also giving the database's URL, for benchmarks
// that fill it in bulk over a connection of their own.
func OpenWithURL(t testing.TB, dialect string) (*store.DB, string) {
	t.Helper()
	return openURL(t, dialect, time.Now)
}

func openURL(t testing.TB, dialect string, now func() time.Time) (*store.DB, string) {
	t.Helper()
	ctx := context.Background()
	var dbURL string
	if dialect == "postgres" {
		dbURL = createPostgres(t)
	} else {
		dbURL = "sqlite:" + t.TempDir() + "/test.db"
	}
	db, err := store.Open(ctx, store.Options{DatabaseURL: dbURL, DataDir: t.TempDir(), Now: now})
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close %s: %v", dialect, err)
		}
	})
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", dialect, err)
	}
	return db, dbURL
}

// createPostgres makes an empty database on the test server and returns its
// URL; the database is dropped when t ends.
func createPostgres(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(PostgresURLVar)
	if admin == "" {
		t.Skipf("%s is not set", PostgresURLVar)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "sakimori_test_" + hex.EncodeToString(b)
	conn, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer conn.Close()
	// The name is made here from hex digits, never from input.
	if _, err := conn.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		c, err := sql.Open("pgx", admin)
		if err != nil {
			t.Errorf("postgres: %v", err)
			return
		}
		defer c.Close()
		if _, err := c.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", PostgresURLVar, err)
	}
	u.Path = "/" + name
	return u.String()
}
