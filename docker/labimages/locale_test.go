package labimages

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// Every lab image sets a UTF-8 locale: without one, a shell's line editor
// treats multibyte input (Japanese, say) as bytes and mangles it. The
// round trip itself is tested over the terminal socket, on the engine.
func TestEveryImageHasAUTF8Locale(t *testing.T) {
	dir := t.TempDir()
	src := Sources{Busybox: filepath.Join(dir, "busybox"), Sim: filepath.Join(dir, SimBinary)}
	for _, f := range []string{src.Busybox, src.Sim} {
		if err := os.WriteFile(f, []byte("x"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	imgs, err := All(src)
	if err != nil {
		t.Fatal(err)
	}
	env := regexp.MustCompile(`(?m)^ENV .*\bLANG=C\.UTF-8\b`)
	for _, img := range imgs {
		if !env.Match(img.Files["Dockerfile"]) {
			t.Errorf("%s sets no UTF-8 locale (ENV LANG=C.UTF-8)", img.Tag)
		}
	}
	if !slices.Contains(WorkstationChanges, "ENV LANG=C.UTF-8") {
		t.Errorf("%s sets no UTF-8 locale: %q", Workstation, WorkstationChanges)
	}
}
