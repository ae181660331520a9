package lti

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// accessToken asks the platform's token endpoint for an AGS token by the
// client-credentials grant, proving the range is the client with a JWT
// signed by its current key. A revoked platform is asked for nothing.
func (s *Service) accessToken(ctx context.Context, p Platform, scopes ...string) (string, error) {
	if p.Revoked {
		return "", ErrPlatformRevoked
	}
	now := s.now()
	assertion, err := s.sign(ctx, map[string]any{
		"iss": p.ClientID, "sub": p.ClientID, "aud": []string{p.TokenURL}, "iat": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(), "jti": uuid.NewString(),
	})
	if err != nil {
		return "", err
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
		"scope":                 {strings.Join(scopes, " ")},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := s.do(req, &out); err != nil {
		return "", err
	}
	return out.AccessToken, nil
}

// do sends req and decodes a 2xx JSON reply into out (if any).
func (s *Service) do(req *http.Request, out any) error {
	_, err := s.doPaged(req, out)
	return err
}

// doPaged is do that also returns the reply's rel="next" link, if any.
func (s *Service) doPaged(req *http.Request, out any) (string, error) {
	resp, err := s.http.Do(req)
	if err != nil {
		return "", errors.Join(ErrPlatformFailed, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode/100 != 2 {
		return "", errors.Join(ErrPlatformFailed, fmt.Errorf("%s %s: %d %s", req.Method, req.URL, resp.StatusCode, body))
	}
	next := ""
	if m := nextPage.FindStringSubmatch(resp.Header.Get("Link")); m != nil {
		next = m[1]
	}
	if out == nil {
		return next, nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return "", errors.Join(ErrPlatformFailed, err)
	}
	return next, nil
}

// PublishPlatform sends one platform's changed grades now.
func (s *Service) PublishPlatform(ctx context.Context, platformID string) (int, error) {
	p, err := s.store.Platform(ctx, platformID)
	if err != nil {
		return 0, err
	}
	if p.Revoked {
		return 0, ErrPlatformRevoked
	}
	links, err := s.store.GradedLinks(ctx)
	if err != nil {
		return 0, err
	}
	var mine []ResourceLink
	for _, l := range links {
		if l.PlatformID == p.ID {
			mine = append(mine, l)
		}
	}
	return s.publish(ctx, p, mine)
}

// Publish sends every grade that changed since it was last sent, to every
// platform not revoked: a trainee's work changing shows in their LMS's
// gradebook at the next call. It returns how many grades it sent.
func (s *Service) Publish(ctx context.Context) (int, error) {
	links, err := s.store.GradedLinks(ctx)
	if err != nil {
		return 0, err
	}
	byPlatform := map[string][]ResourceLink{}
	for _, l := range links {
		byPlatform[l.PlatformID] = append(byPlatform[l.PlatformID], l)
	}
	sent := 0
	var errs []error
	for id, ls := range byPlatform {
		p, err := s.store.Platform(ctx, id)
		if err != nil || p.Revoked {
			continue
		}
		n, err := s.publish(ctx, p, ls)
		sent += n
		errs = append(errs, err)
	}
	return sent, errors.Join(errs...)
}

func (s *Service) publish(ctx context.Context, p Platform, links []ResourceLink) (int, error) {
	s.publishing.Lock()
	defer s.publishing.Unlock()
	token := ""
	sent := 0
	for _, l := range links {
		scores, err := s.classes.Progress(ctx, l.AssignmentID)
		if err != nil {
			return sent, err
		}
		for _, sc := range scores {
			sub, ok, err := s.store.Subject(ctx, p.Issuer, sc.UserID)
			if err != nil {
				return sent, err
			}
			if !ok || sc.Required == 0 {
				continue
			}
			g := Grade{LineItemURL: l.LineItemURL, UserID: sc.UserID, Given: sc.Solved * 100 / sc.Required, Maximum: 100}
			last, had, err := s.store.Grade(ctx, l.LineItemURL, sc.UserID)
			if err != nil {
				return sent, err
			}
			if had && last.Given == g.Given || !had && g.Given == 0 && !sc.Done {
				continue // unchanged, or nothing done yet: the gradebook stays empty
			}
			if token == "" {
				if token, err = s.accessToken(ctx, p, ScopeLineItem, ScopeScore); err != nil {
					return sent, err
				}
			}
			if err := s.postScore(ctx, token, l.LineItemURL, sub, g, sc.Done); err != nil {
				return sent, err
			}
			if err := s.store.SaveGrade(ctx, g); err != nil {
				return sent, err
			}
			sent++
		}
	}
	return sent, nil
}

// postScore posts one score to the line item's scores service.
func (s *Service) postScore(ctx context.Context, token, lineItem, subject string, g Grade, done bool) error {
	activity, grading := "InProgress", "Pending"
	if done {
		activity, grading = "Completed", "FullyGraded"
	}
	body, _ := json.Marshal(map[string]any{
		"userId": subject, "scoreGiven": g.Given, "scoreMaximum": g.Maximum, "activityProgress": activity,
		"gradingProgress": grading, "timestamp": s.now().UTC().Format(time.RFC3339Nano),
	})
	u, err := url.Parse(lineItem)
	if err != nil {
		return errors.Join(ErrPlatformFailed, err)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/scores"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/vnd.ims.lis.v1.score+json")
	req.Header.Set("Authorization", "Bearer "+token)
	return s.do(req, nil)
}
