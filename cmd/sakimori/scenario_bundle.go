package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/bundle"
	"github.com/sakimori/sakimori/scenarios"
)

const (
	exportUsage = "usage: sakimori scenario export [-o FILE] ID|FOLDER"
	importUsage = "usage: sakimori scenario import -dir DIR BUNDLE"
)

// scenarioExport writes a scenario as a bundle: a built-in scenario by
// id, or a scenario folder on disk. Only a valid scenario is exported.
func scenarioExport(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("scenario export", flag.ContinueOnError)
	out := fs.String("o", "", "the bundle file to write (default ID.tar.gz; - for standard output)")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New(exportUsage)
	}
	fsys, dir := exportSource(rest[0])
	s, err := labs.LoadScenario(fsys, dir)
	if err != nil {
		return err
	}
	data, err := bundle.Export(fsys, dir)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	switch *out {
	case "-":
		_, err := stdout.Write(data)
		return err
	case "":
		*out = s.ID + ".tar.gz"
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %s, %d bytes, sha256 %s\n", *out, s.ID, len(data), hex.EncodeToString(sum[:]))
	return nil
}

// exportSource is a folder on disk when arg names one, else the built-in
// scenario of that id.
func exportSource(arg string) (fs.FS, string) {
	if st, err := os.Stat(arg); err == nil && st.IsDir() {
		p := filepath.Clean(arg)
		return os.DirFS(filepath.Dir(p)), filepath.Base(p)
	}
	return scenarios.Files(), arg
}

// scenarioImport reads a bundle, refusing an unsafe or invalid one, and
// writes its scenario folder as DIR/<id>. Nothing is written unless the
// whole bundle passes. (The range keeps no authored scenarios yet, so a
// folder is the only place an import can go.)
func scenarioImport(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("scenario import", flag.ContinueOnError)
	dir := fs.String("dir", "", "the folder to write the scenario's folder into")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || *dir == "" {
		return errors.New(importUsage)
	}
	b, s, err := readBundleFile(rest[0])
	if err != nil {
		return err
	}
	target := filepath.Join(*dir, s.ID)
	if err := b.WriteDir(target); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ok  %s: wrote %s (%d files)\n", s.ID, target, len(b.Files))
	return nil
}

// readBundleFile reads a bundle file within the default limits, and its
// scenario. The file is read no further than the limits allow.
func readBundleFile(p string) (*bundle.Bundle, *labs.Scenario, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	lim := bundle.DefaultLimits
	data, err := io.ReadAll(io.LimitReader(f, lim.MaxTotalSize+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > lim.MaxTotalSize {
		return nil, nil, fmt.Errorf("%s: %w: the file is larger than %d bytes", p, bundle.ErrBadBundle, lim.MaxTotalSize)
	}
	b, s, err := bundle.Import(data, lim)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", p, err)
	}
	return b, s, nil
}

// isBundle says whether a file is a gzip stream, as every bundle is.
func isBundle(p string) bool {
	if strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tgz") {
		return true
	}
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, 2)
	_, err = io.ReadFull(f, magic)
	return err == nil && bytes.Equal(magic, []byte{0x1f, 0x8b})
}

// parseInterspersed parses flags given before or after the arguments,
// so "export orientation -o x.tar.gz" reads as it is written.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}
