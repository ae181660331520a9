package ci

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"
)

// ConfigFile is where a project's pipeline is defined, in its repository.
const ConfigFile = ".gitlab-ci.yml"

// JobDef is one job of a pipeline definition.
type JobDef struct {
	Name   string
	Stage  string
	Script []string
}

// reserved are the top-level keys of .gitlab-ci.yml that are not jobs.
var reserved = []string{"stages", "variables", "default", "workflow", "include", "image", "services", "before_script", "after_script", "cache"}

// ParsePipeline reads a .gitlab-ci.yml: its stages (default build, test,
// deploy, as GitLab's) and its jobs in the order they run: by stage, then
// as written. A job without a script is an error, as in GitLab.
func ParsePipeline(text []byte) ([]JobDef, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", ConfigFile, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a mapping of jobs", ConfigFile)
	}
	root := doc.Content[0]
	stages := []string{"build", "test", "deploy"}
	var jobs []JobDef
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i].Value, root.Content[i+1]
		if key == "stages" {
			stages = nil
			if err := val.Decode(&stages); err != nil {
				return nil, fmt.Errorf("%s: stages: %v", ConfigFile, err)
			}
			continue
		}
		if slices.Contains(reserved, key) || key[0] == '.' { // hidden jobs are templates
			continue
		}
		var j struct {
			Stage  string   `yaml:"stage"`
			Script []string `yaml:"script"`
		}
		if err := val.Decode(&j); err != nil {
			return nil, fmt.Errorf("%s: job %s: %v", ConfigFile, key, err)
		}
		if len(j.Script) == 0 {
			return nil, fmt.Errorf("%s: jobs:%s config should implement a script: or a trigger: keyword", ConfigFile, key)
		}
		if j.Stage == "" {
			j.Stage = "test"
		}
		jobs = append(jobs, JobDef{Name: key, Stage: j.Stage, Script: j.Script})
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("%s: jobs config should contain at least one visible job", ConfigFile)
	}
	for _, j := range jobs {
		if !slices.Contains(stages, j.Stage) {
			return nil, fmt.Errorf("%s: %s job: chosen stage %s does not exist; available stages are %v", ConfigFile, j.Name, j.Stage, stages)
		}
	}
	slices.SortStableFunc(jobs, func(a, b JobDef) int { return slices.Index(stages, a.Stage) - slices.Index(stages, b.Stage) })
	return jobs, nil
}
