package accounts_test

import (
	"errors"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/accounts/totptest"
)

// codeFor reads the secret from an enrolment as a person's app would.
func codeFor(t *testing.T, e accounts.TOTPEnrolment, at time.Time) string {
	t.Helper()
	code, err := totptest.SixDigits(e.Secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

var sealKey = []byte("0123456789abcdef0123456789abcdef")

func staffWithTOTP(t *testing.T) (*accounts.Service, *clock, accounts.User, accounts.TOTPEnrolment) {
	t.Helper()
	svc, clk := newServiceWith(t, accounts.Options{PublicURL: "https://range.example", SealKey: sealKey})
	clk.t = time.Unix(1_800_000_000, 0) // the start of a 30 s step
	u, err := svc.CreateUser(ctx, accounts.NewUser{Email: "ines@range.test", Password: "long enough password", Role: accounts.RoleInstructor})
	if err != nil {
		t.Fatal(err)
	}
	e, err := svc.BeginTOTP(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.ConfirmTOTP(ctx, u, codeFor(t, e, clk.t)); err != nil {
		t.Fatalf("confirm with the app's code: %v", err)
	}
	return svc, clk, u, e
}

func TestEnrolmentGivesAStandardOtpauthURI(t *testing.T) {
	svc, _ := newServiceWith(t, accounts.Options{PublicURL: "https://range.example", SealKey: sealKey})
	u, _ := svc.CreateUser(ctx, accounts.NewUser{Email: "ines@range.test", Password: "long enough password", Role: accounts.RoleAdmin})
	e, err := svc.BeginTOTP(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	uri, err := url.Parse(e.URI)
	if err != nil || uri.Scheme != "otpauth" || uri.Host != "totp" {
		t.Fatalf("URI %q", e.URI)
	}
	q := uri.Query()
	if q.Get("secret") != e.Secret || q.Get("digits") != "6" || q.Get("period") != "30" || q.Get("algorithm") != "SHA1" {
		t.Errorf("URI %q does not say SHA-1, 6 digits, 30 s with its secret", e.URI)
	}
	if len(e.Secret) < 32 { // 20 bytes of secret, base32
		t.Errorf("secret %q is shorter than 160 bits", e.Secret)
	}
	st, _ := svc.MFAStatus(ctx, u)
	if st.TOTP || !st.TOTPPending {
		t.Fatalf("before a first code: %+v", st)
	}
	if err := svc.ConfirmTOTP(ctx, u, "000000"); !errors.Is(err, accounts.ErrTOTPConfirmWrong) {
		if codeFor(t, e, time.Now()) != "000000" {
			t.Fatalf("a wrong first code: %v", err)
		}
	}
	if _, err := svc.SecondFactorFor(ctx, u); err != nil {
		t.Fatal(err)
	}
	if f, _ := svc.SecondFactorFor(ctx, u); f.Needed() {
		t.Fatal("an app never confirmed is asked for at sign-in")
	}
}

func TestSignInWithTOTP(t *testing.T) {
	svc, clk, u, e := staffWithTOTP(t)
	clk.t = clk.t.Add(30 * time.Second) // the confirming code is spent
	f, err := svc.SecondFactorFor(ctx, u)
	if err != nil || f.Challenge == "" || len(f.Methods) != 1 || f.Methods[0] != accounts.MethodTOTP {
		t.Fatalf("second factor = %+v, %v", f, err)
	}
	if _, err := svc.FinishSignInTOTP(ctx, f.Challenge, "12345"); !errors.Is(err, accounts.ErrTOTPCodeInvalid) {
		t.Fatalf("five digits: %v", err)
	}
	got, err := svc.FinishSignInTOTP(ctx, f.Challenge, codeFor(t, e, clk.t))
	if err != nil || got.ID != u.ID {
		t.Fatalf("right code: %+v, %v", got, err)
	}
	if _, err := svc.FinishSignInTOTP(ctx, f.Challenge, codeFor(t, e, clk.t.Add(30*time.Second))); !errors.Is(err, accounts.ErrChallengeInvalid) {
		t.Fatalf("a finished challenge used again: %v", err)
	}
}

func TestATOTPCodeIsGoodOnce(t *testing.T) {
	svc, clk, u, e := staffWithTOTP(t)
	code := codeFor(t, e, clk.t) // the one that confirmed enrolment
	f, _ := svc.SecondFactorFor(ctx, u)
	if _, err := svc.FinishSignInTOTP(ctx, f.Challenge, code); !errors.Is(err, accounts.ErrMFACodeUsed) {
		t.Fatalf("the enrolment code again: %v", err)
	}
	clk.t = clk.t.Add(30 * time.Second)
	next := codeFor(t, e, clk.t)
	if _, err := svc.FinishSignInTOTP(ctx, f.Challenge, next); err != nil {
		t.Fatal(err)
	}
	f, _ = svc.SecondFactorFor(ctx, u)
	if _, err := svc.FinishSignInTOTP(ctx, f.Challenge, next); !errors.Is(err, accounts.ErrMFACodeUsed) {
		t.Fatalf("a code replayed in its own step: %v", err)
	}
	// A code of the step before the last one used is refused too, though
	// it is still within the clock skew.
	if _, err := svc.FinishSignInTOTP(ctx, f.Challenge, code); !errors.Is(err, accounts.ErrMFACodeUsed) {
		t.Fatalf("an older code within the skew: %v", err)
	}
}

func TestTOTPAcceptsOneStepOfSkew(t *testing.T) {
	svc, clk, u, e := staffWithTOTP(t)
	start := clk.t
	clk.t = start.Add(5 * time.Minute)
	cases := []struct {
		name string
		at   time.Time
		err  error
	}{
		{"two steps behind", clk.t.Add(-60 * time.Second), accounts.ErrMFACodeWrong},
		{"two steps ahead", clk.t.Add(60 * time.Second), accounts.ErrMFACodeWrong},
		{"one step behind", clk.t.Add(-30 * time.Second), nil},
		{"one step ahead", clk.t.Add(30 * time.Second), nil},
	}
	for _, c := range cases {
		f, _ := svc.SecondFactorFor(ctx, u)
		_, err := svc.FinishSignInTOTP(ctx, f.Challenge, codeFor(t, e, c.at))
		if !errors.Is(err, c.err) && !(c.err == nil && err == nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.err)
		}
	}
}

func TestSignInChallengeExpiresAndEndsAfterFiveWrongCodes(t *testing.T) {
	svc, clk, u, e := staffWithTOTP(t)
	f, _ := svc.SecondFactorFor(ctx, u)
	clk.t = clk.t.Add(5*time.Minute + time.Second)
	if _, err := svc.FinishSignInTOTP(ctx, f.Challenge, codeFor(t, e, clk.t)); !errors.Is(err, accounts.ErrChallengeInvalid) {
		t.Fatalf("an expired challenge: %v", err)
	}

	f, _ = svc.SecondFactorFor(ctx, u)
	right := codeFor(t, e, clk.t)
	wrong := "000000"
	if wrong == right {
		wrong = "111111"
	}
	for i := range 5 {
		if _, err := svc.FinishSignInTOTP(ctx, f.Challenge, wrong); !errors.Is(err, accounts.ErrMFACodeWrong) {
			t.Fatalf("wrong code %d: %v", i+1, err)
		}
	}
	if _, err := svc.FinishSignInTOTP(ctx, f.Challenge, right); !errors.Is(err, accounts.ErrChallengeInvalid) {
		t.Fatalf("the right code after five wrong ones: %v", err)
	}
}

func TestRemovingTOTPNeedsProofAndRespectsThePolicy(t *testing.T) {
	svc, clk, u, e := staffWithTOTP(t)
	if err := svc.RemoveTOTP(ctx, u, accounts.Proof{}); !errors.Is(err, accounts.ErrProofRequired) {
		t.Fatalf("no proof: %v", err)
	}
	if err := svc.RemoveTOTP(ctx, u, accounts.Proof{Password: "not the password"}); !errors.Is(err, accounts.ErrPasswordWrong) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := svc.SetMFAPolicy(ctx, []accounts.Role{accounts.RoleInstructor}); err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(30 * time.Second)
	if err := svc.RemoveTOTP(ctx, u, accounts.Proof{Code: codeFor(t, e, clk.t)}); !errors.Is(err, accounts.ErrMFARequiredByRole) {
		t.Fatalf("the only factor of a role that requires one: %v", err)
	}
	if _, err := svc.SetMFAPolicy(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := svc.RemoveTOTP(ctx, u, accounts.Proof{Password: "long enough password"}); err != nil {
		t.Fatal(err)
	}
	if f, _ := svc.SecondFactorFor(ctx, u); f.Needed() {
		t.Fatal("still asked for a second factor after removing it")
	}
}

func TestPolicySendsStaffWithoutMFAToEnrolment(t *testing.T) {
	svc, _ := newServiceWith(t, accounts.Options{SealKey: sealKey})
	u, _ := svc.CreateUser(ctx, accounts.NewUser{Email: "pat@range.test", Password: "long enough password", Role: accounts.RolePartner})
	if _, err := svc.SetMFAPolicy(ctx, []accounts.Role{"wizard"}); !errors.Is(err, accounts.ErrRoleInvalid) {
		t.Fatalf("an unknown role: %v", err)
	}
	roles, err := svc.SetMFAPolicy(ctx, []accounts.Role{accounts.RoleAdmin, accounts.RolePartner, accounts.RoleAdmin})
	if err != nil || len(roles) != 2 || roles[0] != accounts.RolePartner || roles[1] != accounts.RoleAdmin {
		t.Fatalf("policy = %v, %v", roles, err)
	}
	f, err := svc.SecondFactorFor(ctx, u)
	if err != nil || !f.EnrolmentRequired || f.Challenge != "" {
		t.Fatalf("a partner without MFA under the policy: %+v, %v", f, err)
	}
}

func TestConcurrentSignInsShareNoCode(t *testing.T) {
	svc, clk, u, e := staffWithTOTP(t)
	clk.t = clk.t.Add(30 * time.Second)
	code := codeFor(t, e, clk.t)
	const n = 8
	challenges := make([]string, n)
	for i := range challenges {
		f, err := svc.SecondFactorFor(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		challenges[i] = f.Challenge
	}
	var wg sync.WaitGroup
	var won, used atomic.Int32
	for _, c := range challenges {
		wg.Go(func() {
			_, err := svc.FinishSignInTOTP(ctx, c, code)
			switch {
			case err == nil:
				won.Add(1)
			case errors.Is(err, accounts.ErrMFACodeUsed):
				used.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 || used.Load() != n-1 {
		t.Fatalf("one code brought by %d sign-ins at once: %d signed in, %d refused as used", n, won.Load(), used.Load())
	}
}
