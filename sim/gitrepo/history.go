package gitrepo

import (
	"fmt"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"
)

// Commit is one commit as a scenario writes it: a file set to null is
// removed by that commit. Its date is When (a fixed time) or Ago (how
// long before the lab starts, like "21d" or "20d23h48m"), so a story's
// "three weeks ago" stays true whenever the lab runs.
type Commit struct {
	Author  string             `yaml:"author"`
	When    time.Time          `yaml:"when"`
	Ago     string             `yaml:"ago"`
	Message string             `yaml:"message"`
	Files   map[string]*string `yaml:"files"`
}

// Changes dates a scripted history against now.
func Changes(commits []Commit, now time.Time) ([]Change, error) {
	if len(commits) == 0 {
		return nil, fmt.Errorf("no commits")
	}
	out := make([]Change, len(commits))
	for i, c := range commits {
		when, err := commitDate(c.When, c.Ago, now)
		if err != nil {
			return nil, fmt.Errorf("commit %d: %v", i+1, err)
		}
		out[i] = Change{Author: c.Author, When: when, Message: c.Message, Files: c.Files}
	}
	return out, nil
}

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
