package docker

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/image"

	"github.com/sakimori/sakimori/docker/labimages"
)

// Two ranges on one engine, built from different inputs: the second
// build leaves the first's image in place, and each range's labs run the
// image of its own build, though both scenarios name the same image.
func TestTwoRangesBuildsCoexist(t *testing.T) {
	e := requireEngine(t)
	requireLabImages(t, e)
	imgs, err := labimages.All(labimages.HostSources())
	if len(imgs) == 0 {
		t.Fatal(err)
	}
	builds := map[string]labimages.Image{}
	for _, mark := range []string{"first", "second"} {
		files := map[string][]byte{"mark": []byte(mark + "-" + newID(t) + "\n")}
		for name, data := range imgs[0].Files {
			files[name] = data
		}
		files["Dockerfile"] = bytes.Replace(files["Dockerfile"], []byte("\nUSER "), []byte("\nCOPY mark /etc/mark\nUSER "), 1)
		img := labimages.NewImage("sakimori-lab/test-mark:latest", files)
		if _, err := e.BuildImage(context.Background(), img.Tag, img.Files, nil); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = e.cli.ImageRemove(context.Background(), img.Tag, image.RemoveOptions{Force: true}) })
		builds[mark] = img
	}
	if builds["first"].Tag == builds["second"].Tag {
		t.Fatal("two different builds share a tag")
	}
	for mark, img := range builds {
		if hash, err := e.ImageHash(context.Background(), img.Tag); err != nil || hash == "" {
			t.Fatalf("the %s build is gone after both were built: %v", mark, err)
		}
		tags := map[string]string{}
		for name, tag := range e.images {
			tags[name] = tag
		}
		tags["sakimori-lab/test-mark:latest"] = img.Tag
		ranged := e.WithImages(tags).ForRange("test-" + newID(t))
		t.Cleanup(func() { _ = ranged.DestroyRange(bg) })
		lab := webLab(t, mark)
		lab.Hosts[1].Image = "sakimori-lab/test-mark:latest"
		launched(t, ranged, lab)
		if out, _ := run(t, ranged, lab.ID, "workstation", "cat", "/etc/mark"); strings.TrimSpace(out) != strings.TrimSpace(string(img.Files["mark"])) {
			t.Errorf("the %s range runs %q, not its own build", mark, out)
		}
	}
}
