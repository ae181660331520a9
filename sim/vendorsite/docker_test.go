package vendorsite

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The archive is loaded by a real engine, as a trainee loads it.
func TestReleaseImageLoadsInDocker(t *testing.T) {
	if os.Getenv("SAKIMORI_TEST_DOCKER") != "1" {
		t.Skip("set SAKIMORI_TEST_DOCKER=1 to load the image into the local engine")
	}
	archive, err := ReleaseImage(genuine, releaseKey, "http://storage.coverlytics.example")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), ImageFile)
	if err := os.WriteFile(file, archive, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("docker", "load", "-i", file).CombinedOutput()
	if err != nil {
		t.Fatalf("docker load: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("docker", "image", "rm", ImageName).CombinedOutput(); err != nil {
			t.Errorf("docker image rm: %v\n%s", err, out)
		}
	})
	if !strings.Contains(string(out), "Loaded image: "+ImageName) {
		t.Fatalf("docker load said %s", out)
	}
	out, err = exec.Command("docker", "image", "inspect", "--format", "{{len .RootFS.Layers}} {{.Config.Entrypoint}}", ImageName).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "3 [/usr/local/bin/coverlytics]" {
		t.Fatalf("docker image inspect: %v %s", err, out)
	}
}
