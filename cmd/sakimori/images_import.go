package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/authoring"
	"github.com/sakimori/sakimori/docker/labimages"
	"github.com/sakimori/sakimori/labs/bundle"
	"github.com/sakimori/sakimori/labs/driver/docker"
)

// importImage adds a lab image from an archive (`docker save NAME:TAG -o
// FILE.tar`) on this machine: scanned first, loaded onto the engine only if
// a lab may run it, then recorded so authored scenarios may name it. No
// registry is involved.
func importImage(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[len(args)-1], "-") {
		return errors.New("usage: sakimori images import [-docker-host ADDR] [database flags] FILE.tar")
	}
	path, rest := args[len(args)-1], args[:len(args)-1]
	if _, err := os.Stat(path); err != nil {
		return err
	}
	cfg, db, err := openDatabase(ctx, "images import", rest, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	engine, err := docker.Connect(cfg.DockerHost)
	if err != nil {
		return err
	}
	defer engine.Close()
	svc := authoring.NewService(db.Authoring(), bundle.DefaultLimits, time.Now)
	svc.UseImages(labimages.Names())
	svc.UseImageLoader(engine)
	img, err := svc.AddImage(ctx, "", func() (io.ReadCloser, error) { return os.Open(path) })
	if err != nil {
		return err
	}
	err = audit.NewLog(db.Audit(), time.Now).Record(ctx, audit.Entry{ActorRole: "operator", Action: audit.LabImageAdd,
		TargetKind: "lab_image", TargetID: img.Name, Detail: map[string]string{"run_as": img.RunAs, "via": "command line"}})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%-32s added (runs as %s, %d layers); scenarios may name it in hosts[].image\n", img.Name, img.RunAs, img.Layers)
	return nil
}
