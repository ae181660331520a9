package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/sakimori/sakimori/labs/driver"
)

// copyFiles writes a host's files into it through the engine's copy API,
// after it is made and before it first starts: no volume and no path of
// the engine's machine is involved, and a file is in place before anything
// in the host could look for it. (containerCreate has refused files on a
// read-only root, which the engine would not copy into.)
func (e *Engine) copyFiles(ctx context.Context, id, image string, h driver.HostSpec) error {
	if len(h.Files) == 0 {
		return nil
	}
	user := h.User
	if user == "" {
		img, err := e.cli.ImageInspect(ctx, image)
		if err != nil {
			return e.fail("inspect image "+image, err)
		}
		if img.Config != nil {
			user = img.Config.User
		}
	}
	uid, gid, named := fileOwner(user)
	archive, err := filesArchive(h.Files, uid, gid)
	if err != nil {
		return fmt.Errorf("host %s: %w", h.Name, err)
	}
	// A named user is resolved by the engine in the host's own passwd file
	// (CopyUIDGID); a numeric one is written into the archive as it is.
	err = e.cli.CopyToContainer(ctx, id, "/", archive, container.CopyToContainerOptions{CopyUIDGID: named})
	if err != nil {
		return e.fail("copy files into "+h.Name, err)
	}
	return nil
}

var numericUser = regexp.MustCompile(`^([0-9]+)(?::([0-9]+))?$`)

// fileOwner reads a container user ("", "1000", "1000:1000", "trainee")
// as the owner to give its files: numbers, or named for the engine to look
// up. An empty user is root's, as the engine runs it.
func fileOwner(user string) (uid, gid int, named bool) {
	if user == "" {
		return 0, 0, false
	}
	m := numericUser.FindStringSubmatch(user)
	if m == nil {
		return 0, 0, true
	}
	uid, _ = strconv.Atoi(m[1])
	gid, _ = strconv.Atoi(m[2]) // no group: the engine's default, 0, unless passwd says otherwise
	return uid, gid, false
}

// filesArchive is the tar the copy API takes, rooted at "/". It holds the
// files alone: a folder entry would change the owner and mode of a folder
// the image already has, such as /etc, so missing folders are left for the
// engine to make (root's, 0755).
func filesArchive(files []driver.HostFile, uid, gid int) (*bytes.Buffer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	now := time.Now().Truncate(time.Second)
	for _, f := range files {
		if !strings.HasPrefix(f.Path, "/") || f.Path == "/" {
			return nil, fmt.Errorf("file %q: not an absolute path", f.Path)
		}
		h := &tar.Header{
			Name: strings.TrimPrefix(f.Path, "/"), Typeflag: tar.TypeReg, Mode: int64(f.Mode.Perm()),
			Size: int64(len(f.Data)), Uid: uid, Gid: gid, ModTime: now, Format: tar.FormatPAX,
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.Data); err != nil {
			return nil, err
		}
	}
	return &buf, tw.Close()
}
