package lti

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
)

// learnLineItem keeps the line item a link's grades go to: the one the
// launch names, or, when the platform made none from the deep link's
// lineItem but offers its course's line items, one the range makes there
// (AGS) and remembers. A platform that offers neither gets no grades.
func (s *Service) learnLineItem(ctx context.Context, l Launch, link ResourceLink, cohortID string) error {
	switch {
	case l.LineItemURL != "" && l.LineItemURL != link.LineItemURL:
		link.LineItemURL = l.LineItemURL
	case l.LineItemURL == "" && link.LineItemURL == "" && l.LineItemsURL != "":
		made, err := s.createLineItem(ctx, l, link, cohortID)
		if err != nil {
			return err
		}
		link.LineItemURL = made
	default:
		return nil
	}
	return s.store.SaveLink(ctx, link)
}

// createLineItem posts a line item for the link's assignment to the
// course's line items and returns its URL.
func (s *Service) createLineItem(ctx context.Context, l Launch, link ResourceLink, cohortID string) (string, error) {
	title, _, err := s.classes.AssignmentIn(ctx, cohortID, link.AssignmentID)
	if err != nil {
		return "", err
	}
	if title == "" {
		title = "Sakimori"
	}
	token, err := s.accessToken(ctx, l.Platform, ScopeLineItem, ScopeScore)
	if err != nil {
		return "", err
	}
	body, _ := json.Marshal(map[string]any{"scoreMaximum": 100, "label": title, "resourceId": link.ResourceID, "resourceLinkId": l.LinkID})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.LineItemsURL, bytes.NewReader(body))
	if err != nil {
		return "", ErrPlatformFailed
	}
	req.Header.Set("Content-Type", "application/vnd.ims.lis.v2.lineitem+json")
	req.Header.Set("Accept", "application/vnd.ims.lis.v2.lineitem+json")
	req.Header.Set("Authorization", "Bearer "+token)
	var out struct {
		ID string `json:"id"`
	}
	if err := s.do(req, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", ErrPlatformFailed
	}
	return out.ID, nil
}
