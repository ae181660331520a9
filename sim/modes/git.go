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
// commits; a file set to null is removed by that commit. A commit's date
// is `when` (a fixed time) or `ago` (how long before the lab starts, like
// "21d" or "20d23h48m"), so a story's "three weeks ago" stays true.
type gitHistory struct {
	Repos map[string][]struct {
		Author  string             `yaml:"author"`
		When    time.Time          `yaml:"when"`
		Ago     string             `yaml:"ago"`
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
		now := time.Now().UTC().Truncate(time.Minute)
		for i, c := range commits {
			when, err := commitDate(c.When, c.Ago, now)
			if err != nil {
				return fmt.Errorf("CLOUDSIM_GIT: %s commit %d: %v", path, i+1, err)
			}
			changes[i] = gitrepo.Change{Author: c.Author, When: when, Message: c.Message, Files: c.Files}
		}
		repos[path] = gitrepo.Build(changes)
	}
	return labkit.Serve(ctx, *listen, gitrepo.NewServer(repos))
}

// commitDate is a commit's date: when, or ago before now.
func commitDate(when time.Time, ago string, now time.Time) (time.Time, error) {
	switch {
	case ago == "" && when.IsZero():
		return time.Time{}, fmt.Errorf("give when or ago")
	case ago == "":
		return when, nil
	case !when.IsZero():
		return time.Time{}, fmt.Errorf("give when or ago, not both")
	}
	d, err := labkit.Ago(ago)
	if err != nil {
		return time.Time{}, err
	}
	return now.Add(-d), nil
}
