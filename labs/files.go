package labs

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"path"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sakimori/sakimori/labs/driver"
)

// Limits on the files a scenario's hosts start with. They are for small
// things, a page, a config, a planted note: anything bigger belongs in an
// image.
const (
	MaxFilesBytes   = 1 << 20 // all the files of one scenario, together
	MaxFilesPerHost = 32
)

// systemFolders are where a file would reach past the host's own files
// into what the kernel or the engine provides.
var systemFolders = []string{"/proc", "/sys", "/dev"}

// validateFiles checks what a host's files entries say, before any is
// read: where each comes from, where it goes, its mode.
func validateFiles(at string, h HostDef, p *problems) {
	if len(h.Files) == 0 {
		return
	}
	if !h.Writable {
		p.add(at+".files", "files are copied into the host's root file system before it starts: give the host writable_root: true")
	}
	if len(h.Files) > MaxFilesPerHost {
		p.add(at+".files", "at most %d files a host", MaxFilesPerHost)
	}
	seen := map[string]bool{}
	for j, f := range h.Files {
		fp := fmt.Sprintf("%s.files[%d]", at, j)
		if !strings.HasPrefix(f.Source, "files/") || path.Clean(f.Source) != f.Source || strings.Contains(f.Source, "..") {
			p.add(fp+".source", "must be a path under files/ in the scenario folder, such as files/index.html")
		}
		switch why := hostPathProblem(f.Path, h.Tmpfs); {
		case why != "":
			p.add(fp+".path", "%s", why)
		case seen[f.Path]:
			p.add(fp+".path", "%q is given twice", f.Path)
		}
		seen[f.Path] = true
		if _, err := fileMode(f.Mode); err != nil {
			p.add(fp+".mode", "%s", err)
		}
	}
}

// hostPathProblem says why a file may not go to p in a host, or "".
func hostPathProblem(p string, tmpfs map[string]Size) string {
	if !strings.HasPrefix(p, "/") || path.Clean(p) != p || p == "/" {
		return "must be an absolute, clean path to a file, such as /srv/www/index.html"
	}
	for _, dir := range systemFolders {
		if p == dir || strings.HasPrefix(p, dir+"/") {
			return fmt.Sprintf("may not be under %s, which the kernel and the engine provide", dir)
		}
	}
	for mount := range tmpfs {
		if p == mount || strings.HasPrefix(p, strings.TrimSuffix(mount, "/")+"/") {
			return fmt.Sprintf("is under the tmpfs %s, which would hide it once the host starts", mount)
		}
	}
	return ""
}

// fileMode reads a file's mode: octal permission bits, 0644 when unsaid.
func fileMode(mode string) (fs.FileMode, error) {
	if mode == "" {
		return 0o644, nil
	}
	v, err := strconv.ParseUint(mode, 8, 32)
	if err != nil {
		return 0, errors.New(`must be octal permissions such as "0644" or "0755"`)
	}
	if v > 0o777 {
		return 0, errors.New("setuid, setgid and sticky bits are not allowed: permissions only, at most 0777")
	}
	return fs.FileMode(v), nil
}

// loadFiles reads the files the hosts name from the scenario folder, and
// checks what only their contents can show: that each exists, that the
// folder's files/ stay under the cap, and that an expanded file names only declared
// variables and hosts.
func loadFiles(fsys fs.FS, dir string, s *Scenario) []Problem {
	var out problems
	hosts := map[string]bool{}
	for _, h := range s.Hosts {
		hosts[h.Name] = true
	}
	vars := map[string]bool{}
	for _, v := range s.Variables {
		vars[v.Name] = true
	}
	for i, h := range s.Hosts {
		for j, f := range h.Files {
			at := fmt.Sprintf("hosts[%d].files[%d].source", i, j)
			data, ok := s.files[f.Source]
			if !ok {
				var err error
				data, err = fs.ReadFile(fsys, path.Join(dir, f.Source))
				if err != nil {
					out.add(at, "%s is not in the scenario folder", f.Source)
					continue
				}
				if s.files == nil {
					s.files = map[string][]byte{}
				}
				s.files[f.Source] = data
			}
			if !f.Expand {
				continue
			}
			for _, m := range varRef.FindAllStringSubmatch(string(data), -1) {
				if !vars[m[1]] {
					out.add(at, "%s uses ${var.%s}, which is not declared in variables", f.Source, m[1])
				}
			}
			for _, m := range hostRef.FindAllStringSubmatch(string(data), -1) {
				if !hosts[m[1]] {
					out.add(at, "%s uses ${host.%s}, but there is no such host", f.Source, m[1])
				}
			}
		}
	}
	if len(out) > 0 {
		var root yaml.Node
		if yaml.Unmarshal(s.sourceBytes, &root) == nil {
			place(out, &root)
		}
	}
	if total := folderSize(fsys, path.Join(dir, "files")); total > MaxFilesBytes {
		out = append(out, Problem{Path: "files", File: "files/", Message: fmt.Sprintf("holds %d bytes, over the cap of %d (1MiB) for a scenario's files: put big things in an image", total, MaxFilesBytes)})
	}
	return out
}

// folderSize is the bytes of every file below dir (0 when there is none).
func folderSize(fsys fs.FS, dir string) int64 {
	var total int64
	_ = fs.WalkDir(fsys, dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			total += info.Size()
		}
		return nil
	})
	return total
}

// hostFiles is what the driver copies into one host: each file's bytes,
// with the instance's own values in those that ask for them.
func hostFiles(s *Scenario, h HostDef, vars map[string]string, addrs map[string]netip.Addr) []driver.HostFile {
	var out []driver.HostFile
	for _, f := range h.Files {
		data := s.files[f.Source]
		if f.Expand {
			data = []byte(substitute(string(data), vars, addrs))
		}
		mode, _ := fileMode(f.Mode) // validated
		out = append(out, driver.HostFile{Path: f.Path, Mode: mode, Data: data})
	}
	return out
}
