package xapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2/clientcredentials"
)

// Auth is how Sakimori proves itself to an LRS.
type Auth string

const (
	AuthBasic  Auth = "basic"
	AuthOAuth2 Auth = "oauth2" // client credentials grant
)

// LRS is an organisation's record store, with its secret in clear (the
// store keeps it sealed).
type LRS struct {
	Endpoint string // ends at the xAPI root; /statements and /about hang off it
	Auth     Auth
	Key      string // Basic user, or OAuth2 client id
	Secret   string
	TokenURL string // OAuth2 only
	Options
}

// Check refuses a configuration no LRS could be reached with.
func (l LRS) Check() error {
	u, err := url.Parse(l.Endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return ErrBadEndpoint
	}
	switch l.Auth {
	case AuthBasic:
	case AuthOAuth2:
		t, err := url.Parse(l.TokenURL)
		if err != nil || (t.Scheme != "https" && t.Scheme != "http") || t.Host == "" {
			return ErrBadCredentials
		}
	default:
		return ErrBadCredentials
	}
	if strings.TrimSpace(l.Key) == "" || l.Secret == "" || len(l.Key) > 512 || len(l.Secret) > 4096 {
		return ErrBadCredentials
	}
	return nil
}

var (
	ErrBadEndpoint    = errors.New("xapi: the LRS endpoint is not an http(s) URL")
	ErrBadCredentials = errors.New("xapi: the LRS credentials are incomplete")
)

// Versions: 1.0.3 unless the LRS says, at /about, that it speaks 2.0.0.
const (
	Version103 = "1.0.3"
	Version200 = "2.0.0"
)

// Reply is what an LRS answered a post with.
type Reply struct {
	Status     int
	Body       string
	RetryAfter time.Duration // from a 429's or 503's Retry-After
}

// Retryable says whether trying the same later may succeed: server errors
// and throttling. Network errors never make a Reply; they are retried too.
func (r Reply) Retryable() bool { return r.Status >= 500 || r.Status == http.StatusTooManyRequests }

// Rejected says the LRS refused the statements themselves.
func (r Reply) Rejected() bool { return r.Status >= 400 && r.Status < 500 && !r.Retryable() }

// Client posts statements to LRSs.
type Client struct{ HTTP *http.Client }

func (c Client) http(ctx context.Context, l LRS) *http.Client {
	base := c.HTTP
	if base == nil {
		base = &http.Client{Timeout: 30 * time.Second}
	}
	if l.Auth != AuthOAuth2 {
		return base
	}
	cc := clientcredentials.Config{ClientID: l.Key, ClientSecret: l.Secret, TokenURL: l.TokenURL}
	return cc.Client(context.WithValue(ctx, oauth2HTTPClient, base))
}

func (c Client) do(ctx context.Context, l LRS, method, path, version string, body []byte) (Reply, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(l.Endpoint, "/")+path, bytes.NewReader(body))
	if err != nil {
		return Reply{}, err
	}
	req.Header.Set("X-Experience-API-Version", version)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if l.Auth == AuthBasic {
		req.SetBasicAuth(l.Key, l.Secret)
	}
	resp, err := c.http(ctx, l).Do(req)
	if err != nil {
		return Reply{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<10)) // the reply is kept for the admin: enough to read, bounded
	r := Reply{Status: resp.StatusCode, Body: string(b)}
	if s := resp.Header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 {
			r.RetryAfter = time.Duration(n) * time.Second
		} else if t, err := http.ParseTime(s); err == nil {
			r.RetryAfter = time.Until(t)
		}
	}
	return r, nil
}

// Version asks the LRS's /about which xAPI versions it speaks.
func (c Client) Version(ctx context.Context, l LRS) (string, error) {
	r, err := c.do(ctx, l, http.MethodGet, "/about", Version103, nil)
	if err != nil {
		return "", err
	}
	if r.Status != http.StatusOK {
		return "", fmt.Errorf("xapi: the LRS's /about answered %d", r.Status)
	}
	var about struct {
		Version []string `json:"version"`
	}
	if err := json.Unmarshal([]byte(r.Body), &about); err != nil {
		return "", fmt.Errorf("xapi: the LRS's /about is not JSON: %w", err)
	}
	if slices.Contains(about.Version, Version200) {
		return Version200, nil
	}
	return Version103, nil
}

// Post sends statements in one request.
func (c Client) Post(ctx context.Context, l LRS, version string, statements []Statement) (Reply, error) {
	body, err := json.Marshal(statements)
	if err != nil {
		return Reply{}, err
	}
	return c.do(ctx, l, http.MethodPost, "/statements", version, body)
}
