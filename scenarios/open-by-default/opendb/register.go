package opendb

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/sakimori/sakimori/sim/labkit"
)

func init() { labkit.Register("opendb", run) }

// run serves an open search database seeded from OPENDB_SEED
// (YAML: index → id → document).
func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("opendb", flag.ContinueOnError)
	listen := fs.String("listen", ":9200", "address to serve on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	indices, err := parseSeed(os.Getenv("OPENDB_SEED"))
	if err != nil {
		return err
	}
	return labkit.Serve(ctx, *listen, New(indices))
}

func parseSeed(text string) (map[string]map[string]json.RawMessage, error) {
	var seed map[string]map[string]any
	if err := yaml.Unmarshal([]byte(text), &seed); err != nil {
		return nil, fmt.Errorf("OPENDB_SEED: %v", err)
	}
	indices := map[string]map[string]json.RawMessage{}
	for index, docs := range seed {
		indices[index] = map[string]json.RawMessage{}
		for id, doc := range docs {
			b, err := json.Marshal(doc)
			if err != nil {
				return nil, fmt.Errorf("OPENDB_SEED: %s/%s: %v", index, id, err)
			}
			indices[index][id] = b
		}
	}
	return indices, nil
}
