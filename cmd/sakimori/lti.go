package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/lti"
	"github.com/sakimori/sakimori/lti/classes"
	"github.com/sakimori/sakimori/store"
)

// ltiGradeRound is how often changed grades are sent to learning
// platforms: a solve reaches the LMS's gradebook within it.
const ltiGradeRound = time.Minute

// newLTI makes the LTI tool and starts its grade rounds. Its signing keys
// are sealed with the key single sign-on seals its secrets with, each
// bound to its own key id.
func newLTI(ctx context.Context, publicURL string, db *store.DB, people *accounts.Service, classrooms *cohorts.Service,
	secrets config.Secrets, log *slog.Logger) (*lti.Service, error) {
	svc, err := lti.NewService(ctx, db.LTI(), people, classes.New(classrooms, people), lti.Options{PublicURL: publicURL, SealKey: config.SSOSealKey(secrets)})
	if err != nil {
		return nil, err
	}
	go svc.Run(ctx, ltiGradeRound, log)
	return svc, nil
}
