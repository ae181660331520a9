package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

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
// tokens are never passed to the lab, and the lab's cookies never set:
// headers both ways pass through allow lists.

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
	labs     *labs.Service
	grants   *webGrants
	load     webLoad
	deadline time.Duration // for one proxied request, its answer included
}

func newLabWebAPI(l *labs.Service, deadline time.Duration) labWebAPI {
	return labWebAPI{labs: l, grants: newWebGrants(), load: newWebLoad(), deadline: deadline}
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
	actor, err := actorOf(c)
	if err != nil {
		return err
	}
	if err := h.labs.CheckWebTarget(c.UserContext(), actor, id, in.Host, in.Port); err != nil {
		return err
	}
	cap := h.grants.issue(webGrant{actor: actor, lab: id, host: in.Host, port: in.Port})
	return c.Status(fiber.StatusCreated).JSON(webLinkView{URL: webPrefix + cap + "/"})
}

const webGrantKey = "sakimori.web_grant"

// admit resolves the link's capability to its grant, for the limits and
// the proxy after it.
func (h labWebAPI) admit(c *fiber.Ctx) error {
	grant, ok := h.grants.get(strings.Clone(c.Params("cap")))
	if !ok {
		return errWebGrant
	}
	c.Locals(webGrantKey, grant)
	return c.Next()
}

func grantOf(c *fiber.Ctx) webGrant {
	g, _ := c.Locals(webGrantKey).(webGrant)
	return g
}

// serve is /lab-web/<capability>/*: the proxy itself. Each request is one
// exec into the lab, counted against the person's and the lab's limits
// until its answer has been sent, the browser has gone, or the deadline
// has passed, whichever comes first; the exec ends then.
func (h labWebAPI) serve(c *fiber.Ctx) error {
	grant := grantOf(c)
	if c.Params("*") == "" && !strings.HasSuffix(c.Path(), "/") {
		// The app's relative links need the trailing slash.
		return c.Redirect(webPrefix+strings.Clone(c.Params("cap"))+"/", fiber.StatusFound)
	}
	done, err := h.load.begin(grant)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.deadline)
	conn, err := h.labs.OpenWeb(ctx, grant.actor, grant.lab, grant.host, grant.port)
	if err != nil {
		cancel()
		done()
		return err
	}
	up := newUpstream(ctx, conn, func() { cancel(); done() })
	answer, err := up.exchange(labRequest(c.Request(), c.Params("*"), grant.host, grant.port))
	if err != nil {
		late := ctx.Err() != nil
		up.Close()
		return unanswered(c, grant, late)
	}
	answer.writeTo(c.Response(), up)
	return nil
}

// unanswered is the page shown in the lab's tab when its target did not
// answer, or not in time.
func unanswered(c *fiber.Ctx, grant webGrant, late bool) error {
	c.Response().Reset()
	status, what := fiber.StatusBadGateway, "did not answer on port "+fmt.Sprint(grant.port)+". It may still be starting; try again in a moment."
	if late {
		status, what = fiber.StatusGatewayTimeout, "did not answer on port "+fmt.Sprint(grant.port)+" in time."
	}
	return c.Status(status).Type("html").SendString(
		"<!doctype html><title>Lab web target</title><p>The lab's " + html.EscapeString(grant.host) + " " + what + "</p>")
}

const (
	maxWebBody = 32 << 20 // a response is cut here
	// webRequestsPerMinute per person: a lab app's page and its assets,
	// clicked through by a person, with room to spare.
	webRequestsPerMinute = 600
)
