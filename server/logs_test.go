package server_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/labs/driver/drivertest"
	"github.com/sakimori/sakimori/server"
)

// logBuffer keeps every log line the server writes, at every level.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func withLogTo(b *logBuffer) option {
	return func(d *server.Deps, _ *accounts.Options) {
		d.Logger = slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
}

// docs/security.md, Web and API: no secret a request carries, in its
// path, its query, its headers or its cookies, reaches a log line, on
// success or failure. A lab web link is a bearer secret for hours.
func TestNoSecretReachesTheLog(t *testing.T) {
	var logs logBuffer
	f := fakeLabs()
	var web labWebServer
	web.install(f)
	rg := newRangeWithLabs(t, f, withLogTo(&logs))
	alice, refresh := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	lab := runningLab(t, rg, alice)
	r := rg.call("POST", "/api/v1/labs/"+lab+"/web", map[string]any{"host": "web", "port": 8080}, bearer(alice)...)
	expect(t, r, 201, "")
	link := r.body["url"].(string)
	capability := strings.TrimSuffix(strings.TrimPrefix(link, "/lab-web/"), "/")
	ticket := rg.call("POST", "/api/v1/labs/"+lab+"/terminal", nil, bearer(alice)...).body["ticket"].(string)

	expect(t, rg.call("GET", link+"status", nil, withCookie(refresh, bearer(alice)...)...), 200, "")
	expect(t, rg.call("GET", strings.TrimSuffix(link, "/"), nil), 302, "")
	expect(t, rg.call("GET", strings.ToUpper("/lab-web/")+capability+"/status", nil), 200, "")
	expect(t, rg.call("GET", "//lab-web/"+capability+"/status?ticket="+ticket, nil), 200, "")
	expect(t, rg.call("GET", "/api/v1/labs/"+lab+"/terminal/ws?ticket="+ticket, nil), 400, "websocket_required")
	expect(t, rg.call("POST", "/api/v1/auth/refresh", nil, withCookie(refresh)...), 200, "")
	f.Fail(drivertest.OpExec, errors.New("the engine is down"))
	expect(t, rg.call("GET", link+"status", nil), 500, "internal") // logged with its path

	out := logs.String()
	for name, secret := range map[string]string{
		"the link's capability": capability, "the access token": alice, "the refresh cookie": refresh.Value, "the terminal ticket": ticket,
	} {
		if strings.Contains(out, secret) {
			t.Errorf("%s reached the log:\n%s", name, out)
		}
	}
	if !strings.Contains(out, `"path":"/lab-web/`) || !strings.Contains(out, "request failed") {
		t.Fatalf("test bug: the proxied requests were not logged:\n%s", out)
	}
}
