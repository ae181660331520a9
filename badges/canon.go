package badges

import (
	"fmt"

	"github.com/piprate/json-gold/ld"
)

// canonicalize gives the RDF Dataset Canonicalization (RDFC-1.0, which
// json-gold names URDNA2015) of a JSON-LD document as N-Quads. Safe mode
// makes a term that no context defines an error rather than silently
// dropping it, as a verifier in safe mode would: a dropped term would be
// left unsigned.
func canonicalize(doc map[string]any) ([]byte, error) {
	opts := ld.NewJsonLdOptions("")
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	opts.DocumentLoader = embeddedLoader{}
	opts.SafeMode = true
	out, err := ld.NewJsonLdProcessor().Normalize(doc, opts)
	if err != nil {
		return nil, fmt.Errorf("badges: canonicalising: %w", err)
	}
	s, ok := out.(string)
	if !ok || s == "" {
		return nil, fmt.Errorf("badges: canonicalising gave no statements")
	}
	return []byte(s), nil
}
