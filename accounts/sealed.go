package accounts

// Sealer keeps a secret encrypted at rest with AES-256-GCM, bound to what
// it belongs to (a row's id), so a database copy, or a sealed value moved
// to another row, yields nothing. Other domains seal their secrets with it:
// the SSO providers' client secrets, for one.
type Sealer struct{ s *sealer }

// NewSealer makes a Sealer over a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	s, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	return &Sealer{s: s}, nil
}

// Seal encrypts plain for the owner named.
func (s *Sealer) Seal(plain, owner string) string { return s.s.seal(plain, owner) }

// Open decrypts what Seal gave for the same owner.
func (s *Sealer) Open(sealed, owner string) (string, error) { return s.s.open(sealed, owner) }
