package server_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"github.com/sakimori/sakimori/competency"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/accounts/sso"
	"github.com/sakimori/sakimori/accounts/sso/oidc"
	"github.com/sakimori/sakimori/accounts/sso/saml"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/authoring"
	"github.com/sakimori/sakimori/badges"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/cohorts/forlabs"
	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/bundle"
	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/labs/forcohorts"
	"github.com/sakimori/sakimori/labs/forscoring"
	"github.com/sakimori/sakimori/partners"
	"github.com/sakimori/sakimori/scenarios"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/server"
	"github.com/sakimori/sakimori/server/auth"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

const publicURL = "http://range.test"

// range_ is one server over a real SQLite database, with its setup code.
type range_ struct {
	t         testing.TB
	app       *fiber.App
	accounts  *accounts.Service
	cohorts   *cohorts.Service
	tokens    *auth.Tokens
	setupCode string
	db        *store.DB
	authoring *authoring.Service
}

type option func(*server.Deps, *accounts.Options)

// labsWith gives the range a lab service over its own database and d.
var labsWith func(t testing.TB, db *store.DB, d driver.Driver) *labs.Service

func withOpenRegistration(d *server.Deps, o *accounts.Options) { o.OpenRegistration = true }

func withLoginLimit(n int) option {
	return func(d *server.Deps, _ *accounts.Options) { d.Options.LoginPerMinute = n }
}

func withWriteTimeout(d time.Duration) option {
	return func(deps *server.Deps, _ *accounts.Options) { deps.Options.WriteTimeout = d }
}

func withReadTimeout(d time.Duration) option {
	return func(deps *server.Deps, _ *accounts.Options) { deps.Options.ReadTimeout = d }
}

func withTerminalGrace(d time.Duration) option {
	return func(deps *server.Deps, _ *accounts.Options) { deps.Options.TerminalGrace = d }
}

func withPublicURL(u string) option {
	return func(d *server.Deps, _ *accounts.Options) { d.Options.PublicURL = u }
}

func withLabWebDeadline(d time.Duration) option {
	return func(deps *server.Deps, _ *accounts.Options) { deps.Options.LabWebDeadline = d }
}

func withChecks(checks ...server.Check) option {
	return func(d *server.Deps, _ *accounts.Options) { d.Checks = checks }
}

