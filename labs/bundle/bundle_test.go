package bundle_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/labs/bundle"
	"github.com/sakimori/sakimori/scenarios"
)

// Every built-in scenario exports to a bundle that imports as the same
// files, byte for byte, and the same valid scenario; exporting twice, or
// re-exporting the import, gives the same bytes.
func TestBuiltInScenariosRoundTrip(t *testing.T) {
	files := scenarios.Files()
	dirs, err := fs.Glob(files, "*/scenario.yaml")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no built-in scenarios: %v", err)
	}
	for _, m := range dirs {
		id := filepath.Dir(m)
		t.Run(id, func(t *testing.T) {
			data, err := bundle.Export(files, id)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := bundle.Export(files, id)
			if !bytes.Equal(data, again) {
				t.Fatal("two exports differ")
			}
			b, s, err := bundle.Import(data, bundle.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if s.ID != id {
				t.Fatalf("id %q, want %q", s.ID, id)
			}
			want := 0
			_ = fs.WalkDir(files, id, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				want++
				orig, _ := fs.ReadFile(files, p)
				got, ok := b.Files[strings.TrimPrefix(p, id+"/")]
				if !ok || !bytes.Equal(orig, got) {
					t.Errorf("%s did not survive the round trip", p)
				}
				return nil
			})
			if len(b.Files) != want {
				t.Errorf("%d files imported, want %d", len(b.Files), want)
			}
			re, err := b.Bytes()
			if err != nil || !bytes.Equal(re, data) {
				t.Fatalf("re-export differs (%v)", err)
			}
			assertDeterministic(t, data)
		})
	}
}

func assertDeterministic(t *testing.T, data []byte) {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !gz.ModTime.IsZero() || gz.Name != "" {
		t.Errorf("gzip header carries a time or name: %v %q", gz.ModTime, gz.Name)
	}
	tr := tar.NewReader(gz)
	last := ""
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		if h.ModTime.Unix() != 0 || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s carries a time or owner", h.Name)
		}
		if h.Name < last {
			t.Errorf("%s after %s: entries are not sorted", h.Name, last)
		}
		last = h.Name
	}
}

// A bundle made by hand with "tar -C folder ." (entries named ./x) reads.
func TestReadAcceptsDotSlashNames(t *testing.T) {
	manifest, _ := fs.ReadFile(scenarios.Files(), "orientation/scenario.yaml")
	data := makeTar(t, entry{h: tar.Header{Name: "./", Typeflag: tar.TypeDir}},
		entry{h: tar.Header{Name: "./scenario.yaml", Typeflag: tar.TypeReg}, data: manifest})
	b, err := bundle.Read(bytes.NewReader(data), bundle.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Files["scenario.yaml"], manifest) {
		t.Fatal("scenario.yaml was not read")
	}
}

type entry struct {
	h    tar.Header
	data []byte
}

