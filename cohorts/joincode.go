package cohorts

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
)

// A join code is 12 symbols of Crockford's base32 (60 random bits), shown in
// three groups: XXXX-XXXX-XXXX. Its alphabet leaves out I, L, O and U, so a
// code read aloud or copied from a projector survives; typing O for 0 or I
// and L for 1 is forgiven. Sixty bits cannot be guessed at the join
// endpoint's rate limit within any cohort's lifetime, and two cohorts
// drawing the same code is as unlikely; should it happen, the unique index
// refuses the second with ErrJoinCodeTaken and the manager tries again.
const (
	codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	codeSymbols  = 12
)

func newJoinCode() string {
	b := make([]byte, codeSymbols)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	var sb strings.Builder
	for i, v := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(codeAlphabet[v&31]) // 256 is a multiple of 32: no bias
	}
	return sb.String()
}

// normalJoinCode reads a typed code the way it was meant: case, spaces and
// hyphens aside, look-alike letters as their digits. ok is false if it
// cannot be a code.
func normalJoinCode(typed string) (string, bool) {
	var sym []byte
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == ' ' || r == '-':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 127 || !strings.ContainsRune(codeAlphabet, r) {
			return "", false
		}
		sym = append(sym, byte(r))
	}
	if len(sym) != codeSymbols {
		return "", false
	}
	return string(sym[0:4]) + "-" + string(sym[4:8]) + "-" + string(sym[8:12]), true
}

// Join makes the actor a member of the open cohort whose join code they
// give. Joining a cohort one is already in returns it unchanged.
func (s *Service) Join(ctx context.Context, a Actor, typed string) (MyCohort, error) {
	if strings.TrimSpace(typed) == "" {
		return MyCohort{}, errJoinCodeRequired
	}
	code, ok := normalJoinCode(typed)
	if !ok {
		return MyCohort{}, ErrJoinCodeUnknown
	}
	var out MyCohort
	err := s.store.InTx(ctx, func(tx Store) error {
		c, err := tx.CohortByJoinCode(ctx, code)
		if err != nil {
			return err
		}
		if c.Archived() {
			return ErrJoinCodeUnknown // an archived cohort's code is spent
		}
		role, in, err := tx.CohortRole(ctx, c.ID, a.UserID)
		if err != nil {
			return err
		}
		if role != CohortInstructor {
			c.JoinCode = ""
		}
		if in {
			out = MyCohort{Cohort: c, Role: role}
			return nil
		}
		out = MyCohort{Cohort: c, Role: CohortMember}
		return tx.AddMembers(ctx, []Membership{{
			ID: newID(), CohortID: c.ID, Person: Person{ID: a.UserID}, Role: CohortMember, Via: ViaJoinCode, JoinedAt: s.now().UTC(),
		}})
	})
	if errors.Is(err, ErrAlreadyMember) {
		return out, nil // a second join racing the first: the person is in either way
	}
	return out, err
}

// RotateJoinCode gives a cohort a new join code; the old one stops working.
func (s *Service) RotateJoinCode(ctx context.Context, a Actor, id string) (Cohort, error) {
	var out Cohort
	err := s.store.InTx(ctx, func(tx Store) error {
		c, err := s.managedCohort(ctx, tx, a, id)
		if err != nil {
			return err
		}
		c.JoinCode = newJoinCode()
		out = c
		return tx.UpdateCohort(ctx, c)
	})
	return out, err
}
