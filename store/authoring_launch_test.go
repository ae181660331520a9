package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/authoring"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/bundle"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// scripted stands in for the engine's rehearsal, which the rehearsal
// package and the server's authoring story test on a real engine: here
// the service's bookkeeping around it is under test.
type scripted struct {
	pass bool
	hold chan struct{} // when set, the rehearsal runs until it is closed
}

func (s scripted) RehearseTo(ctx context.Context, labScenarioID string, log io.Writer) (bool, error) {
	fmt.Fprintf(log, "%s: launching lab\n", labScenarioID)
	if s.hold != nil {
		select {
		case <-s.hold:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	fmt.Fprintf(log, "%s: find-the-flag passed\n", labScenarioID)
	return s.pass, nil
}

// rehearse runs one rehearsal to its end and checks how it ended.
func rehearse(t *testing.T, svc *authoring.Service, a authoring.Actor, id, digest string, want authoring.RehearsalState) authoring.Rehearsal {
	t.Helper()
	ctx := context.Background()
	if _, err := svc.Rehearse(ctx, a, id, digest); err != nil {
		t.Fatalf("rehearse: %v", err)
	}
	for range 500 {
		r, state, err := svc.Rehearsal(ctx, a, id, digest)
		if err != nil {
			t.Fatal(err)
		}
		if state != authoring.Running {
			if state != want {
				t.Fatalf("rehearsal ended %s, want %s:\n%s", state, want, r.Log)
			}
			return r
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the rehearsal did not end")
	return authoring.Rehearsal{}
}

// Publishing waits for a green rehearsal of that exact version; a
// rehearsal's log grows while it runs and is kept when it ends; one
// version is rehearsed once at a time.
func TestPublishingWaitsForAGreenRehearsal(t *testing.T) {
	v1, v2 := orientationBundles(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
		must(t, db.Cohorts().CreateOrganisation(ctx, cohorts.Organisation{ID: "o1", Name: "o1", Slug: "o1", Kind: cohorts.University, CreatedAt: now}))
		must(t, db.Accounts().CreateUser(ctx, user("alice", "alice@example.org", accounts.RoleInstructor)))
		must(t, db.Accounts().CreateUser(ctx, user("bob", "bob@example.org", accounts.RoleInstructor)))
		alice, bob := authoring.Actor{UserID: "alice", OrganisationID: "o1"}, authoring.Actor{UserID: "bob", OrganisationID: "o1"}
		svc := authoring.NewService(db.Authoring(), bundle.DefaultLimits, func() time.Time { return now })
		defer svc.Close()
		first, err := svc.Upload(ctx, alice, v1)
		must(t, err)
		second, err := svc.Upload(ctx, alice, v2)
		must(t, err)
		id := first.AuthoredID

		if _, err := svc.Rehearse(ctx, alice, id, first.Digest); !errors.Is(err, authoring.ErrNoRehearser) {
			t.Fatalf("a range without an engine rehearses: %v", err)
		}
		if _, _, err := svc.Rehearsal(ctx, alice, id, first.Digest); !errors.Is(err, authoring.ErrNoRehearsal) {
			t.Fatalf("no rehearsal yet: %v", err)
		}
		svc.UseRehearser(scripted{pass: false}, time.Minute)
		failed := rehearse(t, svc, alice, id, first.Digest, authoring.Failed)
		if !strings.Contains(failed.Log, "launching lab") || !strings.Contains(failed.Log, "FAIL:") || failed.FinishedAt == nil {
			t.Fatalf("a failed rehearsal's log: %+v", failed)
		}
		if _, err := svc.Publish(ctx, alice, id, first.Digest); !errors.Is(err, authoring.ErrNotRehearsed) {
			t.Fatalf("published after a red rehearsal: %v", err)
		}

		hold := make(chan struct{})
		release := sync.OnceFunc(func() { close(hold) })
		defer release() // before Close waits for the rehearsal, should the test stop early
		svc.UseRehearser(scripted{pass: true, hold: hold}, time.Minute)
		if _, err := svc.Rehearse(ctx, alice, id, first.Digest); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Rehearse(ctx, alice, id, first.Digest); !errors.Is(err, authoring.ErrRehearsalRunning) {
			t.Fatalf("a second rehearsal of one version at once: %v", err)
		}
		if _, err := svc.Rehearse(ctx, bob, id, first.Digest); !errors.Is(err, authoring.ErrNotAnAuthor) {
			t.Fatalf("a non-author rehearses: %v", err)
		}
		var running authoring.Rehearsal
		var state authoring.RehearsalState
		for range 500 { // the log so far, once the rehearsal has written its first line
			running, state, err = svc.Rehearsal(ctx, alice, id, first.Digest)
			if err != nil || state != authoring.Running || strings.Contains(running.Log, "launching lab") {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err != nil || state != authoring.Running || !strings.Contains(running.Log, "launching lab") || strings.Contains(running.Log, "passed") {
			t.Fatalf("a running rehearsal's log so far: %s %+v %v", state, running, err)
		}
		release()
		for state == authoring.Running {
			time.Sleep(10 * time.Millisecond)
			running, state, err = svc.Rehearsal(ctx, alice, id, first.Digest)
			must(t, err)
		}
		if state != authoring.Passed || !strings.Contains(running.Log, "PASS:") {
			t.Fatalf("the green rehearsal: %s %+v", state, running)
		}
		// The organisation's admin reads and acts on it as its author does.
		boss := authoring.Actor{UserID: "bob", OrganisationID: "o1", OrgAdmin: true}
		if r, _, err := svc.Rehearsal(ctx, boss, id, first.Digest); err != nil || r.ID != running.ID {
			t.Fatalf("the org admin reads the rehearsal: %v", err)
		}
		// Green for the first version is not green for the second.
		if _, err := svc.Publish(ctx, alice, id, second.Digest); !errors.Is(err, authoring.ErrNotRehearsed) {
			t.Fatalf("the second version published on the first's rehearsal: %v", err)
		}
		if v, err := svc.Publish(ctx, alice, id, first.Digest); err != nil || v.Number != 1 {
			t.Fatalf("publish after a green rehearsal: %+v, %v", v, err)
		}

		// A range shutting down does not wait minutes for a rehearsal: it
		// is stopped and kept as failed, saying why.
		svc.UseRehearser(scripted{pass: true, hold: make(chan struct{})}, time.Minute)
		if _, err := svc.Rehearse(ctx, alice, id, second.Digest); err != nil {
			t.Fatal(err)
		}
		svc.Close()
		stopped, state, err := svc.Rehearsal(ctx, alice, id, second.Digest)
		if err != nil || state != authoring.Failed || !strings.Contains(stopped.Log, "the range stopped during the rehearsal") {
			t.Fatalf("a rehearsal at shutdown: %s %+v %v", state, stopped, err)
		}
	})
}

// Who may launch an authored version: its authors, drafts included; the
// organisation's people while it is live; the whole range once it is
// shared; nobody new once it is withdrawn. The catalogue reads the version
// whoever asks, under the id that names its bytes.
func TestWhoMayLaunchAuthoredVersions(t *testing.T) {
	v1, v2 := orientationBundles(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
		for _, org := range []string{"o1", "o2"} {
			must(t, db.Cohorts().CreateOrganisation(ctx, cohorts.Organisation{ID: org, Name: org, Slug: org, Kind: cohorts.University, CreatedAt: now}))
		}
		must(t, db.Accounts().CreateUser(ctx, user("alice", "alice@example.org", accounts.RoleInstructor)))
		alice := authoring.Actor{UserID: "alice", OrganisationID: "o1"}
		svc := authoring.NewService(db.Authoring(), bundle.DefaultLimits, func() time.Time { return now })
		defer svc.Close()
		svc.UseRehearser(scripted{pass: true}, time.Minute)
		first, err := svc.Upload(ctx, alice, v1)
		must(t, err)
		second, err := svc.Upload(ctx, alice, v2)
		must(t, err)
		id := first.AuthoredID
		lab1, lab2 := labs.AuthoredID("orientation", first.Digest), labs.AuthoredID("orientation", second.Digest)

		author := authoring.Person{UserID: "alice", Organisations: map[string]bool{"o1": true}}
		member := authoring.Person{UserID: "tom", Organisations: map[string]bool{"o1": true}}
		outsider := authoring.Person{UserID: "olga", Organisations: map[string]bool{"o2": true}}
		may := func(p authoring.Person, lab string, want bool) {
			t.Helper()
			err := svc.MayLaunch(ctx, p, lab)
			if want && err != nil || !want && !errors.Is(err, authoring.ErrNotFound) {
				t.Fatalf("%s launching %s: %v, want allowed=%v", p.UserID, lab[:20], err, want)
			}
		}
		launchable := func(p authoring.Person) string {
			t.Helper()
			ids, err := svc.Launchable(ctx, p)
			must(t, err)
			return strings.Join(ids, ",")
		}
		may(author, lab1, true) // a draft, to preview
		may(member, lab1, false)
		may(outsider, lab1, false)
		// Those who may edit it preview it too: the organisation's admins
		// and range admins; another organisation's admin may not.
		may(authoring.Person{UserID: "oda", Organisations: map[string]bool{"o1": true}, Manages: map[string]bool{"o1": true}}, lab1, true)
		may(authoring.Person{UserID: "root", RangeAdmin: true}, lab1, true)
		may(authoring.Person{UserID: "otto", Organisations: map[string]bool{"o2": true}, Manages: map[string]bool{"o2": true}}, lab1, false)
		may(author, "orientation@"+strings.Repeat("0", 64), false)
		may(author, labs.AuthoredID("other-name", first.Digest), false)
		if got := launchable(member); got != "" {
			t.Fatalf("drafts listed: %s", got)
		}

		rehearse(t, svc, alice, id, first.Digest, authoring.Passed)
		_, err = svc.Publish(ctx, alice, id, first.Digest)
		must(t, err)
		may(member, lab1, true)
		may(outsider, lab1, false)
		may(member, lab2, false) // the second is still a draft
		if got := launchable(member); got != lab1 {
			t.Fatalf("the member's list: %s", got)
		}
		if got := launchable(outsider); got != "" {
			t.Fatalf("the outsider's list: %s", got)
		}
		must(t, svc.SetVisibility(ctx, alice, id, authoring.Shared))
		may(outsider, lab1, true)
		if got := launchable(outsider); got != lab1 {
			t.Fatalf("the outsider's list once shared: %s", got)
		}

		rehearse(t, svc, alice, id, second.Digest, authoring.Passed)
		_, err = svc.Publish(ctx, alice, id, second.Digest)
		must(t, err)
		if got := launchable(member); got != lab2 {
			t.Fatalf("the newest live version is listed: %s", got)
		}
		if _, err := svc.Unpublish(ctx, alice, id, second.Digest); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Unpublish(ctx, alice, id, second.Digest); !errors.Is(err, authoring.ErrUnpublished) {
			t.Fatalf("withdrawn twice: %v", err)
		}
		may(member, lab2, false)
		may(author, lab2, true)
		if got := launchable(member); got != lab1 {
			t.Fatalf("withdrawing the newest lists the one before: %s", got)
		}
		if v, err := svc.Publish(ctx, alice, id, second.Digest); err != nil || v.Number != 2 || !v.Live() {
			t.Fatalf("republished under its number: %+v, %v", v, err)
		}

		sc, err := svc.LabScenario(ctx, lab1)
		if err != nil || sc.ID != lab1 || len(sc.Objectives) == 0 {
			t.Fatalf("the catalogue's read: %v", err)
		}
		if _, err := svc.LabScenario(ctx, "orientation@"+strings.Repeat("0", 64)); !errors.Is(err, labs.ErrScenarioNotFound) {
			t.Fatalf("an unknown digest: %v", err)
		}
		if _, err := svc.LabScenario(ctx, labs.AuthoredID("other-name", first.Digest)); !errors.Is(err, labs.ErrScenarioNotFound) {
			t.Fatalf("a digest under another name: %v", err)
		}
	})
}
