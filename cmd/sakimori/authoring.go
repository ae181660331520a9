package main

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/authoring"
	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/docker/labimages"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/bundle"
	"github.com/sakimori/sakimori/labs/driver/docker"
	"github.com/sakimori/sakimori/rehearsal"
	"github.com/sakimori/sakimori/scenarios"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
)

// rehearsalLimit bounds one rehearsal begun from the editor: the longest
// built-in scenario rehearses in about four minutes.
const rehearsalLimit = 20 * time.Minute

// newAuthoring wires scenario authoring into the range: the lab catalogue
// finds authored versions through it, and its rehearsals run on the same
// lab and scoring services trainees use, each as a throwaway trainee.
func newAuthoring(cfg config.Config, db *store.DB, l *labs.Service, sc *scoring.Service, d *docker.Engine, people *accounts.Service) *authoring.Service {
	svc := authoring.NewService(db.Authoring(), bundle.DefaultLimits, time.Now)
	// Authored labs run the images this range builds (sakimori images
	// build), and nothing pulled.
	svc.UseImages(labimages.Names())
	svc.UseImageLoader(d)              // and those an admin adds from an archive
	svc.UseBuiltIns(scenarios.Files()) // read-only versions, to copy and compare
	svc.UseLabLimits(authoring.LabLimits{Hosts: cfg.AuthoredMaxHosts, MemoryBytes: int64(cfg.AuthoredMaxMemoryMiB) << 20, CPUs: float64(cfg.AuthoredMaxCPUs)})
	l.Catalogue().UseAuthored(func(id string) (*labs.Scenario, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return svc.LabScenario(ctx, id)
	})
	svc.UseRehearser(&rehearsal.Range{Labs: l, Scoring: sc, Driver: d, Trainee: rehearsalTrainee(people)}, rehearsalLimit)
	return svc
}

// rehearsalTrainee makes the account a rehearsal plays as: a trainee no
// one can sign in as (its password is random and never kept), so its
// records are apart from every person's.
func rehearsalTrainee(people *accounts.Service) func(ctx context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		tag := strings.ToLower(rand.Text()[:10])
		u, err := people.CreateUser(ctx, accounts.NewUser{Email: "rehearsal-" + tag + "@sakimori.invalid",
			DisplayName: "rehearsal " + tag, Password: rand.Text(), Role: accounts.RoleTrainee, Rehearsal: true})
		return u.ID, err
	}
}
