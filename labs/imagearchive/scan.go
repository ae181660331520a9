// Package imagearchive reads a container image archive, as `docker save`
// writes it, and says whether a lab may run it: the range adds images only
// from such files (never from a registry), and only images that run as a
// user other than root and hold no setuid or setgid file. It reads the
// archive alone and knows nothing of the engine that will load it.
package imagearchive

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Image is what an archive holds, as far as the range cares.
type Image struct {
	Tags   []string // as the archive names it, e.g. sakimori-lab/shop:1.0
	User   string   // the user it runs as, from its config
	Layers int
}

// Refusal is an archive the range will not take, and why, in words for
// the admin who sent it.
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return r.Reason }

func refuse(format string, args ...any) error { return &Refusal{Reason: fmt.Sprintf(format, args...)} }

// Limits on what is read of an archive's small files.
const (
	maxManifest = 1 << 20
	maxConfig   = 4 << 20
	maxShown    = 5 // setuid files named in a refusal
)

// manifestEntry is one image of manifest.json, as `docker save` writes it.
type manifestEntry struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// config is the part of an image's config the range reads.
type config struct {
	Config struct {
		User string
	} `json:"config"`
}

// Scan reads an archive twice, through open (a fresh reader each time, as
// of a file on disk): first its manifest, then the image's config and
// every file of every layer. It returns the image, or a *Refusal saying
// what is wrong. An archive holds exactly one image, by name.
func Scan(open func() (io.ReadCloser, error)) (Image, error) {
	entry, err := readManifest(open)
	if err != nil {
		return Image{}, err
	}
	cfg, setuid, err := readImage(open, entry)
	if err != nil {
		return Image{}, err
	}
	img := Image{Tags: entry.RepoTags, User: cfg.Config.User, Layers: len(entry.Layers)}
	if runsAsRoot(img.User) {
		who := "root, as it names no user"
		if img.User != "" {
			who = fmt.Sprintf("root (user %q)", img.User)
		}
		return img, refuse("The image runs as %s: a lab image runs as an unprivileged user (USER 1000:1000 in its Dockerfile).", who)
	}
	if len(setuid) > 0 {
		shown := setuid
		if len(shown) > maxShown {
			shown = shown[:maxShown]
		}
		return img, refuse("The image holds %d setuid or setgid file(s), which let a trainee become their owner: %s. Remove the bit (chmod u-s,g-s) and save it again.",
			len(setuid), strings.Join(shown, ", "))
	}
	return img, nil
}

var numericRoot = regexp.MustCompile(`^0+(:|$)`)

// runsAsRoot says whether a config's user is root: unset, root, or uid 0.
func runsAsRoot(user string) bool {
	name, _, _ := strings.Cut(user, ":")
	return user == "" || name == "root" || numericRoot.MatchString(user)
}

// readManifest finds manifest.json and its one image.
func readManifest(open func() (io.ReadCloser, error)) (manifestEntry, error) {
	var raw []byte
	found := false
	err := walk(open, func(name string, h *tar.Header, r io.Reader) error {
		if name != "manifest.json" {
			return nil
		}
		if h.Size > maxManifest {
			return refuse("The archive's manifest.json is over %d bytes.", maxManifest)
		}
		var err error
		raw, err = io.ReadAll(r)
		found = true
		return err
	})
	if err != nil {
		return manifestEntry{}, err
	}
	if !found {
		return manifestEntry{}, refuse("The file is not an image archive: it has no manifest.json. Make one with docker save NAME:TAG -o FILE.tar.")
	}
	var entries []manifestEntry
	if json.Unmarshal(raw, &entries) != nil {
		return manifestEntry{}, refuse("The archive's manifest.json cannot be read.")
	}
	if len(entries) != 1 {
		return manifestEntry{}, refuse("The archive holds %d images; send one image a file.", len(entries))
	}
	e := entries[0]
	if len(e.RepoTags) == 0 {
		return e, refuse("The archive names no image: save it by name (docker save NAME:TAG), so the range knows what scenarios call it.")
	}
	return e, nil
}

