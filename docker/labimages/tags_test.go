package labimages

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sourcesWith(t *testing.T, sim string) Sources {
	dir := t.TempDir()
	src := Sources{Busybox: filepath.Join(dir, "busybox"), Sim: filepath.Join(dir, SimBinary)}
	if err := os.WriteFile(src.Busybox, []byte("busybox"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src.Sim, []byte(sim), 0o755); err != nil {
		t.Fatal(err)
	}
	return src
}

// Two builds from different inputs get different tags, so one range's
// build never replaces the images another range runs; the same inputs
// give the same tag, so an unchanged build is found again.
func TestImagesAreTaggedByTheirContent(t *testing.T) {
	one, err := All(sourcesWith(t, "sim one"))
	if err != nil {
		t.Fatal(err)
	}
	two, err := All(sourcesWith(t, "sim two"))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := All(sourcesWith(t, "sim one"))
	if one[0].Name != Base || one[1].Name != Cloud {
		t.Fatalf("names %q %q", one[0].Name, one[1].Name)
	}
	for i, img := range one {
		if !strings.HasPrefix(img.Tag, strings.TrimSuffix(img.Name, "latest")) || strings.HasSuffix(img.Tag, ":latest") {
			t.Errorf("%s tagged %s, want its repository with a content tag", img.Name, img.Tag)
		}
		if again[i].Tag != img.Tag {
			t.Errorf("%s: the same inputs gave %s and %s", img.Name, img.Tag, again[i].Tag)
		}
	}
	if one[0].Tag != two[0].Tag {
		t.Error("base does not hold sakimori-sim, yet its tag changed with it")
	}
	if one[1].Tag == two[1].Tag {
		t.Errorf("two different cloud builds share the tag %s", one[1].Tag)
	}
	tags := Tags(one)
	if tags[Base] != one[0].Tag || tags[Cloud] != one[1].Tag || tags[Workstation] != WorkstationTag() {
		t.Errorf("Tags = %v", tags)
	}
}
