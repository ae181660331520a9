package sso

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/fault"
)

// Start is where to send a person, and the request's id, which the web
// layer also keeps in the person's browser so that only the browser that
// started a sign-in can finish it.
type Start struct {
	RedirectURL string
	State       string
}

// Begin starts a sign-in through a provider. linkUserID, when set, links
// the provider to that (signed-in) account instead of signing in.
// returnTo is a path on the range to land on afterwards.
func (s *Service) Begin(ctx context.Context, providerID, linkUserID, returnTo string) (Start, error) {
	p, err := s.store.Provider(ctx, providerID)
	if err != nil {
		return Start{}, err
	}
	if !p.Enabled {
		return Start{}, ErrProviderOff
	}
	flow, ok := s.flows[p.Protocol]
	if !ok {
		return Start{}, ErrProviderOff
	}
	secret, err := s.secret(p)
	if err != nil {
		return Start{}, err
	}
	now := s.now().UTC()
	r := Request{ID: NewSecret(), ProviderID: p.ID, LinkUserID: linkUserID, ReturnTo: safePath(returnTo),
		CreatedAt: now, ExpiresAt: now.Add(requestTTL)}
	to, err := flow.Begin(ctx, p, secret, &r)
	if err != nil {
		return Start{}, s.fail(ctx, p, err)
	}
	if err := s.store.SaveRequest(ctx, r); err != nil {
		return Start{}, err
	}
	return Start{RedirectURL: to, State: r.ID}, nil
}

// Outcome is a finished sign-in: the account, whether it was only linked,
// and where to land.
type Outcome struct {
	User     accounts.User
	Provider Provider
	Linked   bool
	ReturnTo string
	IDToken  string
	// MultiFactor: the provider asserted a multi-factor sign-in.
	MultiFactor bool
}

// Finish completes a sign-in with what the provider sent back. state is
// the request's id as the provider returned it; browserState is the one
// the person's browser kept. Every refusal is recorded for the
// organisation's admins and leaves no account made or changed.
func (s *Service) Finish(ctx context.Context, state, browserState string, reply url.Values) (Outcome, error) {
	if state == "" || state != browserState {
		return Outcome{}, ErrRequestUnknown
	}
	r, err := s.store.TakeRequest(ctx, state)
	if err != nil {
		return Outcome{}, err
	}
	if !s.now().Before(r.ExpiresAt) {
		return Outcome{}, ErrRequestUnknown
	}
	p, err := s.store.Provider(ctx, r.ProviderID)
	if err != nil {
		return Outcome{}, err
	}
	out, err := s.finish(ctx, p, r, reply)
	if err != nil {
		return Outcome{}, s.fail(ctx, p, err)
	}
	return out, nil
}

func (s *Service) finish(ctx context.Context, p Provider, r Request, reply url.Values) (Outcome, error) {
	if !p.Enabled {
		return Outcome{}, ErrProviderOff
	}
	flow, ok := s.flows[p.Protocol]
	if !ok {
		return Outcome{}, ErrProviderOff
	}
	secret, err := s.secret(p)
	if err != nil {
		return Outcome{}, err
	}
	c, err := flow.Finish(ctx, p, secret, r, reply)
	if err != nil {
		return Outcome{}, err
	}
	if c.Issuer == "" || c.Subject == "" {
		return Outcome{}, ErrSubjectMissing
	}
	out := Outcome{Provider: p, ReturnTo: r.ReturnTo, IDToken: c.IDToken, MultiFactor: c.MultiFactor}
	if r.LinkUserID != "" {
		out.User, err = s.link(ctx, p, r.LinkUserID, c)
		out.Linked = true
	} else {
		out.User, err = s.admit(ctx, p, c)
	}
	return out, err
}

// admit signs in the person the claims name: the account linked to
// (issuer, subject), or a new one placed in the provider's organisation.
func (s *Service) admit(ctx context.Context, p Provider, c Claims) (accounts.User, error) {
	id, ok, err := s.store.Identity(ctx, c.Issuer, c.Subject)
	if err != nil {
		return accounts.User{}, err
	}
	if ok {
		u, err := s.accounts.User(ctx, id.UserID)
		if err != nil {
			return accounts.User{}, err
		}
		if u.Disabled() {
			return accounts.User{}, accounts.ErrAccountDisabled
		}
		return s.place(ctx, p, u, c)
	}
	if err := checkEmail(p, c); err != nil {
		return accounts.User{}, err
	}
	role := accounts.RoleTrainee
	if p.instructor(c) {
		role = accounts.RoleInstructor
	}
	now := s.now().UTC()
	// The account, its link and its membership are one transaction: a link
	// that fails (the same person's sign-in racing this one) leaves no
	// account behind that nobody could sign in to.
	link := func(ctx context.Context, tx accounts.Store, u accounts.User) error {
		l, ok := tx.(Links)
		if !ok {
			return errors.New("sso: the accounts store cannot link identities in its transaction")
		}
		if err := l.CreateIdentity(ctx, Identity{Issuer: c.Issuer, Subject: c.Subject, UserID: u.ID, ProviderID: p.ID, CreatedAt: now, LastUsedAt: now}); err != nil {
			return err
		}
		return l.PlaceMember(ctx, p.OrganisationID, u.ID, role == accounts.RoleInstructor, now)
	}
	u, err := s.accounts.CreateExternalUser(ctx, accounts.ExternalUser{Email: c.Email, DisplayName: c.DisplayName, Role: role, Then: link})
	if errors.Is(err, accounts.ErrEmailTaken) {
		return accounts.User{}, ErrEmailInUse
	}
	if err != nil {
		return accounts.User{}, err
	}
	return u, nil
}