// readImage reads the image's config and lists every setuid or setgid file
// in the archive. It reads every file, not only those manifest.json names:
// an engine may load an archive by its OCI index instead, whose manifests
// can name other layers and configs. So every layer is scanned, every
// image config must run as someone other than root, and a file that is
// neither JSON nor a layer is refused.
func readImage(open func() (io.ReadCloser, error), e manifestEntry) (config, []string, error) {
	want := map[string]bool{}
	for _, l := range e.Layers {
		want[clean(l)] = true
	}
	var cfg config
	var found []string
	seen := map[string]bool{}
	gotConfig := false
	err := walk(open, func(name string, h *tar.Header, r io.Reader) error {
		if name == "manifest.json" || h.Size == 0 {
			return nil
		}
		br := bufio.NewReader(r)
		if looksLikeJSON(br) {
			if h.Size > maxConfig {
				return refuse("The archive's %q is over %d bytes: too large for an image's JSON.", name, maxConfig)
			}
			data, err := io.ReadAll(br)
			if err != nil {
				return err
			}
			var other imageConfig
			if json.Unmarshal(data, &other) == nil && other.RootFS != nil && runsAsRoot(other.Config.User) && name != clean(e.Config) {
				return refuse("The archive holds another image config, %q, that runs as root.", name)
			}
			if name == clean(e.Config) {
				gotConfig = json.Unmarshal(data, &cfg) == nil
			}
			return nil
		}
		if h.Size < tarBlock && !gzipped(br) {
			return nil // too small to hold a file of a layer, such as the VERSION of a docker save
		}
		seen[name] = true
		return scanLayer(br, func(p string) { found = append(found, "/"+strings.TrimPrefix(path.Clean("/"+p), "/")) })
	})
	if err != nil {
		return cfg, nil, err
	}
	if !gotConfig {
		return cfg, nil, refuse("The archive's image config %q is missing or cannot be read.", e.Config)
	}
	for l := range want {
		if !seen[l] {
			return cfg, nil, refuse("The archive lacks its layer %q.", l)
		}
	}
	sort.Strings(found)
	return cfg, slices.Compact(found), nil
}

// imageConfig is an image config as found among an archive's blobs: the
// rootfs field tells it from an index or a manifest.
type imageConfig struct {
	RootFS *json.RawMessage `json:"rootfs"`
	Config struct {
		User string
	} `json:"config"`
}

// tarBlock is a tar header's size: no uncompressed layer is smaller.
const tarBlock = 512

// gzipped says whether a file starts as a gzip stream does.
func gzipped(r *bufio.Reader) bool {
	magic, err := r.Peek(2)
	return err == nil && magic[0] == 0x1f && magic[1] == 0x8b
}

// looksLikeJSON says whether a file starts, past white space, with an
// object or an array, as the archive's JSON files do and no layer does.
func looksLikeJSON(r *bufio.Reader) bool {
	head, _ := r.Peek(64)
	for _, b := range head {
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[':
			return true
		}
		return false
	}
	return false
}

// scanLayer reads one layer, gzip-compressed or not, calling setuid with
// the path of each file whose mode has the setuid or setgid bit.
func scanLayer(r io.Reader, setuid func(string)) error {
	br := bufio.NewReader(r)
	var layer io.Reader = br
	if gzipped(br) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return refuse("A layer of the archive is not a readable gzip stream.")
		}
		defer gz.Close()
		layer = gz
	}
	tr := tar.NewReader(layer)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return refuse("A file of the archive is neither JSON nor a readable layer: %v.", err)
		}
		if h.Typeflag != tar.TypeDir && h.Mode&(modeSetuid|modeSetgid) != 0 {
			setuid(h.Name)
		}
	}
}

// The setuid and setgid bits as a tar header's mode holds them.
const (
	modeSetuid = 0o4000
	modeSetgid = 0o2000
)

// walk calls fn for each file of the archive, by its clean name.
func walk(open func() (io.ReadCloser, error), fn func(name string, h *tar.Header, r io.Reader) error) error {
	f, err := open()
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return refuse("The file is not a readable tar archive: %v.", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if err := fn(clean(h.Name), h, tr); err != nil {
			return err
		}
	}
}

func clean(name string) string { return strings.TrimPrefix(path.Clean("/"+name), "/") }
