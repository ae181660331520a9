package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits bound what reading one bundle may cost. A bundle comes from an
// author's machine or the web, so each is checked while reading, before
// anything is kept.
type Limits struct {
	MaxEntries   int   // tar entries, folders included
	MaxFileSize  int64 // bytes in one file
	MaxTotalSize int64 // bytes in all files, uncompressed
	MaxRatio     int64 // uncompressed bytes per compressed byte, once past ratioFloor
}

// MaxBundleBytes is the largest bundle that can pass the limits: the most
// its files may hold, and a tar header and padding for each entry.
// Compression only shrinks what lab files are (text, small binaries), so
// a bundle that passes is never larger.
func (l Limits) MaxBundleBytes() int64 { return l.MaxTotalSize + int64(l.MaxEntries)*1024 }

// MaxFolderJSON is the most a folder's files may take as JSON (text, or
// base64 for the rest, and escapes): twice what a bundle may.
func (l Limits) MaxFolderJSON() int64 { return 2 * l.MaxBundleBytes() }

// DefaultLimits fit every built-in scenario many times over: the largest
// is a few tens of KiB in a handful of files.
var DefaultLimits = Limits{MaxEntries: 256, MaxFileSize: 4 << 20, MaxTotalSize: 16 << 20, MaxRatio: 100}

// ratioFloor is how much may be unpacked before the ratio is held to: small
// text compresses very well, and a few hundred KiB cannot hurt anyone.
const ratioFloor = 1 << 20

// ErrBadBundle is in the chain of every refusal of Read; the error's own
// text says why, in a sentence fit to show the author. (A web route that
// takes bundles turns it into its own fault with a code.)
var ErrBadBundle = errors.New("scenario bundle refused")

func refuse(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadBundle}, args...)...)
}

// Read reads a bundle and keeps it only if all of it is safe. It refuses
// an entry that is not a plain file or folder (symlinks, hard links,
// devices, fifos), a path that is absolute, climbs out with "..", or is not
// plain (see checkPath), a name given twice, more entries than the limit,
// a file over the size limit, more bytes in all than the limit, and a
// decompression bomb: more bytes out per byte in than MaxRatio. It reads
// the bundle to its end, so trailing garbage is refused too, and a bundle
// without scenario.yaml is refused.
func Read(r io.Reader, lim Limits) (*Bundle, error) {
	in := &countingReader{r: r}
	gz, err := gzip.NewReader(in)
	if err != nil {
		return nil, refuse("The bundle is not gzip-compressed (%v).", err)
	}
	gz.Multistream(false)
	tr := tar.NewReader(gz)
	b := &Bundle{Files: map[string][]byte{}}
	var total int64
	for entries := 1; ; entries++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, refuse("The bundle is not a readable tar archive (%v).", err)
		}
		if entries > lim.MaxEntries {
			return nil, refuse("The bundle has more than %d entries.", lim.MaxEntries)
		}
		// Archives made with "tar -C folder ." name everything ./x.
		name := strings.TrimPrefix(h.Name, "./")
		if h.Typeflag == tar.TypeDir {
			name = trimSlash(name)
			if name == "." || name == "" {
				continue
			}
		}
		if why := checkPath(name); why != "" {
			return nil, refuse("%q %s.", h.Name, why)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			continue
		case tar.TypeReg:
		case tar.TypeSymlink, tar.TypeLink:
			return nil, refuse("%q is a link; a bundle holds only plain files.", h.Name)
		default:
			return nil, refuse("%q is a special file (type %q); a bundle holds only plain files.", h.Name, h.Typeflag)
		}
		if _, dup := b.Files[name]; dup {
			return nil, refuse("%q is in the bundle twice.", name)
		}
		if h.Size > lim.MaxFileSize {
			return nil, refuse("%q is larger than %d bytes.", name, lim.MaxFileSize)
		}
		if total+h.Size > lim.MaxTotalSize {
			return nil, refuse("The bundle unpacks to more than %d bytes.", lim.MaxTotalSize)
		}
		data, err := readFile(tr, h.Size, &total, in, lim)
		if err != nil {
			return nil, err
		}
		b.Files[name] = data
	}
	// What follows the tar's end must be nothing but the tar's own padding.
	if err := drain(gz, &total, in, lim); err != nil {
		return nil, err
	}
	if _, ok := b.Files[Manifest]; !ok {
		return nil, refuse("The bundle has no %s at its top.", Manifest)
	}
	return b, nil
}

// readFile reads one file's bytes in chunks, checking the ratio as it
// goes, so a bomb is stopped before it is unpacked.
func readFile(tr io.Reader, size int64, total *int64, in *countingReader, lim Limits) ([]byte, error) {
	var buf bytes.Buffer
	chunk := make([]byte, 32<<10)
	for int64(buf.Len()) < size {
		n, err := tr.Read(chunk)
		buf.Write(chunk[:n])
		*total += int64(n)
		if err := checkRatio(*total, in, lim); err != nil {
			return nil, err
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, refuse("The bundle is cut short (%v).", err)
		}
	}
	if int64(buf.Len()) != size {
		return nil, refuse("The bundle is cut short.")
	}
	return buf.Bytes(), nil
}

func drain(gz io.Reader, total *int64, in *countingReader, lim Limits) error {
	chunk := make([]byte, 32<<10)
	var rest int64
	for {
		n, err := gz.Read(chunk)
		for _, c := range chunk[:n] {
			if c != 0 {
				return refuse("The bundle has data after the end of its archive.")
			}
		}
		rest += int64(n)
		if rest > lim.MaxTotalSize || checkRatio(*total+rest, in, lim) != nil {
			return refuse("The bundle unpacks to far more than it holds: it looks like a decompression bomb.")
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return refuse("The bundle is not gzip-compressed correctly (%v).", err)
		}
	}
}

func checkRatio(out int64, in *countingReader, lim Limits) error {
	if out > ratioFloor && out > lim.MaxRatio*max(in.n, 1) {
		return refuse("The bundle unpacks to more than %d times its size: it looks like a decompression bomb.", lim.MaxRatio)
	}
	return nil
}

func trimSlash(s string) string {
	for len(s) > 1 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// countingReader counts the compressed bytes read so far.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
