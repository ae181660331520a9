package client

import (
	"fmt"
	"regexp"

	"github.com/sakimori/sakimori/sim/gitrepo"
)

var (
	keyIDPattern  = regexp.MustCompile(`AKIA[A-Z2-7]{16}`)
	secretPattern = regexp.MustCompile(`(?mi)AWS_SECRET_ACCESS_KEY\s*=\s*"?([A-Za-z0-9/+]{40})`)
)

// KeysIn finds an access key pair written in text, as a scraper of leaked
// files looks for one, or nil: as environment variables or as the CLI's
// credentials file writes them, in either case.
func KeysIn(text []byte) *Credentials {
	id, secret := keyIDPattern.Find(text), secretPattern.FindSubmatch(text)
	if id == nil || secret == nil {
		return nil
	}
	return &Credentials{AccessKeyID: string(id), SecretAccessKey: string(secret[1])}
}

// KeysInHistory takes the first key pair found in any version of any file
// of a git repository, read from head with fetch (see gitrepo.Find).
func KeysInHistory(head string, fetch func(path string) ([]byte, error)) (*Credentials, error) {
	blob, err := gitrepo.Find(head, fetch, func(b []byte) bool { return KeysIn(b) != nil })
	if err != nil {
		return nil, fmt.Errorf("no keys in the history: %w", err)
	}
	return KeysIn(blob), nil
}