func makeTar(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := e.h
		if h.Typeflag == tar.TypeReg && h.Size == 0 {
			h.Size = int64(len(e.data))
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func file(name, text string) entry {
	return entry{h: tar.Header{Name: name, Typeflag: tar.TypeReg}, data: []byte(text)}
}

var manifestEntry = file("scenario.yaml", "id: x\n")

// Every unsafe bundle is refused with a message saying why, and nothing
// is returned.
func TestReadRefusals(t *testing.T) {
	small := bundle.Limits{MaxEntries: 4, MaxFileSize: 64, MaxTotalSize: 100, MaxRatio: 100}
	bombLimits := bundle.Limits{MaxEntries: 4, MaxFileSize: 64 << 20, MaxTotalSize: 64 << 20, MaxRatio: 100}
	var gzipOnly bytes.Buffer
	gz := gzip.NewWriter(&gzipOnly)
	_, _ = gz.Write([]byte("not a tar at all, just words that are not a header block"))
	_ = gz.Close()
	cases := []struct {
		name string
		data []byte
		lim  bundle.Limits
		want string
	}{
		{"not gzip", []byte("scenario.yaml"), bundle.DefaultLimits, "not gzip"},
		{"not tar", gzipOnly.Bytes(), bundle.DefaultLimits, "not a readable tar"},
		{"parent path", makeTar(t, manifestEntry, file("../evil", "x")), bundle.DefaultLimits, "climbs out"},
		{"parent inside", makeTar(t, manifestEntry, file("files/../../evil", "x")), bundle.DefaultLimits, "climbs out"},
		{"absolute path", makeTar(t, manifestEntry, file("/etc/cron.d/evil", "x")), bundle.DefaultLimits, "absolute path"},
		{"backslash", makeTar(t, manifestEntry, file(`..\evil`, "x")), bundle.DefaultLimits, "backslash"},
		{"hidden file", makeTar(t, manifestEntry, file(".env", "x")), bundle.DefaultLimits, "name other than"},
		{"symlink", makeTar(t, manifestEntry, entry{h: tar.Header{Name: "files/passwd", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}}), bundle.DefaultLimits, "is a link"},
		{"hard link", makeTar(t, manifestEntry, entry{h: tar.Header{Name: "files/passwd", Typeflag: tar.TypeLink, Linkname: "/etc/passwd"}}), bundle.DefaultLimits, "is a link"},
		{"char device", makeTar(t, manifestEntry, entry{h: tar.Header{Name: "null", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3}}), bundle.DefaultLimits, "special file"},
		{"block device", makeTar(t, manifestEntry, entry{h: tar.Header{Name: "sda", Typeflag: tar.TypeBlock, Devmajor: 8}}), bundle.DefaultLimits, "special file"},
		{"fifo", makeTar(t, manifestEntry, entry{h: tar.Header{Name: "pipe", Typeflag: tar.TypeFifo}}), bundle.DefaultLimits, "special file"},
		{"twice", makeTar(t, manifestEntry, manifestEntry), bundle.DefaultLimits, "twice"},
		{"too many entries", makeTar(t, manifestEntry, file("a", ""), file("b", ""), file("c", ""), file("d", "")), small, "more than 4 entries"},
		{"file too large", makeTar(t, manifestEntry, file("big", strings.Repeat("x", 65))), small, "larger than 64 bytes"},
		{"too much in all", makeTar(t, manifestEntry, file("a", strings.Repeat("x", 60)), file("b", strings.Repeat("x", 40))), small, "more than 100 bytes"},
		{"bomb", makeTar(t, manifestEntry, file("zeros", strings.Repeat("\x00", 32<<20))), bombLimits, "decompression bomb"},
		{"no manifest", makeTar(t, file("README.md", "notes")), bundle.DefaultLimits, "no scenario.yaml"},
		{"nested too deep", makeTar(t, manifestEntry, file("a/b/c/d/e/f/g/h/i", "x")), bundle.DefaultLimits, "too deep"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := bundle.Read(bytes.NewReader(c.data), c.lim)
			if err == nil || b != nil {
				t.Fatalf("read: %v, %v", b, err)
			}
			if !errors.Is(err, bundle.ErrBadBundle) {
				t.Fatalf("%v is not ErrBadBundle", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%q does not say %q", err, c.want)
			}
		})
	}
}

// Data after the archive's end is refused, not ignored.
func TestReadRefusesTrailingData(t *testing.T) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	_ = tw.WriteHeader(&tar.Header{Name: "scenario.yaml", Typeflag: tar.TypeReg, Size: 6, Mode: 0o644})
	_, _ = tw.Write([]byte("id: x\n"))
	_ = tw.Close()
	_, _ = gz.Write([]byte("hidden payload"))
	_ = gz.Close()
	if _, err := bundle.Read(&buf, bundle.DefaultLimits); err == nil || !strings.Contains(err.Error(), "after the end") {
		t.Fatalf("trailing data: %v", err)
	}
}

// A safe bundle whose scenario is invalid is refused by Import with the
// manifest's problems.
func TestImportRefusesAnInvalidScenario(t *testing.T) {
	data := makeTar(t, file("scenario.yaml", "id: x\nversion: 1\n"))
	b, s, err := bundle.Import(data, bundle.DefaultLimits)
	if err == nil || b != nil || s != nil {
		t.Fatalf("import: %v", err)
	}
	if !strings.Contains(err.Error(), "title: is required") {
		t.Fatalf("%v", err)
	}
}

// WriteDir writes the bundle's files and refuses a folder that has files.
func TestWriteDir(t *testing.T) {
	data, err := bundle.Export(scenarios.Files(), "orientation")
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := bundle.Import(data, bundle.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "orientation")
	if err := b.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	again, err := bundle.Export(os.DirFS(filepath.Dir(dir)), "orientation")
	if err != nil || !bytes.Equal(again, data) {
		t.Fatalf("the written folder exports differently (%v)", err)
	}
	if err := b.WriteDir(dir); err == nil {
		t.Fatal("wrote into a folder that has files")
	}
}

// Export refuses a symlink in the folder rather than following it.
func TestExportRefusesSymlinks(t *testing.T) {
	dir := t.TempDir()
	_ = os.MkdirAll(filepath.Join(dir, "s"), 0o755)
	_ = os.WriteFile(filepath.Join(dir, "s", "scenario.yaml"), []byte("id: s\n"), 0o644)
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "s", "README.md")); err != nil {
		t.Skip(err)
	}
	if _, err := bundle.Export(os.DirFS(dir), "s"); err == nil || !strings.Contains(err.Error(), "regular files") {
		t.Fatalf("export: %v", err)
	}
}

// Export takes the bundle's layout from a folder on disk and leaves the
// rest, such as a built-in scenario's Go code, out.
func TestExportTakesTheLayoutOnly(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"s/scenario.yaml": "id: s\n", "s/text.ja.yaml": "title: x\n", "s/solution.yaml": "[]\n",
		"s/README.md": "notes\n", "s/README.ja.md": "メモ\n", "s/files/web/index.html": "<p>hi</p>\n",
		"s/app/app.go": "package app\n", "s/notes.txt": "private\n", "s/app/README.md": "no\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, []byte(text), 0o644)
	}
	data, err := bundle.Export(os.DirFS(dir), "s")
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Read(bytes.NewReader(data), bundle.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	want := "README.ja.md README.md files/web/index.html scenario.yaml solution.yaml text.ja.yaml"
	if got := strings.Join(b.Paths(), " "); got != want {
		t.Fatalf("exported %s\nwant     %s", got, want)
	}
}
