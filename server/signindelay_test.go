package server_test

import (
	"sync"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/server"
)

// movableClock is a clock a test moves by hand.
// movableClock is a clock a test can move, shared by the range's accounts.
type movableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movableClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *movableClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func withAccountsClock(c *movableClock) option {
	return func(_ *server.Deps, o *accounts.Options) { o.Now = c.now }
}

// docs/security.md case 12 over the API: guesses at one account, from
// however many addresses, get 429 sign_in_delayed with a Retry-After once
// the free tries are spent; the owner signs in once the wait is over.
func TestSignInsToOneAccountAreDelayed(t *testing.T) {
	clk := &movableClock{t: time.Now()}
	rg := newRange(t, withLoginLimit(1000), withAccountsClock(clk)) // the per-address limit out of the way
	rg.userWithRole("victim@range.test", accounts.RoleTrainee)
	bad := map[string]string{"email": "victim@range.test", "password": "wrong password!!"}
	good := map[string]string{"email": "victim@range.test", "password": "long enough password"}
	for range 5 {
		expect(t, rg.call("POST", "/api/v1/auth/login", bad), 401, "bad_credentials")
	}
	r := rg.call("POST", "/api/v1/auth/login", bad)
	expect(t, r, 429, "sign_in_delayed")
	if r.header.Get("Retry-After") != "1" {
		t.Fatalf("Retry-After %q, want 1", r.header.Get("Retry-After"))
	}
	expect(t, rg.call("POST", "/api/v1/auth/login", good), 429, "sign_in_delayed")
	clk.add(time.Second)
	expect(t, rg.call("POST", "/api/v1/auth/login", bad), 401, "bad_credentials")
	r = rg.call("POST", "/api/v1/auth/login", good)
	expect(t, r, 429, "sign_in_delayed")
	if r.header.Get("Retry-After") != "2" {
		t.Fatalf("Retry-After %q after the next failure, want 2", r.header.Get("Retry-After"))
	}
	clk.add(2 * time.Second)
	expect(t, rg.call("POST", "/api/v1/auth/login", good), 200, "")
	expect(t, rg.call("POST", "/api/v1/auth/login", bad), 401, "bad_credentials") // the count started again
}
