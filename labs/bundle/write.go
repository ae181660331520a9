package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// Export reads the scenario folder dir of fsys into a bundle: the files a
// bundle carries (see InLayout). Anything else in the folder, such as the
// Go code of a built-in scenario's lab-side apps, is left out. A symlink or
// any other special file is refused rather than followed, and so is a path
// a bundle could not carry.
func Export(fsys fs.FS, dir string) ([]byte, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel := p
		if dir != "." {
			rel = p[len(dir)+1:]
		}
		if !InLayout(rel) {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: only regular files go in a bundle", p)
		}
		if why := checkPath(rel); why != "" {
			return fmt.Errorf("%s %s", p, why)
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files[rel] = data
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, ok := files[Manifest]; !ok {
		return nil, fmt.Errorf("%s has no %s", dir, Manifest)
	}
	return (&Bundle{Files: files}).Bytes()
}

// Manifest is the file every bundle must have.
const Manifest = "scenario.yaml"

// InLayout says whether a path inside a scenario folder is one a bundle
// carries: scenario.yaml, solution.yaml, text.<lang>.yaml, README*.md at
// the top, and anything below files/.
func InLayout(rel string) bool {
	if strings.HasPrefix(rel, "files/") {
		return true
	}
	if strings.Contains(rel, "/") {
		return false
	}
	switch {
	case rel == Manifest, rel == "solution.yaml":
		return true
	case strings.HasPrefix(rel, "text.") && strings.HasSuffix(rel, ".yaml"):
		return true
	case strings.HasPrefix(rel, "README") && strings.HasSuffix(rel, ".md"):
		return true
	}
	return false
}

// Bytes writes the bundle deterministically: folders then files in sorted
// order, every time zero, no owner, fixed modes, and gzip without a name or
// time, so equal files always make equal bytes (and one sha256).
func (b *Bundle) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(gz)
	for _, name := range b.entries() {
		data, isFile := b.Files[name]
		h := &tar.Header{Name: name, ModTime: time.Unix(0, 0), Format: tar.FormatUSTAR, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(data))}
		if !isFile {
			h.Name, h.Mode, h.Typeflag, h.Size = name+"/", 0o755, tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// entries lists the folders and files a tar of the bundle holds, sorted,
// each folder before what it holds.
func (b *Bundle) entries() []string {
	seen := map[string]bool{}
	var out []string
	for name := range b.Files {
		out = append(out, name)
		for d := path.Dir(name); d != "."; d = path.Dir(d) {
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	sort.Strings(out)
	return out
}
