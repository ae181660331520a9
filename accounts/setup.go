package accounts

import "context"

// First-run setup: while no admin exists, the server makes a one-time setup
// code at start-up and prints it once. Whoever can read the server's log can
// claim the first admin account with it from the browser; nobody else can,
// even if the server is reachable before its operator gets to it.

// SetupRequired reports whether there is no admin yet.
func (s *Service) SetupRequired(ctx context.Context) (bool, error) {
	n, err := s.store.CountAdmins(ctx)
	return n == 0, err
}

// NewSetupCode makes and stores a fresh setup code (replacing any earlier one)
// if setup is still required. It returns "" once an admin exists.
func (s *Service) NewSetupCode(ctx context.Context) (string, error) {
	required, err := s.SetupRequired(ctx)
	if err != nil || !required {
		return "", err
	}
	code := newSecret()[:24]
	if err := s.store.PutSetupCode(ctx, hashSecret(code)); err != nil {
		return "", err
	}
	return code, nil
}

// Setup creates the first admin account, consuming the setup code.
func (s *Service) Setup(ctx context.Context, code string, in NewUser) (User, error) {
	in.Role = RoleAdmin
	u, err := s.prepare(in)
	if err != nil {
		return User{}, err
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		admins, err := tx.CountAdmins(ctx)
		if err != nil {
			return err
		}
		if admins > 0 {
			return ErrSetupDone
		}
		// Matched by hash in the database: the code itself is never stored.
		won, err := tx.ConsumeSetupCode(ctx, hashSecret(code))
		if err != nil {
			return err
		}
		if !won {
			return ErrSetupCodeWrong
		}
		return createUser(ctx, tx, u)
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}
