// Package ci is a lab's CI service, shaped like a self-hosted GitLab: its
// projects' repositories over git's HTTP, pipelines defined in each
// repository's .gitlab-ci.yml and run by a runner host (sim/ci/runner) as
// real shell scripts, secrets handed to jobs as environment variables,
// personal access tokens, a read-only web view of builds and logs, and
// GitLab's own API paths for what a trainee does with curl. What it
// records, the access log and the runner's process and network events,
// is served in the common telemetry format for grading and reading.
package ci

import (
	"fmt"
	"net/netip"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sakimori/sakimori/sim/ci/runner"
	"github.com/sakimori/sakimori/sim/gitrepo"
	"github.com/sakimori/sakimori/sim/labkit"
)

// World is CLOUDSIM_CI: the service as a scenario sets it up.
type World struct {
	// Name is the instance's title in its web pages.
	Name string `yaml:"name"`
	// Addresses maps a lab host's address to the one the service shows
	// in its logs, as sim/aws does, so a story's addresses stay fixed.
	Addresses   map[string]string `yaml:"addresses"`
	RunnerToken string            `yaml:"runner_token"`
	Users       []UserDef         `yaml:"users"`
	Projects    []ProjectDef      `yaml:"projects"`
	// SSO, when set, signs people in through an identity provider.
	SSO *SSODef `yaml:"sso"`
	// DBKeyBase is the instance's secret (GitLab's db_key_base, 32
	// characters or more) that seals CI/CD variables at rest, in backups,
	// and hidden ones on their way to the runner. Needed for hidden
	// variables.
	DBKeyBase string `yaml:"db_key_base"`
	// Backup, when set, is the nightly backup an admin can download:
	// ago is how long before the lab started it was made.
	Backup *BackupDef `yaml:"backup"`
}

// BackupDef is the instance's last nightly backup.
type BackupDef struct {
	Ago string `yaml:"ago"`
}

// UserDef is an account with its personal access tokens.
type UserDef struct {
	Name  string `yaml:"name"`
	Admin bool   `yaml:"admin"`
	// Auditor reads every project and the admin logs, and changes
	// nothing: GitLab's auditor users, a security team's seat.
	Auditor bool       `yaml:"auditor"`
	Tokens  []TokenDef `yaml:"tokens"`
}

// TokenDef is a personal access token. Scopes are GitLab's: api (read
// and write everything the user may), read_api, read_repository.
type TokenDef struct {
	Name   string   `yaml:"name"`
	Token  string   `yaml:"token"`
	Scopes []string `yaml:"scopes"`
	// Ago is how long before the lab starts it was made.
	Ago string `yaml:"ago"`
}

// ProjectDef is a project: its repository, CI/CD variables and schedule.
type ProjectDef struct {
	Path string `yaml:"path"` // group/name
	// Members may read the project; admins may read every project.
	Members   []string         `yaml:"members"`
	Variables []Variable       `yaml:"variables"`
	History   []gitrepo.Commit `yaml:"history"`
	// Schedule runs a pipeline on main this often, the first one a few
	// seconds after start (GitLab's pipeline schedules); empty: never.
	Schedule string `yaml:"schedule"`
	// FirstPipeline is the number the lab's first pipeline takes, so a
	// project that has built for months does not start at 1.
	FirstPipeline int `yaml:"first_pipeline"`
	// SharedRunners false keeps the lab's runner from taking the
	// project's jobs: its pipelines wait, stuck, as GitLab's do with no
	// runner assigned. Default true.
	SharedRunners *bool `yaml:"shared_runners"`
}

// Variable is a CI/CD variable: a secret a job gets in its environment.
// A hidden one (GitLab's "masked and hidden") is never shown again once
// saved, by the web view or the API; only jobs get its value.
type Variable struct {
	Key    string        `yaml:"key" json:"key"`
	Value  string        `yaml:"value" json:"value"`
	Masked bool          `yaml:"masked" json:"masked"`
	Hidden bool          `yaml:"hidden" json:"hidden"`
	sealed runner.Sealed // the value at rest, when the instance has a db_key_base
}

// ParseWorld reads CLOUDSIM_CI.
func ParseWorld(text string) (*World, error) {
	var w World
	if err := yaml.Unmarshal([]byte(text), &w); err != nil {
		return nil, fmt.Errorf("CLOUDSIM_CI: %v", err)
	}
	if w.RunnerToken == "" {
		return nil, fmt.Errorf("CLOUDSIM_CI: runner_token is required")
	}
	if len(w.Projects) == 0 {
		return nil, fmt.Errorf("CLOUDSIM_CI: no projects")
	}
	for from, to := range w.Addresses {
		if _, err := netip.ParseAddr(from); err != nil {
			return nil, fmt.Errorf("CLOUDSIM_CI: addresses: %v", err)
		}
		if _, err := netip.ParseAddr(to); err != nil {
			return nil, fmt.Errorf("CLOUDSIM_CI: addresses: %v", err)
		}
	}
	if w.DBKeyBase != "" && len(w.DBKeyBase) < runner.DBKeyLength {
		return nil, fmt.Errorf("CLOUDSIM_CI: db_key_base needs %d characters or more", runner.DBKeyLength)
	}
	if w.Backup != nil {
		if _, err := labkit.Ago(w.Backup.Ago); err != nil || w.DBKeyBase == "" {
			return nil, fmt.Errorf("CLOUDSIM_CI: backup needs an ago and the db_key_base that seals it")
		}
	}
	for _, p := range w.Projects {
		for _, v := range p.Variables {
			if v.Hidden && (!v.Masked || w.DBKeyBase == "") {
				return nil, fmt.Errorf("CLOUDSIM_CI: %s: variable %s: a hidden variable is masked too, and needs the instance's db_key_base", p.Path, v.Key)
			}
		}
		if p.Schedule != "" {
			if _, err := labkit.Ago(p.Schedule); err != nil {
				return nil, fmt.Errorf("CLOUDSIM_CI: %s: schedule: %v", p.Path, err)
			}
		}
		if _, err := gitrepo.Changes(p.History, time.Now()); err != nil {
			return nil, fmt.Errorf("CLOUDSIM_CI: %s: history: %v", p.Path, err)
		}
	}
	if w.SSO != nil && (w.SSO.Issuer == "" || w.SSO.ClientID == "") {
		return nil, fmt.Errorf("CLOUDSIM_CI: sso needs an issuer and a client_id")
	}
	for _, u := range w.Users {
		for _, t := range u.Tokens {
			if t.Token == "" {
				return nil, fmt.Errorf("CLOUDSIM_CI: user %s: token %q has no value", u.Name, t.Name)
			}
		}
	}
	return &w, nil
}
