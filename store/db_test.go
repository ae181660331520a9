package store_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

func TestMigrationsApplyOnceAndReportStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		status, err := db.MigrationStatus(ctx)
		if err != nil || len(status) == 0 {
			t.Fatalf("status = %v, %v", status, err)
		}
		for _, m := range status {
			if !m.Applied {
				t.Errorf("migration %d %s not applied", m.Version, m.Name)
			}
		}
		again, err := db.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second migrate applied %v, %v", again, err)
		}
	})
}

func TestSQLiteConnectionDefaults(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"busy_timeout": "10000",
		"synchronous":  "1", // NORMAL
		"mmap_size":    "268435456",
	} {
		got, err := db.Pragma(ctx, pragma)
		if err != nil || !strings.EqualFold(got, want) {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
}

func TestOpenRefusesUnknownURLs(t *testing.T) {
	for _, u := range []string{"mysql://x", "file.db", "http://localhost"} {
		if _, err := store.Open(ctx, store.Options{DatabaseURL: u, DataDir: t.TempDir(), Now: time.Now}); err == nil {
			t.Errorf("Open(%q) succeeded", u)
		}
	}
}

func TestSQLiteFileIsPrivate(t *testing.T) {
	path := t.TempDir() + "/sub/range.db"
	db, err := store.Open(ctx, store.Options{DatabaseURL: "sqlite:" + path, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		st, err := os.Stat(f)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600", f, st.Mode().Perm(), err)
		}
	}
}

func TestOpenRefusesNoClock(t *testing.T) {
	if _, err := store.Open(ctx, store.Options{DatabaseURL: "sqlite:" + t.TempDir() + "/x.db"}); err == nil || !strings.Contains(err.Error(), "clock") {
		t.Fatalf("opened with no clock: %v", err)
	}
}
