package labimages

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The workstation's kubectl is built from the pinned module and reports
// the pinned version. Building it takes minutes, so it runs with the
// other workstation tests.
func TestBuildKubectl(t *testing.T) {
	if os.Getenv("SAKIMORI_TEST_WORKSTATION") != "1" {
		t.Skip("SAKIMORI_TEST_WORKSTATION=1 builds kubectl")
	}
	out := filepath.Join(t.TempDir(), "kubectl")
	if err := BuildKubectl(context.Background(), out, io.Discard); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command(out, "version", "--client").CombinedOutput()
	if err != nil || !strings.Contains(string(got), "Client Version: "+KubectlVersion) {
		t.Fatalf("kubectl version: %v\n%s", err, got)
	}
}

func TestTheKubectlVersionIsPartOfTheRecipe(t *testing.T) {
	mod, err := os.ReadFile(filepath.Join("kubectl", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	// The module pins client libraries at v0.X.Y for kubectl v 1.X.Y.
	if want := "k8s.io/kubectl v0." + strings.TrimPrefix(KubectlVersion, "v1."); !strings.Contains(string(mod), want) {
		t.Fatalf("kubectl/go.mod does not pin %s", want)
	}
}
