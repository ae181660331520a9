package main

import (
	"crypto/hkdf"
	"crypto/sha256"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/xapi"
)

// newXAPI builds organisations' xAPI forwarding: the outbox the serve
// loop runs, and the service org admins configure it through. LRS secrets
// are sealed with a key of their own, derived from the range's secrets.
func newXAPI(publicURL string, db *store.DB, secrets config.Secrets, catalogue *labs.Catalogue, orgs *cohorts.Service, rec audit.Recorder) (*xapi.Service, *xapi.Outbox, error) {
	key, err := hkdf.Key(sha256.New, secrets.FlagKey, nil, "sakimori/xapi-seal/v1", 32)
	if err != nil {
		return nil, nil, err
	}
	sealer, err := accounts.NewSealer(key)
	if err != nil {
		return nil, nil, err
	}
	st := db.XAPI(sealer)
	out := xapi.NewOutbox(st, xapi.Client{}, xapi.Builder{HomePage: publicURL, Techniques: techniquesOf(catalogue)}, time.Now)
	return xapi.NewService(st, orgs, out, rec, time.Now), out, nil
}

// techniquesOf reads an objective's ATT&CK ids from the scenario that
// declares it; a scenario's own statements (a launch) carry all of them.
func techniquesOf(catalogue *labs.Catalogue) func(scenarioID, objectiveID string) []string {
	return func(scenarioID, objectiveID string) []string {
		sc, err := catalogue.Scenario(scenarioID)
		if err != nil {
			return nil
		}
		var ids []string
		for _, o := range sc.Objectives {
			if objectiveID == "" || o.ID == objectiveID {
				ids = append(ids, o.Attack...)
			}
		}
		return ids
	}
}
