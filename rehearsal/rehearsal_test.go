package rehearsal_test

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/docker/labimages"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/driver/docker/dockertest"
	"github.com/sakimori/sakimori/labs/forscoring"
	"github.com/sakimori/sakimori/rehearsal"
	"github.com/sakimori/sakimori/scenarios"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store/storetest"
)

// rangeOf is a range on the real engine and a SQLite store, with the
// built-in catalogue, in the test's own subnet block (10.230.0.0/16).
func rangeOf(t *testing.T, capacity int) (*rehearsal.Range, *strings.Builder) {
	t.Helper()
	return rangeOn(t, scenarios.Files(), "10.230.0.0/16", capacity)
}

// rangeOn is rangeOf with the catalogue in fsys, in subnet block.
func rangeOn(t *testing.T, fsys fs.FS, block string, capacity int) (*rehearsal.Range, *strings.Builder) {
	t.Helper()
	engine := dockertest.Engine(t)
	if os.Getenv("SAKIMORI_TEST_WORKSTATION") == "" {
		if have, _ := engine.ImageHash(context.Background(), labimages.Workstation); have != labimages.WorkstationHash() {
			t.Skip("the cloud-incident scenarios need the workstation image (sakimori images build -workstation)")
		}
	}
	db := storetest.Open(t, "sqlite")
	cat, err := labs.LoadCatalogue(fsys)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := labs.NewPool(block, 26)
	if err != nil {
		t.Fatal(err)
	}
	key := []byte("rehearsal test flag key, 32 byte")
	defaults := config.Defaults()
	svc, err := labs.NewService(db.Labs(), engine, cat, pool, labs.Options{
		Capacity: capacity, ProvisionTimeout: 3 * time.Minute, ExtendBy: defaults.LabExtendBy, MaxExtensions: defaults.LabMaxExtensions,
		FlagKey: key, Now: time.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close(context.Background()) })
	var log strings.Builder
	var mu sync.Mutex
	n := 0
	return &rehearsal.Range{
		Labs: svc, Driver: engine, Log: &syncWriter{b: &log, mu: &mu},
		Scoring: scoring.NewService(forscoring.New(db.Labs(), cat, key, engine), db.Scoring(), nil),
		Trainee: func(ctx context.Context) (string, error) {
			mu.Lock()
			n++
			id := fmt.Sprintf("trainee-%d", n)
			mu.Unlock()
			return id, db.Accounts().CreateUser(ctx, accounts.User{ID: id, Email: id + "@range.test", DisplayName: id,
				Role: accounts.RoleTrainee, PasswordHash: "x", CreatedAt: time.Now()})
		},
	}, &log
}

type syncWriter struct {
	b  *strings.Builder
	mu *sync.Mutex
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// Every built-in scenario is solvable by its reference solution on the
// real engine, every wrong answer is refused, every check fails before its
// hardening; and two trainees' labs of one scenario hold different flags.
// Every template an author starts from is solvable as it stands: its
// reference solution passes each objective and a wrong answer fails it.
func TestTemplatesAreSolvable(t *testing.T) {
	rg, log := rangeOn(t, scenarios.Templates(), "10.231.0.0/16", len(scenarios.TemplateNames))
	reports := make([]rehearsal.Report, len(scenarios.TemplateNames))
	errs := make([]error, len(scenarios.TemplateNames))
	var wg sync.WaitGroup
	for i, id := range scenarios.TemplateNames {
		wg.Go(func() { reports[i], errs[i] = rg.Rehearse(context.Background(), id) })
	}
	wg.Wait()
	t.Log("\n" + log.String())
	for i, rep := range reports {
		if errs[i] != nil {
			t.Errorf("%s: %v", scenarios.TemplateNames[i], errs[i])
			continue
		}
		if !rep.Passed() {
			for _, s := range rep.Steps {
				t.Errorf("%s: %s: refused=%v passed=%v: %s", rep.Scenario, s.Objective, s.Refused, s.Passed, s.Detail)
			}
		}
	}
}

func TestBuiltInScenariosAreSolvable(t *testing.T) {
	cat, err := labs.LoadCatalogue(scenarios.Files())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range cat.All() {
		ids = append(ids, s.ID)
	}
	ids = append(ids, "metadata-heist") // a second trainee's lab of the same scenario
	rg, log := rangeOf(t, len(ids))
	reports := make([]rehearsal.Report, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { reports[i], errs[i] = rg.Rehearse(context.Background(), id) })
	}
	wg.Wait()
	t.Log("\n" + log.String())
	var heistFlags []string
	for i, rep := range reports {
		if errs[i] != nil {
			t.Errorf("%s: %v", ids[i], errs[i])
			continue
		}
		if !rep.Passed() {
			for _, s := range rep.Steps {
				if !s.Refused || !s.Passed {
					t.Errorf("%s: %s: refused=%v passed=%v: %s", rep.Scenario, s.Objective, s.Refused, s.Passed, s.Detail)
				}
			}
		}
		if rep.Scenario == "metadata-heist" {
			heistFlags = append(heistFlags, rep.Answers["customer-data"])
		}
		// Detections are graded on the lab's own trail too, and the
		// scripted intruder put the attack in it.
		for _, s := range rep.Steps {
			if s.Kind == scoring.KindDetection && s.Passed && (!strings.Contains(s.Detail, "from this lab's own log") || strings.Contains(s.Detail, "log: 0 malicious")) {
				t.Errorf("%s: %s was not graded on attack events from the lab's log: %q", rep.Scenario, s.Objective, s.Detail)
			}
		}
	}
	if len(heistFlags) == 2 && (heistFlags[0] == heistFlags[1] || heistFlags[0] == "") {
		t.Errorf("two trainees' labs hold the same flag: %q", heistFlags)
	}
}

// Rehearse refuses a scenario with an objective it could not play; the
// built-in catalogue has none.
func TestEveryBuiltInObjectiveHasAReferenceSolution(t *testing.T) {
	cat, err := labs.LoadCatalogue(scenarios.Files())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range cat.All() {
		have := map[string]bool{}
		for _, st := range s.Solution {
			have[st.Objective] = true
		}
		for _, o := range s.Objectives {
			if !have[o.ID] {
				t.Errorf("%s: objective %s has no reference solution", s.ID, o.ID)
			}
		}
	}
}
