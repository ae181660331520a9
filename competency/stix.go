package competency

import (
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"
)

// AttackImport is what a STIX 2.1 bundle of ATT&CK Enterprise yields.
type AttackImport struct {
	Version    string // the x-mitre-collection's version, when the bundle has one
	Techniques []Technique
	Skipped    int // revoked or deprecated attack-patterns
}

// stixObject holds only the fields read; the decoder skips the rest of each
// object without keeping it.
type stixObject struct {
	Type               string   `json:"type"`
	Name               string   `json:"name"`
	Revoked            bool     `json:"revoked"`
	Deprecated         bool     `json:"x_mitre_deprecated"`
	Platforms          []string `json:"x_mitre_platforms"`
	Version            string   `json:"x_mitre_version"`
	ExternalReferences []struct {
		SourceName string `json:"source_name"`
		ExternalID string `json:"external_id"`
	} `json:"external_references"`
	KillChainPhases []struct {
		KillChainName string `json:"kill_chain_name"`
		PhaseName     string `json:"phase_name"`
	} `json:"kill_chain_phases"`
}

// countingReader fails once more than limit bytes are read, so a bundle
// that is too large is refused as it streams, never buffered whole.
type countingReader struct {
	r     io.Reader
	left  int64
	limit int64
}

var errTooLarge = errors.New("too large")

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// ParseSTIX reads an ATT&CK STIX 2.1 bundle object by object: one
// attack-pattern is in memory at a time, so a 50 MB bundle costs the
// techniques kept, not the bundle. Revoked and deprecated patterns are
// skipped; an attack-pattern without a mitre-attack id is refused, since
// an ATT&CK bundle always carries one.
func ParseSTIX(r io.Reader, lim ImportLimits) (*AttackImport, error) {
	cr := &countingReader{r: r, left: lim.MaxBytes + 1, limit: lim.MaxBytes}
	dec := json.NewDecoder(cr)
	fail := func(err error, format string, args ...any) error {
		if errors.Is(err, errTooLarge) || cr.left <= 0 {
			return tooLarge(lim.MaxBytes)
		}
		return malformed(format, args...)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fail(err, "The file is not a STIX bundle (a JSON object).")
	}
	out := &AttackImport{}
	seen := map[string]bool{}
	var bundleType string
	sawObjects := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fail(err, "The STIX bundle is not valid JSON.")
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			if err := dec.Decode(&bundleType); err != nil {
				return nil, fail(err, "The STIX bundle's type is not a string.")
			}
		case "objects":
			sawObjects = true
			if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
				return nil, fail(err, "The STIX bundle's objects are not a list.")
			}
			for dec.More() {
				var o stixObject
				if err := dec.Decode(&o); err != nil {
					return nil, fail(err, "An object in the STIX bundle is not valid.")
				}
				if err := out.take(o, seen); err != nil {
					return nil, err
				}
			}
			if _, err := dec.Token(); err != nil {
				return nil, fail(err, "The STIX bundle's objects list is not closed.")
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fail(err, "The STIX bundle is not valid JSON.")
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, fail(err, "The STIX bundle is not closed.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fail(err, "The file has content after the STIX bundle.")
	}
	if bundleType != "bundle" || !sawObjects {
		return nil, malformed("The file is not a STIX bundle: it needs \"type\": \"bundle\" and a list of objects.")
	}
	if len(out.Techniques) == 0 {
		return nil, malformed("The STIX bundle holds no current ATT&CK techniques (attack-pattern objects).")
	}
	sort.Slice(out.Techniques, func(i, j int) bool { return out.Techniques[i].ID < out.Techniques[j].ID })
	return out, nil
}

func (a *AttackImport) take(o stixObject, seen map[string]bool) error {
	switch o.Type {
	case "x-mitre-collection":
		a.Version = o.Version
		return nil
	case "attack-pattern":
	default:
		return nil
	}
	if o.Revoked || o.Deprecated {
		a.Skipped++
		return nil
	}
	var id string
	for _, ref := range o.ExternalReferences {
		if ref.SourceName == "mitre-attack" {
			id = ref.ExternalID
		}
	}
	if id == "" || o.Name == "" {
		return malformed("An attack-pattern named %q has no mitre-attack id or no name.", o.Name)
	}
	if seen[id] {
		return malformed("The technique %s is given twice in the STIX bundle.", id)
	}
	seen[id] = true
	t := Technique{ID: id, Name: o.Name, Platforms: o.Platforms}
	for _, p := range o.KillChainPhases {
		if p.KillChainName == "mitre-attack" {
			t.Tactics = append(t.Tactics, strings.TrimSpace(p.PhaseName))
		}
	}
	a.Techniques = append(a.Techniques, t)
	return nil
}

// WithAttack is these frameworks with an imported ATT&CK catalogue in place
// of the bundled subset. The NICE catalogue is shared, not copied.
func (f *Frameworks) WithAttack(version string, techniques []Technique) *Frameworks {
	g := *f
	g.AttackVersion = version
	g.techniques = make(map[string]Technique, len(techniques))
	for _, t := range techniques {
		g.techniques[t.ID] = t
	}
	return &g
}
