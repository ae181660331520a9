// Package labimages holds the definitions of the lab images, one folder per
// image, embedded so `sakimori images build` works from the binary alone.
// Images build from files on this machine only (a static busybox, the
// project's own static binaries), never from a registry.
package labimages

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed base
var defs embed.FS

// Image is one lab image: the name scenarios give it, the tag of this
// build of it, and its build context.
type Image struct {
	Name  string            // as scenarios write it: sakimori-lab/base:latest
	Tag   string            // this build's own: sakimori-lab/base:<hash of the context>
	Files map[string][]byte // build context: Dockerfile and what it copies
}

// Sources says where the host files that images copy in come from.
type Sources struct {
	Busybox string // a statically linked busybox (Debian: busybox-static)
	Sim     string // the project's static lab-side binary, sakimori-sim (go tool task build makes it)
}

// HostSources are the usual paths: Debian's busybox, and sakimori-sim
// beside the running sakimori binary.
func HostSources() Sources {
	src := Sources{Busybox: "/bin/busybox", Sim: SimBinary}
	if exe, err := os.Executable(); err == nil {
		src.Sim = filepath.Join(filepath.Dir(exe), SimBinary)
	}
	return src
}

// SimBinary is the lab-side binary's name, in bin/ and in the cloud image's
// /bin, where scenarios' commands find it.
const SimBinary = "sakimori-sim"

// Tags of the images scenarios may name.
const (
	Base  = "sakimori-lab/base:latest"
	Cloud = "sakimori-lab/cloud:latest" // base plus sakimori-sim: the emulated cloud's hosts and the scenarios' own
)

// All returns every image it has the files for, base first (the others
// build on what it holds), and an error naming any it could not make.
func All(src Sources) ([]Image, error) {
	base, err := buildContext("base", src)
	if err != nil {
		return nil, err
	}
	out := []Image{NewImage(Base, base)}
	bin, err := os.ReadFile(src.Sim)
	if err != nil {
		return out, fmt.Errorf("image %s needs the %s binary at %s (go tool task build makes it): %w", Cloud, SimBinary, src.Sim, err)
	}
	cloud := map[string][]byte{SimBinary: bin}
	for name, data := range base {
		cloud[name] = data
	}
	// The same recipe as base, with sakimori-sim added before it drops root.
	cloud["Dockerfile"] = bytes.Replace(base["Dockerfile"], []byte("\nUSER "), []byte("\nCOPY "+SimBinary+" /bin/"+SimBinary+"\nUSER "), 1)
	return append(out, NewImage(Cloud, cloud)), nil
}

// NewImage names an image's build by the hash of its context, so two
// ranges on one engine built from different inputs (another checkout,
// another release) each keep their own images: a build never replaces
// an image another range runs.
func NewImage(name string, files map[string][]byte) Image {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(files[n]))
		h.Write(files[n])
	}
	return Image{Name: name, Tag: contentTag(name, hex.EncodeToString(h.Sum(nil))), Files: files}
}

// contentTag replaces the tag of name with the first 16 hex digits of hash.
func contentTag(name, hash string) string {
	repo, _, _ := strings.Cut(name, ":")
	return repo + ":" + hash[:16]
}

// Tags maps each image's name to this build's tag of it, the workstation,
// the runner and the warehouse included: what a range gives its driver, so that its labs
// run the images built from its own inputs.
func Tags(imgs []Image) map[string]string {
	out := map[string]string{Workstation: WorkstationTag()}
	for _, img := range imgs {
		out[img.Name] = img.Tag
	}
	if runner, ok := RunnerOf(imgs); ok {
		out[Runner] = runner.Tag
	}
	if warehouse, ok := WarehouseOf(imgs); ok {
		out[Warehouse] = warehouse.Tag
	}
	return out
}

func buildContext(dir string, src Sources) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(defs, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := defs.ReadFile(p)
		files[path.Base(p)] = data
		return err
	})
	if err != nil {
		return nil, err
	}
	bb, err := os.ReadFile(src.Busybox)
	if err != nil {
		return nil, fmt.Errorf("image %s needs a static busybox at %s (install busybox-static): %w", dir, src.Busybox, err)
	}
	files["busybox"] = bb
	return files, nil
}

// Names lists the images the range builds, as scenarios name them.
func Names() []string { return []string{Base, Cloud, Workstation, Runner, Warehouse} }
