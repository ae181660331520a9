package accounts_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/store/storetest"
)

var ctx = context.Background()

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// newService runs the domain over a real SQLite store, with cheap hashing.
func newService(t *testing.T, open bool) (*accounts.Service, *clock) {
	t.Helper()
	return newServiceWith(t, accounts.Options{OpenRegistration: open})
}

// newServiceWith is newService with more options.
func newServiceWith(t *testing.T, opt accounts.Options) (*accounts.Service, *clock) {
	t.Helper()
	pw, err := accounts.NewPasswords(accounts.PasswordParams{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	db := storetest.Open(t, "sqlite")
	opt.RefreshTTL, opt.Now = time.Hour, clk.now
	return accounts.NewService(db.Accounts(), pw, opt), clk
}

func TestProductionHashesUseOWASPCosts(t *testing.T) {
	pw, err := accounts.NewPasswords(accounts.OWASPParams)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := pw.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not carry m=19 MiB, t=2, p=1", hash)
	}
	if !pw.Match("correct horse battery", hash) || pw.Match("correct horse batterY", hash) || pw.Match("x", "") {
		t.Fatal("Match is wrong")
	}
}

func TestSessionExpires(t *testing.T) {
	svc, clk := newService(t, true)
	u, _ := svc.Register(ctx, accounts.NewUser{Email: "a@range.test", Password: "long enough password"}, "")
	token, err := svc.StartSession(ctx, u, accounts.Client{})
	if err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(time.Hour + time.Second)
	if _, _, err := svc.Refresh(ctx, token, accounts.Client{}); !errors.Is(err, accounts.ErrSessionInvalid) {
		t.Fatalf("refresh after the session's lifetime: %v", err)
	}
}

func TestRefreshSlidesTheSession(t *testing.T) {
	svc, clk := newService(t, true)
	u, _ := svc.Register(ctx, accounts.NewUser{Email: "a@range.test", Password: "long enough password"}, "")
	token, _ := svc.StartSession(ctx, u, accounts.Client{})
	for range 3 { // three refreshes, each within the hour, span more than an hour
		clk.t = clk.t.Add(40 * time.Minute)
		var err error
		if _, token, err = svc.Refresh(ctx, token, accounts.Client{}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDisabledAccountsCannotSignIn(t *testing.T) {
	pw, _ := accounts.NewPasswords(accounts.PasswordParams{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	db := storetest.Open(t, "sqlite")
	store := db.Accounts()
	svc := accounts.NewService(store, pw, accounts.Options{RefreshTTL: time.Hour})
	hash, _ := pw.Hash("long enough password")
	off := time.Now()
	err := store.CreateUser(ctx, accounts.User{ID: "u1", Email: "off@range.test", DisplayName: "Off", Role: accounts.RoleTrainee, PasswordHash: hash, CreatedAt: off, DisabledAt: &off})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, "off@range.test", "long enough password"); !errors.Is(err, accounts.ErrAccountDisabled) {
		t.Fatalf("disabled sign-in: %v", err)
	}
	// A wrong password still says only "wrong", not "disabled".
	if _, err := svc.Authenticate(ctx, "off@range.test", "wrong password!!!"); !errors.Is(err, accounts.ErrBadCredentials) {
		t.Fatalf("disabled, wrong password: %v", err)
	}
}

func TestSetupCodes(t *testing.T) {
	svc, _ := newService(t, false)
	first, err := svc.NewSetupCode(ctx)
	if err != nil || first == "" {
		t.Fatalf("first code: %q, %v", first, err)
	}
	second, _ := svc.NewSetupCode(ctx) // a restart makes a new code
	admin := accounts.NewUser{Email: "root@range.test", Password: "long enough password"}
	if _, err := svc.Setup(ctx, first, admin); !errors.Is(err, accounts.ErrSetupCodeWrong) {
		t.Fatalf("superseded code: %v", err)
	}
	u, err := svc.Setup(ctx, second, admin)
	if err != nil || u.Role != accounts.RoleAdmin {
		t.Fatalf("setup: %+v, %v", u, err)
	}
	if code, err := svc.NewSetupCode(ctx); code != "" || err != nil {
		t.Fatalf("a setup code was made after setup: %q, %v", code, err)
	}
	if _, err := svc.Setup(ctx, second, accounts.NewUser{Email: "b@range.test", Password: "long enough password"}); !errors.Is(err, accounts.ErrSetupDone) {
		t.Fatalf("second setup: %v", err)
	}
}

func TestCreateUserRefusesUnknownRoles(t *testing.T) {
	svc, _ := newService(t, false)
	if _, err := svc.CreateUser(ctx, accounts.NewUser{Email: "a@range.test", Password: "long enough password", Role: "root"}); !errors.Is(err, accounts.ErrRoleInvalid) {
		t.Fatalf("role root: %v", err)
	}
}