// cheap keeps tests fast; production costs are exercised in the accounts tests.
var cheap = accounts.PasswordParams{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

func newRange(t testing.TB, opts ...option) *range_ {
	return newRangeWithLabs(t, nil, opts...)
}

// rangeDB opens a range's database: SQLite, unless a benchmark fills one
// of its own in bulk.
var rangeDB = func(t testing.TB) *store.DB { return storetest.Open(t, "sqlite") }

// newRangeWithLabs is newRange with the lab endpoints served over d.
func newRangeWithLabs(t testing.TB, d driver.Driver, opts ...option) *range_ {
	t.Helper()
	db := rangeDB(t)
	pw, err := accounts.NewPasswords(cheap)
	if err != nil {
		t.Fatal(err)
	}
	aopt := accounts.Options{RefreshTTL: time.Hour, PublicURL: publicURL, SealKey: testFlagKey}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	tokens, err := auth.NewTokens([]auth.Key{{ID: "k1", Private: priv}}, publicURL, 10*time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	defaults := config.Defaults()
	deps := server.Deps{
		Options: server.Options{
			PublicURL: publicURL, BodyLimit: 4096, RefreshTTL: time.Hour, LoginPerMinute: 5, Version: "test",
			LaunchPerMinute: defaults.LaunchPerMinute, SubmitPerMinute: defaults.SubmitPerMinute,
			ReadTimeout: defaults.ReadTimeout, WriteTimeout: defaults.WriteTimeout, TerminalGrace: defaults.TerminalGrace, LabWebDeadline: defaults.LabWebDeadline,
		},
		Logger:  slog.New(slog.DiscardHandler),
		Tokens:  tokens,
		Metrics: prometheus.NewRegistry(),
		Frontend: fstest.MapFS{
			"index.html":        {Data: []byte("<!doctype html><title>Sakimori</title>")},
			"assets/app-abc.js": {Data: []byte("console.log(1)")},
		},
	}
	for _, o := range opts {
		o(&deps, &aopt)
	}
	svc := accounts.NewService(db.Accounts(), pw, aopt)
	deps.Accounts = svc
	if deps.Frameworks == nil {
		deps.Frameworks = &competency.Importer{Limits: competency.DefaultImportLimits}
	}
	deps.Frameworks.Store, deps.Frameworks.Now = db.Frameworks(), time.Now
	deps.Audit = audit.NewLog(db.Audit(), nil)
	deps.Cohorts = cohorts.NewService(db.Cohorts(), svc, nil)
	deps.Messages = db.Messages()
	deps.Cohorts.UseCoursework(coursework{}, coursework{})
	deps.Cohorts.UseEvents(db.Cohorts())
	deps.Boards = scoring.NewBoards(db.Scoring(), nil)
	deps.Partners = partners.NewService(db.Partners(), deps.Cohorts, deps.Audit, []byte("test cursor key, 32 bytes long.."), nil)
	deps.SSO = sso.NewService(db.SSO(), svc, testFlagKey, nil)
	deps.SSO.UseFlow(sso.OIDC, oidc.New(deps.Options.PublicURL, nil, nil))
	deps.SSO.UseFlow(sso.SAML, saml.New(deps.Options.PublicURL, spKey, spCert, db.SSO(), nil))
	badgeSvc, err := badges.NewService(db.Badges(), deps.Options.PublicURL, "Test range", testFlagKey, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	deps.Badges = badgeSvc
	deps.LTI = ltiService(t, db, svc, deps.Cohorts, deps.Options.PublicURL)
	deps.XAPI = xapiService(t, db, deps.Cohorts, deps.Audit)
	deps.Authoring = authoring.NewService(db.Authoring(), bundle.DefaultLimits, time.Now)
	deps.Templates = scenarios.Templates()
	deps.Authoring.UseImages([]string{"sakimori-lab/base:latest", "sakimori-lab/cloud:latest", "sakimori-lab/workstation:latest"})
	deps.Authoring.UseBuiltIns(scenarios.Files())
	if d != nil {
		deps.Labs = labsWith(t, db, d)
		deps.Scoring = scoring.NewService(forscoring.New(db.Labs(), deps.Labs.Catalogue(), testFlagKey, d), db.Scoring(), nil)
		// With labs, assignments follow the real catalogue and records, and
		// late solves their policies.
		cw := forcohorts.New(forscoring.New(db.Labs(), deps.Labs.Catalogue(), testFlagKey, d), db.Labs(), db.Scoring())
		deps.Cohorts.UseCoursework(cw, cw)
		deps.Scoring.UseDeadlines(deps.Cohorts)
		deps.Labs.UseReserves(forlabs.New(deps.Cohorts))
		deps.Labs.Catalogue().UseAuthored(func(id string) (*labs.Scenario, error) {
			return deps.Authoring.LabScenario(context.Background(), id)
		})
	}
	code, err := svc.NewSetupCode(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	app, err := server.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	return &range_{t: t, app: app, accounts: svc, cohorts: deps.Cohorts, tokens: tokens, setupCode: code, db: db, authoring: deps.Authoring}
}

// listen serves the app on a loopback port for cases app.Test cannot show
// (fasthttp refusing a request before routing), and returns its base URL.
func (rg *range_) listen() string {
	rg.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		rg.t.Fatal(err)
	}
	go func() { _ = rg.app.Listener(ln) }()
	rg.t.Cleanup(func() { _ = rg.app.ShutdownWithTimeout(5 * time.Second) }) // a request stuck in a handler fails its test, not the run
	return "http://" + ln.Addr().String()
}

// send makes a real HTTP request and decodes the reply.
func send(t testing.TB, req *http.Request) reply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// reply is a decoded response.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (r reply) errorCode() string {
	e, _ := r.body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func (r reply) errorField() string {
	e, _ := r.body["error"].(map[string]any)
	f, _ := e["field"].(string)
	return f
}

func (r reply) cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// call sends one request. body may be a string (sent as is) or a value
// (sent as JSON); headers are name/value pairs.
func (rg *range_) call(method, path string, body any, headers ...string) reply {
	rg.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = strings.NewReader(b), "application/json"
	default:
		data, _ := json.Marshal(b)
		rd, ctype = strings.NewReader(string(data)), "application/json"
	}
	req := httptest.NewRequest(method, path, rd)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Host" { // net/http sends req.Host, not the header
			req.Host = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := rg.app.Test(req, -1)
	if err != nil {
		rg.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// setupAdmin completes first-run setup and returns the admin's access token.
func (rg *range_) setupAdmin() string {
	rg.t.Helper()
	r := rg.call("POST", "/api/v1/setup", map[string]string{
		"setup_code": rg.setupCode, "email": "admin@range.test", "password": "correct horse battery",
	})
	if r.status != 201 {
		rg.t.Fatalf("setup: %d %s", r.status, r.raw)
	}
	return r.body["access_token"].(string)
}

// userWithRole makes an account directly and signs it in.
func (rg *range_) userWithRole(email string, role accounts.Role) (token string, refresh *http.Cookie) {
	rg.t.Helper()
	_, err := rg.accounts.CreateUser(context.Background(), accounts.NewUser{Email: email, Password: "long enough password", Role: role})
	if err != nil {
		rg.t.Fatal(err)
	}
	r := rg.call("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "long enough password"})
	if r.status != 200 {
		rg.t.Fatalf("login %s: %d %s", email, r.status, r.raw)
	}
	return r.body["access_token"].(string), r.cookie("sakimori_refresh")
}

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

func withCookie(c *http.Cookie, more ...string) []string {
	return append([]string{"Cookie", c.Name + "=" + c.Value}, more...)
}

// expect checks a reply's status and, if given, its error code.
func expect(t testing.TB, r reply, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.raw)
	}
	if code != "" && r.errorCode() != code {
		t.Fatalf("error code %q, want %q; body %s", r.errorCode(), code, r.raw)
	}
}

// apiCase is one request and what must come back, for the many cases that
// share that shape; long stories stay written as stories.
type apiCase struct {
	name    string
	method  string
	url     string
	body    any    // a string is sent as is, anything else as JSON
	token   string // sent as a bearer token, if set
	status  int
	code    string   // the error code, for an error
	has     []string // in the body
	hasNot  []string // not in the body
	headers []string // more request headers, name/value pairs
}

// check runs each case as a subtest.
func (rg *range_) check(t *testing.T, cases []apiCase) {
	t.Helper()
	outer := rg.t
	defer func() { rg.t = outer }()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			headers := c.headers
			if c.token != "" {
				headers = append(bearer(c.token), headers...)
			}
			rg.t = t
			r := rg.call(c.method, c.url, c.body, headers...)
			expect(t, r, c.status, c.code)
			for _, want := range c.has {
				if !strings.Contains(r.raw, want) {
					t.Errorf("the body lacks %q: %s", want, r.raw)
				}
			}
			for _, unwanted := range c.hasNot {
				if strings.Contains(r.raw, unwanted) {
					t.Errorf("the body has %q: %s", unwanted, r.raw)
				}
			}
		})
	}
}
