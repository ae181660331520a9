package main

import "net/url"

// badgeIssuerName is the issuer's name on every badge: the range, by the
// host people reach it at.
func badgeIssuerName(publicURL string) string {
	if u, err := url.Parse(publicURL); err == nil && u.Host != "" {
		return "Sakimori cyber range at " + u.Host
	}
	return "Sakimori cyber range"
}
