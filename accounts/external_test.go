package accounts_test

import (
	"context"
	"errors"
	"testing"

	"github.com/sakimori/sakimori/accounts"
)

// An account a provider vouches for has no password, takes no account by
// its email, and gets a number when its display name is already in use.
func TestExternalAccounts(t *testing.T) {
	svc, _ := newService(t, false)
	ctx := context.Background()
	if _, err := svc.CreateUser(ctx, accounts.NewUser{Email: "taken@uni.example", DisplayName: "Hanako", Password: "long enough password", Role: accounts.RoleTrainee}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateExternalUser(ctx, accounts.ExternalUser{Email: "taken@uni.example", Role: accounts.RoleTrainee}); !errors.Is(err, accounts.ErrEmailTaken) {
		t.Fatalf("an email in use: %v", err)
	}
	u, err := svc.CreateExternalUser(ctx, accounts.ExternalUser{Email: "h2@uni.example", DisplayName: "Hanako", Role: accounts.RoleTrainee})
	if err != nil || u.DisplayName != "Hanako 2" || u.PasswordHash != "" {
		t.Fatalf("external = %+v, %v", u, err)
	}
	if _, err := svc.Authenticate(ctx, "h2@uni.example", ""); !errors.Is(err, accounts.ErrBadCredentials) {
		t.Fatalf("a passwordless account signed in with no password: %v", err)
	}
	u, err = svc.RaiseRole(ctx, u, accounts.RoleInstructor)
	if err != nil || u.Role != accounts.RoleInstructor {
		t.Fatalf("raise: %v %v", u.Role, err)
	}
	if u, _ = svc.RaiseRole(ctx, u, accounts.RoleTrainee); u.Role != accounts.RoleInstructor {
		t.Fatal("a role was lowered")
	}
	if again, _ := svc.User(ctx, u.ID); again.Role != accounts.RoleInstructor {
		t.Fatalf("stored role %v", again.Role)
	}
}

// The mapped role moves a provider-managed account both ways between
// trainee and instructor; an account with a password is only raised, and
// an admin is never moved.
func TestApplyMappedRole(t *testing.T) {
	svc, _ := newService(t, false)
	ctx := context.Background()
	ext, err := svc.CreateExternalUser(ctx, accounts.ExternalUser{Email: "ext@uni.example", Role: accounts.RoleInstructor})
	if err != nil {
		t.Fatal(err)
	}
	if ext, _ = svc.ApplyMappedRole(ctx, ext, accounts.RoleTrainee); ext.Role != accounts.RoleTrainee {
		t.Fatalf("managed account not lowered: %v", ext.Role)
	}
	if again, _ := svc.User(ctx, ext.ID); again.Role != accounts.RoleTrainee {
		t.Fatalf("stored role %v", again.Role)
	}
	pw, err := svc.CreateUser(ctx, accounts.NewUser{Email: "pw@uni.example", DisplayName: "Pw", Password: "long enough password", Role: accounts.RoleInstructor})
	if err != nil {
		t.Fatal(err)
	}
	if pw, _ = svc.ApplyMappedRole(ctx, pw, accounts.RoleTrainee); pw.Role != accounts.RoleInstructor {
		t.Fatal("an account with a password was lowered")
	}
	adm, _ := svc.CreateExternalUser(ctx, accounts.ExternalUser{Email: "adm@uni.example", Role: accounts.RoleAdmin})
	if adm, _ = svc.ApplyMappedRole(ctx, adm, accounts.RoleTrainee); adm.Role != accounts.RoleAdmin {
		t.Fatal("an admin was lowered")
	}
}
