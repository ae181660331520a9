package labimages

import (
	"slices"
	"strings"
	"testing"
)

// The runner's tag follows both of its inputs: another sakimori-sim or
// another workstation recipe is another runner, so a range never runs a
// runner built on something else.
func TestRunnerIsTaggedByTheWorkstationAndTheBinary(t *testing.T) {
	imgs, err := All(sourcesWith(t, "sim one"))
	if err != nil {
		t.Fatal(err)
	}
	runner, ok := RunnerOf(imgs)
	if !ok {
		t.Fatal("no runner made from a build with a cloud image")
	}
	if runner.Name != Runner || !strings.HasPrefix(runner.Tag, "sakimori-lab/runner:") || runner.Tag == Runner {
		t.Errorf("runner %s tagged %s", runner.Name, runner.Tag)
	}
	if string(runner.Files[SimBinary]) != "sim one" {
		t.Errorf("the runner holds %q, not the cloud image's sakimori-sim", runner.Files[SimBinary])
	}
	dockerfile := string(runner.Files["Dockerfile"])
	if !strings.HasPrefix(dockerfile, "FROM "+WorkstationTag()+"\n") {
		t.Errorf("Dockerfile is not FROM this recipe's workstation:\n%s", dockerfile)
	}
	copyAt := strings.Index(dockerfile, "COPY "+SimBinary+" /usr/local/bin/"+SimBinary+"\n")
	userAt := strings.LastIndex(dockerfile, "\nUSER 1000:1000\n")
	if copyAt < 0 || userAt < copyAt {
		t.Errorf("Dockerfile does not copy sakimori-sim to /usr/local/bin and keep user 1000 after it:\n%s", dockerfile)
	}

	if other := NewRunner([]byte("sim two")); other.Tag == runner.Tag {
		t.Error("another sakimori-sim kept the runner's tag")
	}
	if again := NewRunner([]byte("sim one")); again.Tag != runner.Tag {
		t.Errorf("the same inputs gave %s and %s", runner.Tag, again.Tag)
	}
	saved := WorkstationPackages
	t.Cleanup(func() { WorkstationPackages = saved })
	WorkstationPackages = append(slices.Clone(saved), "strace")
	if other := NewRunner([]byte("sim one")); other.Tag == runner.Tag {
		t.Error("another workstation recipe kept the runner's tag")
	}
}

// A range maps the runner's name to its own build, as it does the
// workstation's, and offers it to scenarios.
func TestTagsAndNamesIncludeTheRunner(t *testing.T) {
	imgs, err := All(sourcesWith(t, "sim one"))
	if err != nil {
		t.Fatal(err)
	}
	runner, _ := RunnerOf(imgs)
	if got := Tags(imgs)[Runner]; got != runner.Tag {
		t.Errorf("Tags maps %s to %q, want %s", Runner, got, runner.Tag)
	}
	if !slices.Contains(Names(), Runner) {
		t.Errorf("Names() = %v, without %s", Names(), Runner)
	}
	// Without sakimori-sim there is no runner to name: it runs as written.
	if _, ok := Tags(imgs[:1])[Runner]; ok {
		t.Error("Tags names a runner for a build without sakimori-sim")
	}
}
