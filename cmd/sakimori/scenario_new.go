package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/sakimori/sakimori/labs/bundle"
	"github.com/sakimori/sakimori/scenarios"
)

const newUsage = "usage: sakimori scenario new [-template one-host|web-app|cloud-account] DIR"

// templateID is the template's own id line, which a new scenario's
// replaces: every template's manifest names its folder on one line.
var templateID = regexp.MustCompile(`(?m)^id: [a-z0-9-]+$`)

// scenarioNew writes a new scenario folder DIR from a template, with the
// folder's name as its id. It is checked exactly as an upload would be
// before anything is written, so a new folder always validates; DIR must
// not exist yet, or be empty.
func scenarioNew(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("scenario new", flag.ContinueOnError)
	tpl := fs.String("template", "web-app", "the template to start from: "+strings.Join(scenarios.TemplateNames, ", "))
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New(newUsage)
	}
	if !slices.Contains(scenarios.TemplateNames, *tpl) {
		return fmt.Errorf("no template %q: there are %s", *tpl, strings.Join(scenarios.TemplateNames, ", "))
	}
	dir := rest[0]
	id := filepath.Base(filepath.Clean(dir))
	data, err := bundle.Export(scenarios.Templates(), *tpl)
	if err != nil {
		return err
	}
	b, err := bundle.Read(bytes.NewReader(data), bundle.DefaultLimits)
	if err != nil {
		return err
	}
	b.Files["scenario.yaml"] = templateID.ReplaceAll(b.Files["scenario.yaml"], []byte("id: "+id))
	renamed, err := b.Bytes()
	if err != nil {
		return err
	}
	if _, _, err := bundle.Import(renamed, bundle.DefaultLimits); err != nil {
		return fmt.Errorf("a scenario named %q (the folder's name is its id): %w", id, err)
	}
	if err := b.WriteDir(dir); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ok  %s: wrote %s from the %s template (%d files); edit its scenario.yaml, then: sakimori scenario validate %s\n",
		id, dir, *tpl, len(b.Files), dir)
	return nil
}
