package labs

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sakimori/sakimori/labs/driver"
)

// withFiles is the sample scenario with a writable host that starts with
// two files: a page as it is and a note carrying the lab's own flag.
var withFiles = strings.Replace(valid, "terminal: true", `terminal: true
    writable_root: true
    files:
      - {source: files/index.html, path: /srv/www/index.html}
      - {source: files/note.txt, path: /home/trainee/note.txt, mode: "0600", expand: true}
      - {source: files/run.sh, path: /opt/lab/run.sh, mode: "0755"}`, 1)

func folderWith(manifest string, files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{"scenario.yaml": {Data: []byte(manifest)}, "text.ja.yaml": {Data: []byte(validJapanese)}}
	for p, text := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

// A host's files reach the driver's spec with their bytes and modes, and
// an expanded one with this instance's flag and addresses in it.
func TestFilesGoToTheirHost(t *testing.T) {
	s, err := LoadScenario(folderWith(withFiles, map[string]string{
		"files/index.html": "<h1>intranet</h1>",
		"files/note.txt":   "the flag is ${var.flag}, served by ${host.box}; ${var.flag} again",
		"files/run.sh":     "#!/bin/sh\necho run\n",
	}), ".")
	if err != nil {
		t.Fatal(err)
	}
	inst := Instance{ID: "i1", Networks: []InstanceNetwork{{Name: "dmz", Subnet: netip.MustParsePrefix("10.77.0.0/26")}}}
	spec := buildSpec(s, inst, map[string]string{"flag": "FLAG{abc}"})
	got := spec.Hosts[0].Files
	want := []driver.HostFile{
		{Path: "/srv/www/index.html", Mode: 0o644, Data: []byte("<h1>intranet</h1>")},
		{Path: "/home/trainee/note.txt", Mode: 0o600, Data: []byte("the flag is FLAG{abc}, served by 10.77.0.10; FLAG{abc} again")},
		{Path: "/opt/lab/run.sh", Mode: 0o755, Data: []byte("#!/bin/sh\necho run\n")},
	}
	if len(got) != len(want) {
		t.Fatalf("files %+v", got)
	}
	for i := range want {
		if got[i].Path != want[i].Path || got[i].Mode != want[i].Mode || string(got[i].Data) != string(want[i].Data) {
			t.Errorf("file %d: %s %o %q; want %s %o %q", i, got[i].Path, got[i].Mode, got[i].Data, want[i].Path, want[i].Mode, want[i].Data)
		}
	}
	if spec.Hosts[0].ReadOnly {
		t.Error("a host with files is read-only")
	}
}

// What only the folder can show is refused at load, each at its field and
// line: a file that is not there, a folder over the cap, an expanded file
// naming an undeclared variable or host.
func TestFilesAreCheckedAtLoad(t *testing.T) {
	present := map[string]string{"files/index.html": "x", "files/note.txt": "${var.flag}", "files/run.sh": "x"}
	cases := []struct {
		name   string
		change func(map[string]string)
		path   string
		line   int
		says   string
	}{
		{"missing", func(f map[string]string) { delete(f, "files/run.sh") }, "hosts[0].files[2].source", 17, "files/run.sh is not in the scenario folder"},
		{"undeclared variable", func(f map[string]string) { f["files/note.txt"] = "${var.secret}" }, "hosts[0].files[1].source", 16, "uses ${var.secret}, which is not declared"},
		{"unknown host", func(f map[string]string) { f["files/note.txt"] = "${host.db}" }, "hosts[0].files[1].source", 16, "no such host"},
		{"over the cap", func(f map[string]string) { f["files/big.bin"] = strings.Repeat("x", MaxFilesBytes) }, "files", 0, "over the cap"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range present {
				files[k] = v
			}
			tc.change(files)
			_, err := LoadScenario(folderWith(withFiles, files), ".")
			var me *ManifestError
			if !errors.As(err, &me) {
				t.Fatalf("loaded (err %v)", err)
			}
			for _, p := range me.Problems {
				if p.Path == tc.path && strings.Contains(p.Message, tc.says) && p.Line == tc.line {
					return
				}
			}
			t.Fatalf("no problem at %s line %d saying %q:\n%v", tc.path, tc.line, tc.says, me)
		})
	}
}
