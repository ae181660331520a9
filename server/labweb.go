package server

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
)

// Lab web targets: a lab's web app, opened in a browser tab through the
// platform. The API hands the lab's trainee (or staff) a capability URL,
// /lab-web/<capability>/, which proxies to the host and port the scenario
// declares, while the lab runs (checked on every request). What comes back is the lab's content,
// vulnerable on purpose, so it is served in a sandbox (CSP sandbox without
// allow-same-origin): it runs as an opaque origin and can reach none of
// the platform's cookies, storage or pages. The browser's cookies and
// tokens are never passed to the lab, and the lab's cookies never set.

// webPrefix is where proxied lab content is served.
const webPrefix = "/lab-web/"

// webGrantTTL bounds a capability; it also dies with its lab.
const webGrantTTL = 8 * time.Hour

var errWebGrant = fault.New(fault.NotFound, "web_link_not_found", "This lab link has expired or never existed. Open the target again from the lab page.")

type webGrant struct {
	actor   labs.Actor
	lab     string
	host    string
	port    int
	expires time.Time
}

// webGrants are the capabilities handed out; they live in this server's
// memory, so they end when it restarts (the lab page makes a new one).
type webGrants struct {
	mu     sync.Mutex
	grants map[string]webGrant
	now    func() time.Time
}

func newWebGrants() *webGrants { return &webGrants{grants: map[string]webGrant{}, now: time.Now} }

func (g *webGrants) issue(w webGrant) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	cap := base64.RawURLEncoding.EncodeToString(b)
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	for k, v := range g.grants {
		if now.After(v.expires) {
			delete(g.grants, k)
		}
	}
	w.expires = now.Add(webGrantTTL)
	g.grants[cap] = w
	return cap
}

func (g *webGrants) get(cap string) (webGrant, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	w, ok := g.grants[cap]
	if !ok || g.now().After(w.expires) {
		return webGrant{}, false
	}
	return w, true
}

type labWebAPI struct {
	labs   *labs.Service
	grants *webGrants
}

func newLabWebAPI(l *labs.Service) labWebAPI {
	return labWebAPI{labs: l, grants: newWebGrants()}
}

type webRequest struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}

type webLinkView struct {
	URL string `json:"url"`
}

// open is POST /api/v1/labs/:id/web: a link to one of the lab's web targets.
func (h labWebAPI) open(c *fiber.Ctx) error {
	var in webRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	id, err := labParam(c)
	if err != nil {
		return err
	}
	actor := actorOf(c)
	if err := h.labs.CheckWebTarget(c.UserContext(), actor, id, in.Host, in.Port); err != nil {
		return err
	}
	cap := h.grants.issue(webGrant{actor: actor, lab: id, host: in.Host, port: in.Port})
	return c.Status(fiber.StatusCreated).JSON(webLinkView{URL: webPrefix + cap + "/"})
}

// serve is /lab-web/<capability>/*: the proxy itself. Each request is
// one connection into the lab, closed after the answer.
func (h labWebAPI) serve(c *fiber.Ctx) error {
	cap := strings.Clone(c.Params("cap"))
	grant, ok := h.grants.get(cap)
	if !ok {
		return errWebGrant
	}
	if c.Params("*") == "" && !strings.HasSuffix(c.Path(), "/") {
		// The app's relative links need the trailing slash.
		return c.Redirect(webPrefix+cap+"/", fiber.StatusFound)
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), webTimeout)
	defer cancel()
	conn, err := h.labs.OpenWeb(ctx, grant.actor, grant.lab, grant.host, grant.port)
	if err != nil {
		return err
	}
	defer conn.Close()

	req := labRequest(c.Request(), c.Params("*"), grant.host, grant.port)
	w := bufio.NewWriter(conn)
	res := c.Response()
	res.Reset()
	err = req.Write(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = res.ReadLimitBody(bufio.NewReader(conn), maxWebBody)
	}
	if err != nil {
		res.Reset()
		return c.Status(fiber.StatusBadGateway).Type("html").SendString(
			"<!doctype html><title>Lab web target</title><p>The lab's " + grant.host + " did not answer on port " +
				fmt.Sprint(grant.port) + ". It may still be starting; try again in a moment.</p>")
	}
	hdr := &res.Header
	hdr.Del("Set-Cookie")
	hdr.Del("Connection")
	hdr.Set("Content-Security-Policy", "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads; frame-ancestors 'none'")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Cache-Control", "no-store")
	return nil
}

const (
	webTimeout = 30 * time.Second
	maxWebBody = 32 << 20
	// webRequestsPerMinute per link: a lab app's page and its assets,
	// clicked through by a person, with room to spare.
	webRequestsPerMinute = 600
)

// labRequest is the browser's request as it goes into the lab: to the
// target's path, one request per connection, and without the browser's
// credentials for the range (its cookies, its token) or where it came from.
func labRequest(from *fasthttp.Request, path, host string, port int) *fasthttp.Request {
	var req fasthttp.Request
	from.CopyTo(&req)
	req.SetRequestURI(upstreamPath(path, string(from.URI().QueryString())))
	req.Header.SetHost(fmt.Sprintf("%s:%d", host, port))
	for _, name := range []string{"Cookie", "Authorization", "Origin", "Referer", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-Ip"} {
		req.Header.Del(name)
	}
	req.Header.Set("Connection", "close")
	return &req
}

func upstreamPath(path, query string) string {
	u := "/" + strings.TrimPrefix(path, "/")
	if query != "" {
		u += "?" + query
	}
	return u
}
