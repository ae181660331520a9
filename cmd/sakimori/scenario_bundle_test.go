package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/labs/bundle"
	"github.com/sakimori/sakimori/scenarios"
)

func runScenario(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"scenario"}, args...), envOf(nil), nil, &out, io.Discard)
	return out.String(), err
}

// A built-in scenario exported, validated as a bundle and imported comes
// back as the same files; exporting the imported folder gives the same
// bundle, byte for byte.
func TestScenarioExportImport(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "o.tar.gz")
	out, err := runScenario(t, "export", "orientation", "-o", file)
	if err != nil || !strings.Contains(out, "wrote "+file+": orientation") || !strings.Contains(out, "sha256 ") {
		t.Fatalf("export: %v\n%s", err, out)
	}
	want, _ := bundle.Export(scenarios.Files(), "orientation")
	if got, _ := os.ReadFile(file); !bytes.Equal(got, want) {
		t.Fatal("the exported file is not the scenario's bundle")
	}
	if out, err := runScenario(t, "validate", file); err != nil || !strings.Contains(out, "ok  orientation ("+file+")") {
		t.Fatalf("validate bundle: %v\n%s", err, out)
	}
	into := filepath.Join(dir, "authored")
	out, err = runScenario(t, "import", "-dir", into, file)
	if err != nil || !strings.Contains(out, "ok  orientation: wrote") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	_ = fs.WalkDir(scenarios.Files(), "orientation", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			orig, _ := fs.ReadFile(scenarios.Files(), p)
			if got, _ := os.ReadFile(filepath.Join(into, p)); !bytes.Equal(orig, got) {
				t.Errorf("%s differs after import", p)
			}
		}
		return err
	})
	again := filepath.Join(dir, "again.tar.gz")
	if out, err := runScenario(t, "export", "-o", again, filepath.Join(into, "orientation")); err != nil {
		t.Fatalf("export folder: %v\n%s", err, out)
	}
	if got, _ := os.ReadFile(again); !bytes.Equal(got, want) {
		t.Fatal("re-exporting the imported folder gives another bundle")
	}
	if _, err := runScenario(t, "import", "-dir", into, file); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("import over a folder: %v", err)
	}
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"scenario", "export", "-o", "-", "orientation"}, envOf(nil), nil, &stdout, io.Discard); err != nil || !bytes.Equal(stdout.Bytes(), want) {
		t.Fatalf("export to standard output: %v", err)
	}
}

// An unsafe or invalid bundle is refused by import and validate, with the
// reason, and import writes nothing.
func TestScenarioImportRefuses(t *testing.T) {
	manifest, _ := fs.ReadFile(scenarios.Files(), "orientation/scenario.yaml")
	cases := map[string]struct {
		files map[string]string
		link  bool
		want  string
	}{
		"climbs out":       {files: map[string]string{"scenario.yaml": string(manifest), "../../etc/cron.d/x": "* * * * * root sh"}, want: "climbs out"},
		"symlink":          {files: map[string]string{"scenario.yaml": string(manifest)}, link: true, want: "is a link"},
		"invalid scenario": {files: map[string]string{"scenario.yaml": "id: x\nversion: 1\n"}, want: "title: is required"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "bad.tar.gz")
			writeTar(t, file, tc.files, tc.link)
			into := filepath.Join(dir, "authored")
			_, err := runScenario(t, "import", "-dir", into, file)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("import: %v", err)
			}
			if _, err := os.Stat(into); !os.IsNotExist(err) {
				t.Fatalf("import wrote %s", into)
			}
			out, err := runScenario(t, "validate", file)
			if err == nil || !strings.Contains(out, tc.want) {
				t.Fatalf("validate: %v\n%s", err, out)
			}
		})
	}
	if _, err := runScenario(t, "import", "x.tar.gz"); err == nil || !strings.Contains(err.Error(), "-dir") {
		t.Fatalf("import without -dir: %v", err)
	}
}

func writeTar(t *testing.T, file string, files map[string]string, link bool) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, text := range files {
		_ = tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(text))})
		_, _ = tw.Write([]byte(text))
	}
	if link {
		_ = tw.WriteHeader(&tar.Header{Name: "text.ja.yaml", Typeflag: tar.TypeSymlink, Linkname: "/etc/shadow"})
	}
	_ = tw.Close()
	_ = gz.Close()
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A new scenario starts from each template, named by its folder, and
// validates as it is written; a name that is not an id, an unknown
// template and a folder in use are refused, and write nothing.
func TestScenarioNewFromEveryTemplate(t *testing.T) {
	dir := t.TempDir()
	for _, tpl := range []string{"one-host", "web-app", "cloud-account"} {
		target := filepath.Join(dir, "my-"+tpl)
		out, err := runScenario(t, "new", "-template", tpl, target)
		if err != nil || !strings.Contains(out, "ok  my-"+tpl+": wrote") {
			t.Fatalf("%s: %v\n%s", tpl, err, out)
		}
		if out, err := runScenario(t, "validate", target); err != nil || !strings.Contains(out, "ok  my-"+tpl) {
			t.Fatalf("%s: the new folder does not validate: %v\n%s", tpl, err, out)
		}
		manifest, _ := os.ReadFile(filepath.Join(target, "scenario.yaml"))
		if !strings.Contains(string(manifest), "\nid: my-"+tpl+"\n") {
			t.Fatalf("%s: the id is not the folder's name:\n%s", tpl, manifest)
		}
	}
	if _, err := runScenario(t, "new", "-template", "web-app", filepath.Join(dir, "my-web-app")); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("over a folder in use: %v", err)
	}
	if _, err := runScenario(t, "new", "-template", "mainframe", filepath.Join(dir, "x")); err == nil || !strings.Contains(err.Error(), "no template") {
		t.Fatalf("an unknown template: %v", err)
	}
	bad := filepath.Join(dir, "My Lab")
	if _, err := runScenario(t, "new", bad); err == nil {
		t.Fatal("a folder name that is not an id was taken")
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Fatalf("a refused new scenario wrote its folder: %v", err)
	}
}
