package accounts

import (
	"context"
	"time"

	"github.com/sakimori/sakimori/fault"
)

// SignInDelay holds back guessing at one account's password, wherever the
// guesses come from: after Free failed sign-ins for an account, each
// further attempt must wait Base, twice that after the next failure, and so
// on up to Cap. The wait is never a lock: a correct password once the wait
// is over signs in, so an attacker can cost the account's owner at most Cap
// per attempt, never the account. A success, or Quiet with no failure,
// clears the count.
type SignInDelay struct {
	Free  int
	Base  time.Duration
	Cap   time.Duration
	Quiet time.Duration
}

// DefaultSignInDelay is the range's policy: five free tries, then 1 s, 2 s,
// 4 s … at most 30 s between attempts, forgotten after 15 quiet minutes.
var DefaultSignInDelay = SignInDelay{Free: 5, Base: time.Second, Cap: 30 * time.Second, Quiet: 15 * time.Minute}

// after is the wait that follows the given number of failures.
func (d SignInDelay) after(failures int) time.Duration {
	if failures < d.Free {
		return 0
	}
	wait := d.Base
	for i := d.Free; i < failures && wait < d.Cap; i++ {
		wait *= 2
	}
	return min(wait, d.Cap)
}

// SignInFailures is what the range keeps of one account's failed sign-ins.
// Version changes with every write, so concurrent attempts never both
// count from the same record.
type SignInFailures struct {
	Failures     int
	LastFailedAt time.Time
	BlockedUntil time.Time
	Version      int64 // 0: nothing kept
}

func (f SignInFailures) forgotten(now time.Time, quiet time.Duration) bool {
	return f.Version == 0 || now.Sub(f.LastFailedAt) >= quiet
}

// SignInDelayed is the answer to an attempt made during the wait. It is a
// RateLimited fault with the code sign_in_delayed; RetryAfter says how
// long is left.
type SignInDelayed struct {
	RetryAfter time.Duration
}

var errSignInDelayed = fault.New(fault.RateLimited, "sign_in_delayed",
	"Too many failed sign-ins for this account; wait a few seconds and try again.")

func (e *SignInDelayed) Error() string { return errSignInDelayed.Error() }
func (e *SignInDelayed) Unwrap() error { return errSignInDelayed }

// Seconds is RetryAfter in whole seconds, rounded up, for a Retry-After header.
func (e *SignInDelayed) Seconds() int {
	return max(1, int((e.RetryAfter+time.Second-1)/time.Second))
}

// swapTries bounds the compare-and-swap loops below: each lost swap means
// another attempt for the same account just wrote, which is rare.
const swapTries = 8

// holdSignIn refuses an attempt made during the account's wait. An attempt
// allowed after a wait takes that turn: the next must wait again whatever
// this one's outcome, so a burst of parallel guesses gets one, not all.
func (s *Service) holdSignIn(ctx context.Context, key string) error {
	now := s.now().UTC()
	for range swapTries {
		f, err := s.store.SignInFailures(ctx, key)
		if err != nil {
			return err
		}
		if f.forgotten(now, s.delay.Quiet) || f.Failures < s.delay.Free {
			return nil
		}
		if now.Before(f.BlockedUntil) {
			return &SignInDelayed{RetryAfter: f.BlockedUntil.Sub(now)}
		}
		next := f
		next.BlockedUntil = now.Add(s.delay.after(f.Failures))
		ok, err := s.store.SwapSignInFailures(ctx, key, f, next)
		if err != nil || ok {
			return err
		}
	}
	return &SignInDelayed{RetryAfter: s.delay.Base}
}

// failSignIn counts a failed attempt and sets the wait before the next.
func (s *Service) failSignIn(ctx context.Context, key string) error {
	now := s.now().UTC()
	for range swapTries {
		f, err := s.store.SignInFailures(ctx, key)
		if err != nil {
			return err
		}
		n := f.Failures + 1
		if f.forgotten(now, s.delay.Quiet) {
			n = 1
		}
		if f.Version == 0 {
			// A new key: guesses at made-up addresses each leave one, so
			// the records nobody needs any more go now.
			if err := s.store.ForgetSignInFailures(ctx, now.Add(-s.delay.Quiet)); err != nil {
				return err
			}
		}
		next := SignInFailures{Failures: n, LastFailedAt: now, BlockedUntil: now.Add(s.delay.after(n))}
		ok, err := s.store.SwapSignInFailures(ctx, key, f, next)
		if err != nil || ok {
			return err
		}
	}
	return nil // others failing at once for this account have counted
}

// signInKey is how an account's failures are found: a hash of its
// normalised email, whether or not an account has it, so the delay says
// nothing about which addresses have accounts.
func signInKey(email string) string { return hashSecret("sign-in:" + email) }
