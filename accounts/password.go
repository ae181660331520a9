package accounts

import (
	"github.com/alexedwards/argon2id"
)

// PasswordParams are the argon2id costs. OWASPParams are the floor the
// OWASP Password Storage Cheat Sheet gives (m=19 MiB, t=2, p=1).
type PasswordParams = argon2id.Params

// OWASPParams is what production uses.
var OWASPParams = PasswordParams{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Passwords hashes and checks passwords with argon2id.
type Passwords struct {
	params PasswordParams
	// dummy is a hash of a random password, compared against when an email
	// is unknown so that sign-in takes as long whether or not it exists.
	dummy string
}

// NewPasswords makes a hasher with the given costs.
func NewPasswords(p PasswordParams) (*Passwords, error) {
	dummy, err := argon2id.CreateHash("no account has this password", &p)
	if err != nil {
		return nil, err
	}
	return &Passwords{params: p, dummy: dummy}, nil
}

// Hash returns an encoded argon2id hash that carries its own parameters, so
// raising the costs later still verifies old hashes.
func (p *Passwords) Hash(password string) (string, error) {
	return argon2id.CreateHash(password, &p.params)
}

// Match reports whether password matches the encoded hash; an empty hash
// (an unknown account) is compared against the dummy and never matches.
func (p *Passwords) Match(password, hash string) bool {
	if hash == "" {
		_, _ = argon2id.ComparePasswordAndHash(password, p.dummy)
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}
