package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/docker/labimages"
	"github.com/sakimori/sakimori/labs/driver/docker"
)

// images builds the lab images on the engine from files on this machine,
// skipping any whose inputs have not changed since it was built.
func images(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "import" {
		return importImage(ctx, args[1:], getenv, stdout)
	}
	if len(args) == 0 || args[0] != "build" {
		return errors.New("usage: sakimori images build [-workstation] [-mirror URL] [-busybox PATH] [-sim PATH] [-docker-host ADDR] [-v] | sakimori images import [-docker-host ADDR] [database flags] FILE.tar")
	}
	fs := flag.NewFlagSet("images build", flag.ContinueOnError)
	settings := config.Register(fs, getenv, config.ImageSettings...)
	src := labimages.HostSources()
	busybox := fs.String("busybox", src.Busybox, "a statically linked busybox (Debian: busybox-static)")
	sim := fs.String("sim", src.Sim, "the static sakimori-sim binary (go tool task build puts it beside sakimori)")
	verbose := fs.Bool("v", false, "show the engine's build output")
	workstation := fs.Bool("workstation", false, "also build the Debian images, the workstation and the warehouse (debootstrap; needs root, takes minutes)")
	mirror := fs.String("mirror", "", "Debian mirror for the Debian images (default: debootstrap's own)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := settings.Config()
	if err != nil {
		return err
	}
	imgs, missing := labimages.All(labimages.Sources{Busybox: *busybox, Sim: *sim})
	if len(imgs) == 0 {
		return missing
	}
	engine, err := docker.Connect(cfg.DockerHost)
	if err != nil {
		return err
	}
	defer engine.Close()
	out := io.Discard
	if *verbose {
		out = stdout
	}
	for _, img := range imgs {
		if err := buildImage(ctx, engine, img, out, stdout); err != nil {
			return err
		}
	}
	if *workstation {
		for _, d := range labimages.Debians() {
			state, err := buildDebian(ctx, engine, d, *mirror, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%-32s %s\n", d.Tag(), state)
		}
	} else if tagged, err := tagWorkstation(ctx, engine); err != nil {
		return err
	} else if tagged {
		fmt.Fprintf(stdout, "%-32s %s\n", labimages.WorkstationTag(), "up to date")
	}
	// The runner builds on the workstation and the warehouse on its
	// Debian base, which only -workstation makes.
	for _, on := range []struct {
		base labimages.Debian
		of   func([]labimages.Image) (labimages.Image, bool)
	}{{labimages.WorkstationImage(), labimages.RunnerOf}, {labimages.WarehouseOSImage(), labimages.WarehouseOf}} {
		img, ok := on.of(imgs)
		if !ok {
			continue
		}
		if have, err := engine.ImageHash(ctx, on.base.Tag()); err != nil {
			return err
		} else if have == on.base.Hash() {
			if err := buildImage(ctx, engine, img, out, stdout); err != nil {
				return err
			}
		}
	}
	return missing
}

// buildImage builds img unless the engine has it from the same context,
// and says which.
func buildImage(ctx context.Context, engine *docker.Engine, img labimages.Image, log, stdout io.Writer) error {
	// The name as scenarios write it stays as an alias, for people
	// and older ranges; a range runs the tag of its own build.
	built, err := engine.BuildImage(ctx, img.Tag, img.Files, log, img.Name)
	if err != nil {
		return err
	}
	state := "up to date"
	if built {
		state = "built"
	}
	fmt.Fprintf(stdout, "%-32s %s\n", img.Tag, state)
	return nil
}

// buildDebian makes a Debian image unless the engine has one from the
// same recipe, under this recipe's tag or (the workstation, built before
// images were tagged by content) under the name alone.
func buildDebian(ctx context.Context, engine *docker.Engine, d labimages.Debian, mirror string, log io.Writer) (string, error) {
	hash, tag := d.Hash(), d.Tag()
	if have, err := engine.ImageHash(ctx, tag); err != nil {
		return "", err
	} else if have == hash {
		return "up to date", nil
	}
	if d.Name == labimages.Workstation {
		if tagged, err := tagWorkstation(ctx, engine); err != nil || tagged {
			return "up to date", err
		}
	}
	tmp, err := os.MkdirTemp("", "sakimori-debian-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	root := filepath.Join(tmp, "rootfs")
	if err := d.BuildRootfs(ctx, root, mirror, log); err != nil {
		return "", err
	}
	tarball, wait, err := labimages.TarRootfs(ctx, root)
	if err != nil {
		return "", err
	}
	if err := engine.ImportImage(ctx, tag, tarball, hash, d.Changes); err != nil {
		return "", err
	}
	if err := wait(); err != nil {
		return "", fmt.Errorf("tar: %w", err)
	}
	return "built", engine.TagImage(ctx, tag, d.Name)
}

// tagWorkstation gives a workstation made from this recipe before images
// were tagged by content (under its plain name only) this recipe's tag,
// so it need not be made again. It reports whether there was one.
func tagWorkstation(ctx context.Context, engine *docker.Engine) (bool, error) {
	if have, err := engine.ImageHash(ctx, labimages.Workstation); err != nil || have != labimages.WorkstationHash() {
		return false, err
	}
	return true, engine.TagImage(ctx, labimages.Workstation, labimages.WorkstationTag())
}

// labImageTags is this build's own tag of each lab image, worked out from
// the files `images build` reads by default (this machine's busybox, the
// sakimori-sim beside this binary), so a range runs the images built from
// its own inputs and never another range's. An image whose inputs are
// missing here runs under its name as written, and the error says which.
func labImageTags() (map[string]string, error) {
	imgs, err := labimages.All(labimages.HostSources())
	return labimages.Tags(imgs), err
}
