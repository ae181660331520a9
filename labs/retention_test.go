package labs_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs"
)

type keptRecordings struct{ list []labs.Recording }

func (k *keptRecordings) RecordingsStartedBefore(_ context.Context, t time.Time, limit int) ([]labs.Recording, error) {
	var out []labs.Recording
	for _, r := range k.list {
		if r.StartedAt.Before(t) && r.EndedAt != nil && len(out) < limit {
			out = append(out, r)
		}
	}
	return out, nil
}

func (k *keptRecordings) DeleteRecording(_ context.Context, id string) error {
	k.list = slices.DeleteFunc(k.list, func(r labs.Recording) bool { return r.ID == id })
	return nil
}

// Recordings past the retention period lose their file and their row;
// newer ones and one still being written stay.
func TestRecordingRetentionDeletesOnlyWhatIsPastIt(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	ended := now
	rec := func(id string, age time.Duration, done bool) labs.Recording {
		r := labs.Recording{ID: id, InstanceID: "l" + id, StartedAt: now.Add(-age)}
		if done {
			r.EndedAt = &ended
		}
		if err := os.MkdirAll(filepath.Join(dir, r.InstanceID), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, r.InstanceID, id+".cast"), []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		return r
	}
	store := &keptRecordings{list: []labs.Recording{
		rec("old", 100*24*time.Hour, true), rec("new", time.Hour, true), rec("open", 100*24*time.Hour, false),
	}}
	store.list = append(store.list, labs.Recording{ID: "nofile", InstanceID: "lgone", StartedAt: now.Add(-200 * 24 * time.Hour), EndedAt: &ended})
	r := labs.NewRecordingRetention(store, dir, 90*24*time.Hour, func() time.Time { return now })
	removed, err := r.Expire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 2 {
		t.Fatalf("removed %v, want old and nofile", removed)
	}
	if _, err := os.Stat(filepath.Join(dir, "lold", "old.cast")); !os.IsNotExist(err) {
		t.Fatalf("the old cast is still there: %v", err)
	}
	for _, keep := range []string{"new", "open"} {
		if _, err := os.Stat(filepath.Join(dir, "l"+keep, keep+".cast")); err != nil {
			t.Fatalf("%s was deleted: %v", keep, err)
		}
	}
	if len(store.list) != 2 {
		t.Fatalf("rows left: %v", store.list)
	}
}
