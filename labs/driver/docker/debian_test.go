package docker

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sakimori/sakimori/docker/labimages"
)

// requireDebian makes a Debian image under name unless the engine has it
// from the same recipe (minutes, the first time on a machine: debootstrap,
// as root), and checks the engine holds this recipe's hash under name.
func requireDebian(t *testing.T, e *Engine, d labimages.Debian, name string) {
	t.Helper()
	ctx := context.Background()
	if have, _ := e.ImageHash(ctx, name); have != d.Hash() {
		if os.Geteuid() != 0 {
			t.Fatalf("making %s needs root (debootstrap)", d.Name)
		}
		root := filepath.Join(t.TempDir(), "rootfs")
		if err := d.BuildRootfs(ctx, root, "", testWriter{t}); err != nil {
			t.Fatal(err)
		}
		tarball, wait, err := labimages.TarRootfs(ctx, root)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.ImportImage(ctx, name, tarball, d.Hash(), d.Changes); err != nil {
			t.Fatal(err)
		}
		if err := wait(); err != nil {
			t.Fatal(err)
		}
		exec.Command("rm", "-rf", root).Run() // debootstrap leaves root-owned files
	}
	if have, _ := e.ImageHash(ctx, name); have != d.Hash() {
		t.Fatalf("%s does not carry its recipe's hash", name)
	}
}
