package badges

import (
	"embed"
	"encoding/json"
	"fmt"

	"github.com/piprate/json-gold/ld"
)

// The JSON-LD contexts a credential names, embedded so that signing and
// checking never fetch anything: a context fetched at signing time could
// change what a signature means. See contexts/SOURCE.md for their origin.
//
//go:embed contexts/*.json contexts/*.jsonld
var contextFiles embed.FS

const (
	// CredentialsContext is the W3C Verifiable Credentials Data Model 2.0 context.
	CredentialsContext = "https://www.w3.org/ns/credentials/v2"
	// OpenBadgesContext is the 1EdTech Open Badges 3.0 context.
	OpenBadgesContext = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
)

var contextPaths = map[string]string{
	CredentialsContext: "contexts/credentials-v2.jsonld",
	OpenBadgesContext:  "contexts/ob-v3p0-context-3.0.3.json",
}

// embeddedLoader serves the embedded contexts and refuses every other URL.
type embeddedLoader struct{}

func (embeddedLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	path, ok := contextPaths[u]
	if !ok {
		return nil, fmt.Errorf("badges: the context %s is not embedded, and nothing is fetched", u)
	}
	raw, err := contextFiles.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// A fresh decode on every load: the processor may keep and change what
	// it is given.
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
}
