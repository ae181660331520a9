package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sakimori/sakimori/labs/cloudsim/apps"
)

// gitHistory is CLOUDSIM_GIT: repositories by path, each a list of
// commits; a file set to null is removed by that commit.
type gitHistory struct {
	Repos map[string][]struct {
		Author  string             `yaml:"author"`
		When    time.Time          `yaml:"when"`
		Message string             `yaml:"message"`
		Files   map[string]*string `yaml:"files"`
	} `yaml:"repos"`
}

func runGit(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("git", flag.ExitOnError)
	listen := fs.String("listen", ":80", "address to serve on")
	_ = fs.Parse(args)
	text, err := env("CLOUDSIM_GIT")
	if err != nil {
		return err
	}
	var h gitHistory
	if err := yaml.Unmarshal([]byte(text), &h); err != nil {
		return fmt.Errorf("CLOUDSIM_GIT: %v", err)
	}
	repos := map[string]*apps.Repo{}
	for path, commits := range h.Repos {
		if len(commits) == 0 {
			return fmt.Errorf("CLOUDSIM_GIT: %s has no commits", path)
		}
		changes := make([]apps.Change, len(commits))
		for i, c := range commits {
			changes[i] = apps.Change{Author: c.Author, When: c.When, Message: c.Message, Files: c.Files}
		}
		repos[path] = apps.BuildRepo(changes)
	}
	return serve(ctx, *listen, apps.NewGitServer(repos))
}

// runOpenDB serves an open search database seeded from OPENDB_SEED
// (YAML: index → id → document).
func runOpenDB(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("opendb", flag.ExitOnError)
	listen := fs.String("listen", ":9200", "address to serve on")
	_ = fs.Parse(args)
	var seed map[string]map[string]any
	if err := yaml.Unmarshal([]byte(os.Getenv("OPENDB_SEED")), &seed); err != nil {
		return fmt.Errorf("OPENDB_SEED: %v", err)
	}
	indices := map[string]map[string]json.RawMessage{}
	for index, docs := range seed {
		indices[index] = map[string]json.RawMessage{}
		for id, doc := range docs {
			b, err := json.Marshal(doc)
			if err != nil {
				return fmt.Errorf("OPENDB_SEED: %s/%s: %v", index, id, err)
			}
			indices[index][id] = b
		}
	}
	return serve(ctx, *listen, apps.NewOpenDB(indices))
}
