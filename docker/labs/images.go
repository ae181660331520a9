// Package labimages holds the definitions of the lab images, one folder per
// image, embedded so `sakimori images build` works from the binary alone.
// Images build from files on this machine only (a static busybox, the
// project's own static binaries), never from a registry.
package labimages

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
)

//go:embed base
var defs embed.FS

// Image is one lab image: its tag and its build context.
type Image struct {
	Tag   string
	Files map[string][]byte // build context: Dockerfile and what it copies
}

// Sources says where the host files that images copy in come from.
type Sources struct {
	Busybox string // a statically linked busybox (Debian: busybox-static)
}

// HostSources are the usual paths on a Debian machine.
var HostSources = Sources{Busybox: "/bin/busybox"}

// Tags of the images scenarios may name.
const Base = "sakimori-lab/base:latest"

// All returns every image with its full build context.
func All(src Sources) ([]Image, error) {
	base, err := buildContext("base", src)
	if err != nil {
		return nil, err
	}
	return []Image{{Tag: Base, Files: base}}, nil
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
