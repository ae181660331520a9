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
// commits (gitrepo.Commit).
type gitHistory struct {
	Repos map[string][]gitrepo.Commit `yaml:"repos"`
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
		changes, err := gitrepo.Changes(commits, time.Now().UTC().Truncate(time.Minute))
		if err != nil {
			return fmt.Errorf("CLOUDSIM_GIT: %s: %v", path, err)
		}
		repos[path] = gitrepo.Build(changes)
	}
	return labkit.Serve(ctx, *listen, gitrepo.NewServer(repos))
}
