package docker

import (
	"archive/tar"
	"testing"

	"github.com/sakimori/sakimori/labs/driver"
)

// A host's user decides who owns its files: numbers are written into the
// archive, a name is left to the engine to look up in the host.
func TestFileOwnerFollowsTheHostUser(t *testing.T) {
	for _, c := range []struct {
		user     string
		uid, gid int
		named    bool
	}{
		{"", 0, 0, false},
		{"1000", 1000, 0, false},
		{"1000:1001", 1000, 1001, false},
		{"trainee", 0, 0, true},
		{"trainee:staff", 0, 0, true},
	} {
		uid, gid, named := fileOwner(c.user)
		if uid != c.uid || gid != c.gid || named != c.named {
			t.Errorf("%q: %d:%d named %v; want %d:%d named %v", c.user, uid, gid, named, c.uid, c.gid, c.named)
		}
	}
}

// The archive holds the files alone, relative to "/", so no folder the
// image has (such as /etc) changes owner or mode.
func TestFilesArchiveHoldsOnlyTheFiles(t *testing.T) {
	buf, err := filesArchive([]driver.HostFile{{Path: "/etc/lab/motd", Mode: 0o640, Data: []byte("hi")}}, 1000, 1000)
	if err != nil {
		t.Fatal(err)
	}
	r := tar.NewReader(buf)
	h, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if h.Name != "etc/lab/motd" || h.Mode != 0o640 || h.Uid != 1000 || h.Gid != 1000 || h.Typeflag != tar.TypeReg {
		t.Fatalf("entry %+v", h)
	}
	if _, err := r.Next(); err == nil {
		t.Fatal("more than the file in the archive")
	}
	if _, err := filesArchive([]driver.HostFile{{Path: "etc/motd"}}, 0, 0); err == nil {
		t.Fatal("a relative path was archived")
	}
}
