package accounts_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/fault"
)

func mustUser(t *testing.T, svc *accounts.Service, email string, role accounts.Role) accounts.User {
	t.Helper()
	u, err := svc.CreateUser(ctx, accounts.NewUser{Email: email, Password: "long enough password", Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func rolePtr(r accounts.Role) *accounts.Role { return &r }
func boolPtr(b bool) *bool                   { return &b }

func TestAdminsChangeOthersButNeverThemselvesNorTheLastAdmin(t *testing.T) {
	svc, _ := newService(t, false)
	admin := mustUser(t, svc, "admin@range.test", accounts.RoleAdmin)
	alice := mustUser(t, svc, "alice@range.test", accounts.RoleTrainee)

	for _, c := range []struct {
		name string
		id   string
		ch   accounts.UserChange
		want error
	}{
		{"nothing to change", alice.ID, accounts.UserChange{}, nil},
		{"an unknown role", alice.ID, accounts.UserChange{Role: rolePtr("root")}, accounts.ErrRoleInvalid},
		{"demoting oneself", admin.ID, accounts.UserChange{Role: rolePtr(accounts.RoleTrainee)}, accounts.ErrSelfChange},
		{"disabling oneself", admin.ID, accounts.UserChange{Disabled: boolPtr(true)}, accounts.ErrSelfChange},
		{"an unknown account", "nobody", accounts.UserChange{Disabled: boolPtr(true)}, accounts.ErrUserNotFound},
	} {
		_, err := svc.ChangeUser(ctx, admin.ID, c.id, c.ch)
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}

	u, err := svc.ChangeUser(ctx, admin.ID, alice.ID, accounts.UserChange{Role: rolePtr(accounts.RoleInstructor)})
	if err != nil || u.Role != accounts.RoleInstructor {
		t.Fatalf("promotion: %+v %v", u, err)
	}

	// The last enabled admin stays one, whoever asks (here a second
	// admin's request that was made while it was still an admin).
	other := mustUser(t, svc, "other@range.test", accounts.RoleAdmin)
	if _, err := svc.ChangeUser(ctx, admin.ID, other.ID, accounts.UserChange{Disabled: boolPtr(true)}); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []accounts.UserChange{{Role: rolePtr(accounts.RoleInstructor)}, {Disabled: boolPtr(true)}} {
		if _, err := svc.ChangeUser(ctx, other.ID, admin.ID, ch); !errors.Is(err, accounts.ErrLastAdmin) {
			t.Errorf("removing the last admin %+v: %v", ch, err)
		}
	}
	if u, err := svc.ChangeUser(ctx, admin.ID, other.ID, accounts.UserChange{Disabled: boolPtr(false)}); err != nil || u.Disabled() {
		t.Fatalf("enabling: %+v %v", u, err)
	}
	if u, err := svc.ChangeUser(ctx, other.ID, admin.ID, accounts.UserChange{Role: rolePtr(accounts.RolePartner)}); err != nil || u.Role != accounts.RolePartner {
		t.Fatalf("with two admins one may go: %+v %v", u, err)
	}
}

func TestDisablingEndsSessionsAndSignIn(t *testing.T) {
	svc, _ := newService(t, false)
	admin := mustUser(t, svc, "admin@range.test", accounts.RoleAdmin)
	alice := mustUser(t, svc, "alice@range.test", accounts.RoleTrainee)
	token, err := svc.StartSession(ctx, alice, accounts.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ChangeUser(ctx, admin.ID, alice.ID, accounts.UserChange{Disabled: boolPtr(true)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Refresh(ctx, token, accounts.Client{}); !errors.Is(err, accounts.ErrSessionInvalid) {
		t.Fatalf("a disabled account's session refreshed: %v", err)
	}
	if _, err := svc.Authenticate(ctx, "alice@range.test", "long enough password"); !errors.Is(err, accounts.ErrAccountDisabled) {
		t.Fatalf("a disabled account signed in: %v", err)
	}
	if _, err := svc.ChangeUser(ctx, admin.ID, alice.ID, accounts.UserChange{Disabled: boolPtr(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, "alice@range.test", "long enough password"); err != nil {
		t.Fatalf("an enabled account cannot sign in: %v", err)
	}
}

func TestSearchUsers(t *testing.T) {
	svc, _ := newService(t, false)
	mustUser(t, svc, "alice@range.test", accounts.RoleTrainee)
	mustUser(t, svc, "bob@range.test", accounts.RoleTrainee)
	mustUser(t, svc, "under_score@range.test", accounts.RoleTrainee)
	for _, c := range []struct {
		search string
		want   int64
	}{{"", 3}, {"ALICE", 1}, {"range.test", 3}, {"_", 1}, {"%", 0}, {"nobody", 0}} {
		list, total, err := svc.Users(ctx, accounts.UserQuery{Search: c.search})
		if err != nil || total != c.want || int64(len(list)) != c.want {
			t.Errorf("search %q: %d of %d, %v; want %d", c.search, len(list), total, err, c.want)
		}
	}
	if list, total, _ := svc.Users(ctx, accounts.UserQuery{Limit: 1, Offset: 1}); len(list) != 1 || total != 3 {
		t.Errorf("a page: %d of %d", len(list), total)
	}
	if _, _, err := svc.Users(ctx, accounts.UserQuery{Search: string(make([]byte, 300))}); err == nil {
		t.Error("a search longer than any email was taken")
	}
}

func TestInvitesInBulkListedAndRevoked(t *testing.T) {
	svc, clk := newService(t, false)
	admin := mustUser(t, svc, "admin@range.test", accounts.RoleAdmin)
	teacher := mustUser(t, svc, "teach@range.test", accounts.RoleInstructor)

	// All or none: one bad entry refuses the batch, naming its place.
	_, _, err := svc.CreateInvites(ctx, teacher, []accounts.NewInvite{{Role: accounts.RoleTrainee, Email: "a@range.test"}, {Role: accounts.RoleTrainee, Email: "not an email"}})
	if f, ok := asFault(err); !ok || f.Field != "1.email" {
		t.Fatalf("a bad entry: %v", err)
	}
	if _, _, err := svc.CreateInvites(ctx, teacher, []accounts.NewInvite{{Role: accounts.RoleAdmin}}); !errors.Is(err, accounts.ErrInviteRoleNotYours) {
		t.Fatalf("an instructor invited an admin: %v", err)
	}
	if _, _, err := svc.CreateInvites(ctx, teacher, nil); err == nil {
		t.Fatal("an empty batch was taken")
	}
	if _, _, err := svc.CreateInvites(ctx, teacher, make([]accounts.NewInvite, accounts.MaxInvitesAtOnce+1)); err == nil {
		t.Fatal("an oversized batch was taken")
	}
	if list, _ := svc.Invites(ctx, admin); len(list) != 0 {
		t.Fatalf("a refused batch left %d invites", len(list))
	}

	invites, codes, err := svc.CreateInvites(ctx, teacher, []accounts.NewInvite{{Role: accounts.RoleTrainee, Email: "a@range.test"}, {Role: accounts.RoleTrainee, Email: "b@range.test"}})
	if err != nil || len(codes) != 2 || codes[0] == codes[1] {
		t.Fatalf("a batch: %v %v", codes, err)
	}
	staffInvite, _, _ := svc.CreateInvite(ctx, admin, accounts.NewInvite{Role: accounts.RoleInstructor})
	if list, _ := svc.Invites(ctx, teacher); len(list) != 2 {
		t.Fatalf("an instructor sees %d invites, want the 2 trainee invites", len(list))
	}
	if list, _ := svc.Invites(ctx, admin); len(list) != 3 || list[0].Status(clk.t) != "pending" {
		t.Fatalf("an admin sees %d invites", len(list))
	}

	// A revoked invite no longer registers anyone; revoking twice is fine.
	if _, err := svc.RevokeInvite(ctx, teacher, invites[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RevokeInvite(ctx, teacher, invites[0].ID); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}
	if _, err := svc.Register(ctx, accounts.NewUser{Email: "a@range.test", Password: "long enough password"}, codes[0]); !errors.Is(err, accounts.ErrInviteInvalid) {
		t.Fatalf("a revoked invite registered: %v", err)
	}
	if _, err := svc.RevokeInvite(ctx, teacher, staffInvite.ID); !errors.Is(err, accounts.ErrInviteRoleNotYours) {
		t.Fatalf("an instructor revoked a staff invite: %v", err)
	}
	if _, err := svc.RevokeInvite(ctx, teacher, "nope"); !errors.Is(err, accounts.ErrInviteNotFound) {
		t.Fatalf("an unknown invite: %v", err)
	}
	if _, err := svc.Register(ctx, accounts.NewUser{Email: "b@range.test", Password: "long enough password"}, codes[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RevokeInvite(ctx, teacher, invites[1].ID); !errors.Is(err, accounts.ErrInviteUsed) {
		t.Fatalf("a used invite was revoked: %v", err)
	}
	list, _ := svc.Invites(ctx, admin)
	statuses := map[string]string{}
	for _, inv := range list {
		statuses[inv.ID] = inv.Status(clk.t)
	}
	if statuses[invites[0].ID] != "revoked" || statuses[invites[1].ID] != "used" || statuses[staffInvite.ID] != "pending" {
		t.Fatalf("statuses: %v", statuses)
	}
	clk.t = clk.t.Add(8 * 24 * time.Hour)
	if staffInvite.Status(clk.t) != "expired" {
		t.Fatal("an old invite is not expired")
	}
}

func TestPasswordReset(t *testing.T) {
	svc, clk := newService(t, false)
	admin := mustUser(t, svc, "admin@range.test", accounts.RoleAdmin)
	teacher := mustUser(t, svc, "teach@range.test", accounts.RoleInstructor)
	alice := mustUser(t, svc, "alice@range.test", accounts.RoleTrainee)
	session, _ := svc.StartSession(ctx, alice, accounts.Client{})

	if _, _, err := svc.CreatePasswordReset(ctx, teacher, alice.ID); !errors.Is(err, accounts.ErrInviteRoleNotYours) {
		t.Fatalf("an instructor made a reset: %v", err)
	}
	if _, _, err := svc.CreatePasswordReset(ctx, admin, "nobody"); !errors.Is(err, accounts.ErrUserNotFound) {
		t.Fatalf("a reset for nobody: %v", err)
	}
	_, code, err := svc.CreatePasswordReset(ctx, admin, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	// A reset registers nobody; a refused password leaves it usable.
	if _, err := svc.Register(ctx, accounts.NewUser{Email: "alice@range.test", Password: "long enough password"}, code); !errors.Is(err, accounts.ErrInviteInvalid) {
		t.Fatalf("a reset code registered: %v", err)
	}
	if _, err := svc.ResetPassword(ctx, code, "short"); err == nil {
		t.Fatal("a short password was set")
	}
	if _, err := svc.ResetPassword(ctx, code, "a brand new passphrase"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, "alice@range.test", "a brand new passphrase"); err != nil {
		t.Fatalf("the new password: %v", err)
	}
	if _, err := svc.Authenticate(ctx, "alice@range.test", "long enough password"); !errors.Is(err, accounts.ErrBadCredentials) {
		t.Fatalf("the old password still works: %v", err)
	}
	if _, _, err := svc.Refresh(ctx, session, accounts.Client{}); !errors.Is(err, accounts.ErrSessionInvalid) {
		t.Fatalf("a session from before the reset lives on: %v", err)
	}
	if _, err := svc.ResetPassword(ctx, code, "yet another passphrase"); !errors.Is(err, accounts.ErrResetCodeInvalid) {
		t.Fatalf("a reset worked twice: %v", err)
	}

	// An invite to register resets nothing; an expired or revoked reset neither.
	_, invite, _ := svc.CreateInvite(ctx, admin, accounts.NewInvite{Role: accounts.RoleTrainee})
	if _, err := svc.ResetPassword(ctx, invite, "yet another passphrase"); !errors.Is(err, accounts.ErrResetCodeInvalid) {
		t.Fatalf("an invite reset a password: %v", err)
	}
	revoked, code, _ := svc.CreatePasswordReset(ctx, admin, alice.ID)
	if _, err := svc.RevokeInvite(ctx, admin, revoked.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ResetPassword(ctx, code, "yet another passphrase"); !errors.Is(err, accounts.ErrResetCodeInvalid) {
		t.Fatalf("a revoked reset worked: %v", err)
	}
	_, code, _ = svc.CreatePasswordReset(ctx, admin, alice.ID)
	clk.t = clk.t.Add(accounts.ResetTTL + time.Minute)
	if _, err := svc.ResetPassword(ctx, code, "yet another passphrase"); !errors.Is(err, accounts.ErrResetCodeInvalid) {
		t.Fatalf("an expired reset worked: %v", err)
	}
	if _, err := svc.ResetPassword(ctx, "", "yet another passphrase"); !errors.Is(err, accounts.ErrResetCodeInvalid) {
		t.Fatalf("no code: %v", err)
	}
}

func asFault(err error) (*fault.Error, bool) { return fault.As(err) }
