package labimages

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// FromCheckout is HostSources with sakimori-sim compiled from the source
// tree into dir (the go command must be on PATH), so tests run the lab
// side of the code they test rather than whatever was built last.
func FromCheckout(dir string) (Sources, error) {
	src := HostSources()
	src.Sim = filepath.Join(dir, SimBinary)
	build := exec.Command("go", "build", "-trimpath", "-o", src.Sim, "github.com/sakimori/sakimori/cmd/sakimori-sim")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return src, fmt.Errorf("building sakimori-sim: %v\n%s", err, out)
	}
	return src, nil
}
