package lti

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Register adds a platform to an organisation.
func (s *Service) Register(ctx context.Context, p Platform) (Platform, error) {
	p.Name, p.Issuer, p.ClientID = strings.TrimSpace(p.Name), strings.TrimSpace(p.Issuer), strings.TrimSpace(p.ClientID)
	var deps []string
	for _, d := range p.DeploymentIDs {
		if d = strings.TrimSpace(d); d != "" {
			deps = append(deps, d)
		}
	}
	p.DeploymentIDs = deps
	if p.OrganisationID == "" || p.Name == "" || p.Issuer == "" || p.ClientID == "" || len(deps) == 0 ||
		!webURL(p.AuthURL) || !webURL(p.TokenURL) || !webURL(p.JWKSURL) || !webURL(p.Issuer) {
		return Platform{}, ErrPlatformInvalid
	}
	p.ID, p.Revoked, p.CreatedAt = uuid.NewString(), false, s.now().UTC()
	return p, s.store.CreatePlatform(ctx, p)
}

// webURL accepts https, and http on loopback only (a platform on the
// same machine, in development and tests).
func webURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return u.Scheme == "http" && (u.Hostname() == "localhost" || ip != nil && ip.IsLoopback())
}

// Platforms lists an organisation's platforms, or every one for orgID "".
func (s *Service) Platforms(ctx context.Context, orgID string) ([]Platform, error) {
	return s.store.Platforms(ctx, orgID)
}

// Platform is one registration.
func (s *Service) Platform(ctx context.Context, id string) (Platform, error) {
	return s.store.Platform(ctx, id)
}

// Revoke stops a platform for good: its launches, deep links and grades
// are refused from now on; its links and the accounts it made remain.
func (s *Service) Revoke(ctx context.Context, id string) (Platform, error) {
	p, err := s.store.Platform(ctx, id)
	if err != nil {
		return Platform{}, err
	}
	if err := s.store.RevokePlatform(ctx, id); err != nil {
		return Platform{}, err
	}
	p.Revoked = true
	return p, nil
}

// WorkChanged tells Run that some trainee's work changed, so their grade
// reaches the LMS now rather than at the next round. It never blocks: a
// wake-up already waiting covers this change too.
func (s *Service) WorkChanged() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// Run publishes changed grades when a trainee's work changes (see
// WorkChanged) and every period besides, and syncs the rosters every
// sixty periods, until ctx ends; a platform that fails is tried again at
// the next round.
func (s *Service) Run(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for round := 0; ; {
		select {
		case <-ctx.Done():
			return
		case <-s.changed:
			if _, err := s.Publish(ctx); err != nil && log != nil {
				log.Warn("lti: publishing grades", "err", err)
			}
			continue
		case <-t.C:
			round++
		}
		if _, err := s.Publish(ctx); err != nil && log != nil {
			log.Warn("lti: publishing grades", "err", err)
		}
		if round%60 != 0 {
			continue
		}
		ps, err := s.store.Platforms(ctx, "")
		for _, p := range ps {
			if !p.Revoked {
				_, e := s.SyncRoster(ctx, p.ID)
				err = errors.Join(err, e)
			}
		}
		if err != nil && log != nil {
			log.Warn("lti: syncing rosters", "err", err)
		}
	}
}
