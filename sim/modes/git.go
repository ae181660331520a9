package modes

import (
	"context"
	"flag"
	"fmt"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sakimori/sakimori/sim/gitrepo"
	"github.com/sakimori/sakimori/sim/labkit"
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

// runGit serves the repositories of CLOUDSIM_GIT over git's dumb HTTP.
func runGit(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("git", flag.ContinueOnError)
	listen := fs.String("listen", ":80", "address to serve on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	text, err := labkit.Setting("CLOUDSIM_GIT")
	if err != nil {
		return err
	}
	var h gitHistory
	if err := yaml.Unmarshal([]byte(text), &h); err != nil {
		return fmt.Errorf("CLOUDSIM_GIT: %v", err)
	}
	repos := map[string]*gitrepo.Repo{}
	for path, commits := range h.Repos {
		if len(commits) == 0 {
			return fmt.Errorf("CLOUDSIM_GIT: %s has no commits", path)
		}
		changes := make([]gitrepo.Change, len(commits))
		for i, c := range commits {
			changes[i] = gitrepo.Change{Author: c.Author, When: c.When, Message: c.Message, Files: c.Files}
		}
		repos[path] = gitrepo.Build(changes)
	}
	return labkit.Serve(ctx, *listen, gitrepo.NewServer(repos))
}