// place keeps a returning person in the organisation and applies the
// role mapping. For an account the provider manages (made by a sign-in,
// with no password) the mapped role is applied both ways, in the range
// and in the organisation, so someone who left the faculty is no longer
// an instructor; an account with a password is only ever raised. Admins'
// and partners' roles are never touched.
func (s *Service) place(ctx context.Context, p Provider, u accounts.User, c Claims) (accounts.User, error) {
	now := s.now().UTC()
	instructor := p.instructor(c)
	mapped := accounts.RoleTrainee
	if instructor {
		mapped = accounts.RoleInstructor
	}
	was := u.Role
	u, err := s.accounts.ApplyMappedRole(ctx, u, mapped)
	if err != nil {
		return accounts.User{}, err
	}
	if err := s.store.TouchIdentity(ctx, c.Issuer, c.Subject, now); err != nil {
		return accounts.User{}, err
	}
	if was == accounts.RoleInstructor && u.Role == accounts.RoleTrainee {
		if err := s.store.LowerMember(ctx, p.OrganisationID, u.ID); err != nil {
			return accounts.User{}, err
		}
	}
	return u, s.store.PlaceMember(ctx, p.OrganisationID, u.ID, instructor && u.Role != accounts.RoleTrainee, now)
}

// link ties (issuer, subject) to a signed-in account. The email the
// provider sends is not compared with the account's: the person proved
// both by signing in to each.
func (s *Service) link(ctx context.Context, p Provider, userID string, c Claims) (accounts.User, error) {
	u, err := s.accounts.User(ctx, userID)
	if err != nil {
		return accounts.User{}, err
	}
	if u.Disabled() {
		return accounts.User{}, accounts.ErrAccountDisabled
	}
	id, ok, err := s.store.Identity(ctx, c.Issuer, c.Subject)
	if err != nil {
		return accounts.User{}, err
	}
	if ok && id.UserID != userID {
		return accounts.User{}, ErrIdentityTaken
	}
	if !ok {
		if !p.domainAllowed(c.Email) && c.Email != "" {
			return accounts.User{}, ErrDomainNotAllowed
		}
		now := s.now().UTC()
		if err := s.store.CreateIdentity(ctx, Identity{Issuer: c.Issuer, Subject: c.Subject, UserID: u.ID, ProviderID: p.ID, CreatedAt: now, LastUsedAt: now}); err != nil {
			return accounts.User{}, err
		}
	}
	return s.place(ctx, p, u, c)
}

// checkEmail decides whether a new account may be made from the claims.
func checkEmail(p Provider, c Claims) error {
	if c.Email == "" || !c.EmailVerified {
		return ErrEmailMissing
	}
	if !p.domainAllowed(c.Email) {
		return ErrDomainNotAllowed
	}
	return nil
}

// fail records a refusal for the provider's admins and returns it. A
// refusal that is no fault (a database error) is recorded as internal.
func (s *Service) fail(ctx context.Context, p Provider, err error) error {
	f := Failure{ID: newID(), ProviderID: p.ID, At: s.now().UTC(), Code: "internal", Message: "The range failed; see its log.", Detail: truncate(err.Error(), 1000)}
	if fe, ok := fault.As(err); ok && fe.Kind != fault.Internal {
		f.Code, f.Message = fe.Code, fe.Message
		f.Detail = ""
		if fe.Err != nil {
			f.Detail = truncate(fe.Err.Error(), 1000)
		}
	}
	if rerr := s.store.RecordFailure(ctx, f); rerr != nil {
		return errors.Join(err, rerr)
	}
	return err
}

// LogoutURL is where to send a person signing out who signed in through
// p, or "" when p does not ask for it.
func (s *Service) LogoutURL(ctx context.Context, providerID, idToken, returnTo string) (string, error) {
	p, err := s.store.Provider(ctx, providerID)
	if err != nil {
		return "", err
	}
	lo, ok := s.flows[p.Protocol].(Logouts)
	if !p.Logout || !ok {
		return "", nil
	}
	return lo.LogoutURL(ctx, p, idToken, returnTo)
}

// safePath keeps only a path on the range, so a sign-in never ends on
// another site.
func safePath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") || len(p) > 512 {
		return "/"
	}
	return p
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
