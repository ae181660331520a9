// Package gitrepo builds git repositories in memory from a scripted
// history and serves them as a git server does, for labs about secrets
// that live on in a repository's history.
package gitrepo

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Server serves repositories over git's "dumb" HTTP protocol (plain
// files: info/refs, HEAD, loose objects), which the real git client
// clones from. Repositories are built in memory from a scripted history,
// so a secret can be added in one commit and removed in the next, alive
// in history as it was in the Uber 2016 breach.
type Server struct {
	repos map[string]*Repo // by path, e.g. /acme/deploy-tools.git
}

// NewServer serves the given repositories.
func NewServer(repos map[string]*Repo) *Server { return &Server{repos: repos} }

// Repo is a repository: loose objects and one branch, main.
type Repo struct {
	objects map[string][]byte // sha1 hex → zlib-compressed object
	head    string
}

// Change is one commit of a scripted history: files written (content) or
// removed (content nil) since the commit before.
type Change struct {
	Author  string // "Name <email>"
	When    time.Time
	Message string
	Files   map[string]*string
}

// Build makes a repository whose main branch is the changes in order.
func Build(history []Change) *Repo {
	r := &Repo{objects: map[string][]byte{}}
	files := map[string]string{}
	parent := ""
	for _, c := range history {
		for path, content := range c.Files {
			if content == nil {
				delete(files, path)
			} else {
				files[path] = *content
			}
		}
		tree := r.tree(files, "")
		var b strings.Builder
		fmt.Fprintf(&b, "tree %s\n", tree)
		if parent != "" {
			fmt.Fprintf(&b, "parent %s\n", parent)
		}
		stamp := fmt.Sprintf("%s %d +0000", c.Author, c.When.Unix())
		fmt.Fprintf(&b, "author %s\ncommitter %s\n\n%s\n", stamp, stamp, c.Message)
		parent = r.put("commit", []byte(b.String()))
	}
	r.head = parent
	return r
}

// Files lays the repository out as the files of a .git folder (loose
// objects, HEAD, the branch ref, a config), by path under it: what a site
// published with its .git folder exposes.
func (r *Repo) Files() map[string][]byte {
	out := map[string][]byte{
		"HEAD":            []byte("ref: refs/heads/main\n"),
		"refs/heads/main": []byte(r.head + "\n"),
		"config":          []byte("[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n"),
		"description":     []byte("Unnamed repository; edit this file 'description' to name the repository.\n"),
	}
	for id, obj := range r.objects {
		out["objects/"+id[:2]+"/"+id[2:]] = obj
	}
	return out
}

// Head is the main branch's commit.
func (r *Repo) Head() string { return r.head }

func (r *Repo) put(kind string, body []byte) string {
	raw := append([]byte(fmt.Sprintf("%s %d\x00", kind, len(body))), body...)
	sum := sha1.Sum(raw)
	id := hex.EncodeToString(sum[:])
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	_, _ = w.Write(raw)
	_ = w.Close()
	r.objects[id] = z.Bytes()
	return id
}

// tree writes the tree of files under dir and returns its id.
func (r *Repo) tree(files map[string]string, dir string) string {
	type entry struct {
		name, mode, id string
		isDir          bool
	}
	seen := map[string]bool{}
	var entries []entry
	for path, content := range files {
		rest, ok := strings.CutPrefix(path, dir)
		if !ok {
			continue
		}
		name, _, nested := strings.Cut(rest, "/")
		if seen[name] {
			continue
		}
		seen[name] = true
		if nested {
			entries = append(entries, entry{name: name, mode: "40000", id: r.tree(files, dir+name+"/"), isDir: true})
		} else {
			mode := "100644"
			if strings.HasSuffix(name, ".sh") {
				mode = "100755"
			}
			entries = append(entries, entry{name: name, mode: mode, id: r.put("blob", []byte(content))})
		}
	}
	// Git orders entries by name, a directory as if its name ended in '/'.
	key := func(e entry) string {
		if e.isDir {
			return e.name + "/"
		}
		return e.name
	}
	sort.Slice(entries, func(i, j int) bool { return key(entries[i]) < key(entries[j]) })
	var b bytes.Buffer
	for _, e := range entries {
		raw, _ := hex.DecodeString(e.id)
		fmt.Fprintf(&b, "%s %s\x00", e.mode, e.name)
		b.Write(raw)
	}
	return r.put("tree", b.Bytes())
}

func (g *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" {
		g.index(w)
		return
	}
	for prefix, repo := range g.repos {
		rest, ok := strings.CutPrefix(r.URL.Path, prefix+"/")
		if !ok {
			continue
		}
		switch {
		case rest == "info/refs":
			// Plain text, not the smart protocol's advertisement: the
			// client falls back to fetching files.
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprintf(w, "%s\trefs/heads/main\n", repo.head)
		case rest == "HEAD":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "ref: refs/heads/main\n")
		case rest == "objects/info/packs":
			w.Header().Set("Content-Type", "text/plain")
		case strings.HasPrefix(rest, "objects/") && len(rest) == len("objects/")+41:
			id := strings.Replace(strings.TrimPrefix(rest, "objects/"), "/", "", 1)
			obj, ok := repo.objects[id]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/x-git-loose-object")
			_, _ = w.Write(obj)
		default:
			http.NotFound(w, r)
		}
		return
	}
	http.NotFound(w, r)
}

func (g *Server) index(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, "<!doctype html><title>Acme code</title><h1>Acme public repositories</h1><ul>")
	names := make([]string, 0, len(g.repos))
	for p := range g.repos {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		fmt.Fprintf(w, "<li><code>git clone http://&lt;this host&gt;%s</code></li>", html.EscapeString(p))
	}
	_, _ = io.WriteString(w, "</ul>")
}

// ReadObject inflates a loose object and returns its kind and body.
func ReadObject(compressed []byte) (string, []byte, error) {
	z, err := zlib.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return "", nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(z, 4<<20))
	if err != nil {
		return "", nil, err
	}
	header, body, ok := bytes.Cut(raw, []byte{0})
	if !ok {
		return "", nil, fmt.Errorf("not a git object")
	}
	kind, _, _ := strings.Cut(string(header), " ")
	return kind, body, nil
}
