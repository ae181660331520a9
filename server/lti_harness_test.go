package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/lti"
	"github.com/sakimori/sakimori/lti/classes"
	"github.com/sakimori/sakimori/store"
)

// ltiService is the range's LTI tool over the test database; its platform
// key cache stops with the test.
func ltiService(t testing.TB, db *store.DB, people *accounts.Service, c *cohorts.Service, publicURL string) *lti.Service {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	svc, err := lti.NewService(ctx, db.LTI(), people, classes.New(c, people), lti.Options{PublicURL: publicURL, SealKey: testFlagKey})
	if err != nil {
		t.Fatal(err)
	}
	// As the server runs it, with a round so long that only a change of a
	// trainee's work (WorkChanged) publishes grades during a test.
	go svc.Run(ctx, time.Hour, nil)
	return svc
}
