package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/migrations"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
)

// docs/security.md case 14: a backup taken while 8 trainees submit
// answers holds every answer acknowledged before it began; restored into
// a fresh data directory it passes SQLite's integrity check and opens with
// the app, every one of those answers still there.
func TestBackupDuringSubmissionsRestoresEveryAcknowledgedRecord(t *testing.T) {
	ctx := context.Background()
	live := t.TempDir()
	db, err := store.Open(ctx, store.Options{DataDir: live, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const submitters = 8
	for i := range submitters {
		err := db.Accounts().CreateUser(ctx, accounts.User{ID: fmt.Sprintf("t%d", i), Email: fmt.Sprintf("t%d@range.test", i),
			DisplayName: fmt.Sprintf("T%d", i), Role: accounts.RoleTrainee, PasswordHash: "x", CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
	}

	// Each submitter records wrong answers as fast as the store takes
	// them; an answer is acknowledged once Record returns nil.
	var (
		mu    sync.Mutex
		acked []string
		stop  atomic.Bool
		wg    sync.WaitGroup
	)
	for i := range submitters {
		wg.Go(func() {
			for n := 0; !stop.Load(); n++ {
				id := fmt.Sprintf("e-%d-%d", i, n)
				err := db.Scoring().Record(ctx, scoring.Event{ID: id, Kind: scoring.EventSubmission, TraineeID: fmt.Sprintf("t%d", i),
					InstanceID: "l1", ScenarioID: "s", ObjectiveID: "o", Digest: "d", At: time.Now()})
				if err != nil {
					t.Errorf("submission %s: %v", id, err)
					return
				}
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			}
		})
	}
	// The backup starts once the submitters have recorded a good number.
	var before []string
	for deadline := time.Now().Add(30 * time.Second); len(before) < submitters*10 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		before = append(before[:0], acked...)
		mu.Unlock()
	}
	file := filepath.Join(t.TempDir(), "range.backup")
	var out bytes.Buffer
	err = run(ctx, []string{"backup", "-data-dir", live, file}, envOf(nil), nil, &out, io.Discard)
	time.Sleep(100 * time.Millisecond) // the submitters go on after the backup too
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if len(before) < submitters*10 {
		t.Fatalf("only %d answers before the backup: the test did not load the store", len(before))
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the backup file is not private to its user: %v %v", info.Mode(), err)
	}

	fresh := t.TempDir()
	out.Reset()
	if err := run(ctx, []string{"restore", "-data-dir", fresh, file}, envOf(nil), nil, &out, io.Discard); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if !strings.Contains(out.String(), fmt.Sprintf("schema %05d", latestMigration(t))) {
		t.Fatalf("restore did not name the backup's schema: %s", out.String())
	}
	var status bytes.Buffer
	if err := run(ctx, []string{"migrate", "status", "-data-dir", fresh}, envOf(nil), nil, &status, io.Discard); err != nil ||
		strings.Contains(status.String(), "pending") {
		t.Fatalf("migrate status of the restored database: %v\n%s", err, status.String())
	}
	restored, err := store.Open(ctx, store.Options{DataDir: fresh, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if err := restored.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := restored.Migrate(ctx); err != nil {
		t.Fatalf("the app's own start on the restored database: %v", err)
	}
	page, err := audit.NewLog(restored.Audit(), nil).Read(ctx, audit.Filter{Action: audit.DatabaseBackup})
	if err != nil || len(page.Entries) != 1 || page.Entries[0].Detail["file"] != file {
		t.Fatalf("the backup does not hold its own audit entry: %+v %v", page, err)
	}
	kept := map[string]bool{}
	for i := range submitters {
		events, err := restored.Scoring().Events(ctx, fmt.Sprintf("t%d", i), "s")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			kept[e.ID] = true
		}
	}
	for _, id := range before {
		if !kept[id] {
			t.Fatalf("answer %s, acknowledged before the backup began, is not in the restored database (%d of %d kept)", id, len(kept), len(before))
		}
	}
	t.Logf("%d answers acknowledged before the backup, %d in it", len(before), len(kept))
}

func TestRestoreRefusesWhatItShouldNotReplace(t *testing.T) {
	ctx := context.Background()
	live := t.TempDir()
	env := envOf(map[string]string{"SAKIMORI_DATA_DIR": live})
	if err := run(ctx, []string{"migrate"}, env, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "range.backup")
	if err := run(ctx, []string{"backup", file}, env, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"backup", file}, env, nil, io.Discard, io.Discard); err == nil {
		t.Fatal("a backup overwrote an existing file")
	}

	// Over an existing database: only with -force.
	if err := run(ctx, []string{"restore", file}, env, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("restore over a database without -force: %v", err)
	}
	if err := run(ctx, []string{"restore", "-force", file}, env, nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("restore -force: %v", err)
	}

	// Not a Sakimori backup: refused, and nothing is left behind.
	fresh := t.TempDir()
	text := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(text, []byte("not a database at all, but long enough to look like one maybe"), 0o600)
	foreign := filepath.Join(t.TempDir(), "other.db")
	other, err := store.Open(ctx, store.Options{DatabaseURL: "sqlite:" + foreign, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	other.Close() // an empty SQLite database: no migrations, no accounts
	for _, bad := range []string{text, foreign, filepath.Join(fresh, "missing.db")} {
		err := run(ctx, []string{"restore", "-data-dir", fresh, bad}, envOf(nil), nil, io.Discard, io.Discard)
		if err == nil {
			t.Errorf("restored %s", bad)
		}
	}
	if left, _ := os.ReadDir(fresh); len(left) != 0 {
		t.Fatalf("refused restores left %d files behind", len(left))
	}

	// PostgreSQL is pg_dump's: a clear refusal, nothing done.
	pg := envOf(map[string]string{"SAKIMORI_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"})
	for _, args := range [][]string{{"backup", file + "2"}, {"restore", file}} {
		err := run(ctx, args, pg, nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "pg_dump") {
			t.Errorf("%s on PostgreSQL: %v", args[0], err)
		}
	}
	// No database yet: nothing to back up, and none is made.
	empty := t.TempDir()
	if err := run(ctx, []string{"backup", "-data-dir", empty, file + "3"}, envOf(nil), nil, io.Discard, io.Discard); err == nil {
		t.Fatal("backed up a database that does not exist")
	}
	if left, _ := os.ReadDir(empty); len(left) != 0 {
		t.Fatal("backup made a database where there was none")
	}
}

// latestMigration is the newest schema version this build carries: the
// one a freshly migrated database, and so its backup, is at.
func latestMigration(t *testing.T) int {
	t.Helper()
	fsys, err := migrations.For("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	slices.Sort(names)
	v, err := strconv.Atoi(names[len(names)-1][:5])
	if err != nil {
		t.Fatal(err)
	}
	return v
}
