package store_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/authoring"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/labs/bundle"
	"github.com/sakimori/sakimori/scenarios"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// orientationBundles are the built-in orientation scenario's bundle and
// one with its summary changed.
func orientationBundles(t *testing.T) (v1, v2 []byte) {
	t.Helper()
	v1, err := bundle.Export(scenarios.Files(), "orientation")
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Read(bytes.NewReader(v1), bundle.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	manifest := string(b.Files["scenario.yaml"])
	b.Files["scenario.yaml"] = []byte(strings.Replace(manifest, "summary: Find your way", "summary: Learn your way", 1))
	v2, err = b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return v1, v2
}

// Authored scenarios keep content-addressed versions: uploads are drafts,
// publishing numbers them once, authors alone change them, and others read
// only the published versions of a shared scenario.
func TestAuthoredScenarioVersions(t *testing.T) {
	v1, v2 := orientationBundles(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
		for _, org := range []string{"o1", "o2"} {
			must(t, db.Cohorts().CreateOrganisation(ctx, cohorts.Organisation{ID: org, Name: org, Slug: org, Kind: cohorts.University, CreatedAt: now}))
		}
		for _, id := range []string{"alice", "bob", "carol"} {
			must(t, db.Accounts().CreateUser(ctx, user(id, id+"@example.org", accounts.RoleInstructor)))
		}
		alice, bob, carol := authoring.Actor{UserID: "alice", OrganisationID: "o1"}, authoring.Actor{UserID: "bob", OrganisationID: "o1"}, authoring.Actor{UserID: "carol", OrganisationID: "o2"}
		svc := authoring.NewService(db.Authoring(), bundle.DefaultLimits, func() time.Time { return now })

		first, err := svc.Upload(ctx, alice, v1)
		if err != nil {
			t.Fatal(err)
		}
		if first.Digest != authoring.Digest(v1) || !first.Draft() || first.Number != 0 || first.Size != int64(len(v1)) {
			t.Fatalf("first upload: %+v", first)
		}
		if again, err := svc.Upload(ctx, alice, v1); err != nil || again != first {
			t.Fatalf("the same bytes again: %+v, %v", again, err)
		}
		second, err := svc.Upload(ctx, alice, v2)
		if err != nil || second.Digest == first.Digest {
			t.Fatalf("second upload: %+v, %v", second, err)
		}
		id := first.AuthoredID
		if _, err := svc.Upload(ctx, bob, v2); !errors.Is(err, authoring.ErrNotAnAuthor) {
			t.Fatalf("a non-author's upload: %v", err)
		}
		if theirs, err := svc.Upload(ctx, carol, v1); err != nil || theirs.AuthoredID == id {
			t.Fatalf("another organisation's own copy: %+v, %v", theirs, err)
		}
		// An unsafe or invalid bundle is refused and nothing is kept.
		if _, err := svc.Upload(ctx, alice, []byte("not a bundle")); !errors.Is(err, bundle.ErrBadBundle) {
			t.Fatalf("bad bundle: %v", err)
		}

		if _, err := svc.Publish(ctx, alice, id, first.Digest); !errors.Is(err, authoring.ErrNotRehearsed) {
			t.Fatalf("publish unrehearsed: %v", err)
		}
		svc.UseRehearser(scripted{pass: true}, time.Minute)
		rehearse(t, svc, alice, id, first.Digest, authoring.Passed)
		rehearse(t, svc, alice, id, second.Digest, authoring.Passed)
		published, err := svc.Publish(ctx, alice, id, first.Digest)
		if err != nil || published.Number != 1 || published.Draft() {
			t.Fatalf("publish: %+v, %v", published, err)
		}
		if _, err := svc.Publish(ctx, alice, id, first.Digest); !errors.Is(err, authoring.ErrPublished) {
			t.Fatalf("publish twice: %v", err)
		}
		if _, err := svc.Publish(ctx, bob, id, second.Digest); !errors.Is(err, authoring.ErrNotAnAuthor) {
			t.Fatalf("a non-author publishing: %v", err)
		}
		if v, err := svc.Publish(ctx, alice, id, second.Digest); err != nil || v.Number != 2 {
			t.Fatalf("publish the second: %+v, %v", v, err)
		}
		versions, err := svc.Versions(ctx, alice, id)
		if err != nil || len(versions) != 2 || versions[0].Number != 2 || versions[1].Number != 1 {
			t.Fatalf("versions: %+v, %v", versions, err)
		}

		if got, err := svc.Bundle(ctx, alice, id, first.Digest); err != nil || !bytes.Equal(got, v1) {
			t.Fatalf("download: %v", err)
		}
		if _, err := svc.Bundle(ctx, carol, id, first.Digest); !errors.Is(err, authoring.ErrNotFound) {
			t.Fatalf("a private scenario read from outside: %v", err)
		}
		if _, err := svc.Versions(ctx, carol, id); !errors.Is(err, authoring.ErrNotFound) {
			t.Fatalf("a private scenario listed from outside: %v", err)
		}
		if err := svc.SetVisibility(ctx, carol, id, authoring.Shared); !errors.Is(err, authoring.ErrNotFound) {
			t.Fatalf("an outsider sharing it: %v", err)
		}
		listed := func(a authoring.Actor) []string {
			t.Helper()
			list, err := svc.Scenarios(ctx, a)
			must(t, err)
			var ids []string
			for _, sc := range list {
				ids = append(ids, sc.ID)
			}
			return ids
		}
		if got := listed(alice); len(got) != 1 || got[0] != id {
			t.Fatalf("the author's list: %v", got)
		}
		if got := listed(bob); len(got) != 0 {
			t.Fatalf("a colleague lists a private scenario: %v", got)
		}
		must(t, svc.SetVisibility(ctx, alice, id, authoring.Shared))
		if got := listed(bob); len(got) != 1 || got[0] != id {
			t.Fatalf("a colleague's list once it is shared: %v", got)
		}
		if got := listed(carol); len(got) != 1 || got[0] == id {
			t.Fatalf("another organisation lists its own copy only: %v", got)
		}
		draftBundle, err := bundle.Read(bytes.NewReader(v2), bundle.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		draftBundle.Files["README.md"] = append(draftBundle.Files["README.md"], "\nMore notes.\n"...)
		v3, _ := draftBundle.Bytes()
		draft, err := svc.Upload(ctx, alice, v3)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := svc.Bundle(ctx, carol, id, first.Digest); err != nil || !bytes.Equal(got, v1) {
			t.Fatalf("a shared published version read from outside: %v", err)
		}
		if _, err := svc.Bundle(ctx, carol, id, draft.Digest); !errors.Is(err, authoring.ErrNotFound) {
			t.Fatalf("a shared scenario's draft read from outside: %v", err)
		}
		if seen, err := svc.Versions(ctx, carol, id); err != nil || len(seen) != 2 {
			t.Fatalf("an outsider lists the published versions only: %+v, %v", seen, err)
		}
		if all, _ := svc.Versions(ctx, alice, id); len(all) != 3 || !all[2].Draft() {
			t.Fatalf("an author lists the draft last: %+v", all)
		}

		diffs, err := svc.Diff(ctx, alice, id, first.Digest, draft.Digest)
		if err != nil || len(diffs) != 2 {
			t.Fatalf("diff: %+v, %v", diffs, err)
		}
		if diffs[0].Path != "README.md" || !strings.Contains(diffs[0].Unified, "+More notes.") ||
			diffs[1].Path != "scenario.yaml" || !strings.Contains(diffs[1].Unified, "-summary: Find your way") ||
			!strings.Contains(diffs[1].Unified, "+summary: Learn your way") {
			t.Fatalf("diff:\n%+v", diffs)
		}
		if _, err := svc.Diff(ctx, carol, id, first.Digest, draft.Digest); !errors.Is(err, authoring.ErrNotFound) {
			t.Fatalf("an outsider diffing a draft: %v", err)
		}
	})
}

// Drafts published at once get distinct numbers, each exactly once.
func TestAuthoredPublishesAtOnceGetDistinctNumbers(t *testing.T) {
	v1, v2 := orientationBundles(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
		must(t, db.Cohorts().CreateOrganisation(ctx, cohorts.Organisation{ID: "o1", Name: "o1", Slug: "o1", Kind: cohorts.University, CreatedAt: now}))
		must(t, db.Accounts().CreateUser(ctx, user("alice", "alice@example.org", accounts.RoleInstructor)))
		alice := authoring.Actor{UserID: "alice", OrganisationID: "o1"}
		svc := authoring.NewService(db.Authoring(), bundle.DefaultLimits, func() time.Time { return now })
		svc.UseRehearser(scripted{pass: true}, time.Minute)
		var drafts []authoring.Version
		for _, data := range [][]byte{v1, v2} {
			v, err := svc.Upload(ctx, alice, data)
			if err != nil {
				t.Fatal(err)
			}
			rehearse(t, svc, alice, v.AuthoredID, v.Digest, authoring.Passed)
			drafts = append(drafts, v)
		}
		errs := make(chan error, 4)
		for range 2 {
			for _, d := range drafts {
				go func() { _, err := svc.Publish(ctx, alice, d.AuthoredID, d.Digest); errs <- err }()
			}
		}
		published, refused := 0, 0
		for range 4 {
			switch err := <-errs; {
			case err == nil:
				published++
			case errors.Is(err, authoring.ErrPublished):
				refused++
			default:
				t.Errorf("publish: %v", err)
			}
		}
		versions, err := svc.Versions(ctx, alice, drafts[0].AuthoredID)
		if err != nil || len(versions) != 2 {
			t.Fatalf("versions: %+v, %v", versions, err)
		}
		numbers := map[int]bool{versions[0].Number: true, versions[1].Number: true}
		if !numbers[1] || !numbers[2] || published != 2 || refused != 2 {
			t.Fatalf("numbers %v, %d published, %d refused", numbers, published, refused)
		}
	})
}
