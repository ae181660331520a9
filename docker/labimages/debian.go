package labimages

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Debian is an image made of Debian's own packages: a debootstrap root
// file system, finished by its recipe and imported into the engine, as
// the workstation and the warehouse are. Debian's packages are its only
// source; no registry is involved.
type Debian struct {
	Name     string // as scenarios write it: sakimori-lab/workstation:latest
	Suite    string
	Packages []string // installed on top of debootstrap's minimal base
	Changes  []string // image settings applied at import (USER, ENV, CMD…)
	// Version names the recipe's own steps: it changes when Finish does.
	Version string
	// Finish completes the root file system after debootstrap, as root.
	Finish func(ctx context.Context, root string, log io.Writer) error
}

// Hash identifies the recipe, so an unchanged one is not made again.
func (d Debian) Hash() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s", d.Version, d.Suite, strings.Join(d.Packages, ","), strings.Join(d.Changes, "\x00"))
	return hex.EncodeToString(h.Sum(nil))
}

// Tag is this recipe's own tag of the image.
func (d Debian) Tag() string { return contentTag(d.Name, d.Hash()) }

// BuildRootfs runs debootstrap into dir (which must not exist yet), then
// the recipe's own steps, and drops the package caches. It needs root and
// debootstrap. An empty mirror uses debootstrap's default.
func (d Debian) BuildRootfs(ctx context.Context, dir, mirror string, log io.Writer) error {
	if _, err := exec.LookPath("debootstrap"); err != nil {
		return fmt.Errorf("the %s image needs debootstrap (apt-get install debootstrap): %w", d.Name, err)
	}
	args := []string{"--variant=minbase", "--include=" + strings.Join(d.Packages, ","), d.Suite, dir}
	if mirror != "" {
		args = append(args, mirror)
	}
	cmd := exec.CommandContext(ctx, "debootstrap", args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("debootstrap: %w", err)
	}
	if d.Finish != nil {
		if err := d.Finish(ctx, dir, log); err != nil {
			return err
		}
	}
	// Package caches only make the image larger.
	for _, cache := range []string{"var/cache/apt/archives", "var/lib/apt/lists"} {
		matches, _ := filepath.Glob(filepath.Join(dir, cache, "*"))
		for _, m := range matches {
			if st, err := os.Stat(m); err == nil && !st.IsDir() {
				os.Remove(m)
			}
		}
	}
	return nil
}

// Debians are the Debian images a range makes, the workstation first:
// `sakimori images build -workstation` makes them all.
func Debians() []Debian { return []Debian{WorkstationImage(), WarehouseOSImage()} }
