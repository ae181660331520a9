// Package fetcher is the Metadata Heist's vulnerable application, served
// by its instance host (sakimori-sim instance -app fetcher). It is
// vulnerable on purpose, in the way the real incident's was, and can be
// fixed the way a defender would fix it.
package fetcher

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Fetcher is a "link preview" web app that fetches any URL it is given,
// from the server: the server-side request forgery at the start of the
// Capital One breach. It refuses nothing until its operator sets a deny
// list through its admin API, and then checks the address it actually
// connects to (not the name in the URL), so DNS tricks do not get round it.
type Fetcher struct {
	AdminToken string
	mu         sync.Mutex
	deny       []netip.Prefix
	client     *http.Client
}

// New makes the app.
func New(adminToken string) *Fetcher {
	f := &Fetcher{AdminToken: adminToken}
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: f.control}
	f.client = &http.Client{
		Timeout: 10 * time.Second,
		// No kept-alive connections: every fetch dials, so every fetch
		// meets the deny list, even one set after the last fetch.
		Transport: &http.Transport{DialContext: dialer.DialContext, Proxy: nil, DisableKeepAlives: true},
	}
	return f
}

// errRefused marks a destination the deny list refuses.
type errRefused struct{ addr string }

func (e errRefused) Error() string { return "refused: " + e.addr + " is not an allowed destination" }

func (f *Fetcher) control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.deny {
		if p.Contains(a.Unmap()) {
			return errRefused{a.String()}
		}
	}
	return nil
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme Link Preview</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}input{width:70%;padding:.4rem}pre{background:#f4f4f4;padding:1rem;white-space:pre-wrap}</style></head>
<body><h1>Acme Link Preview</h1><p>Paste a link and we will fetch a preview for you.</p>
<form action="fetch" method="get"><label>URL <input name="url" value="{{.}}" placeholder="http://example.com/"></label> <button>Preview</button></form>
<footer><p><a href="docs">API documentation</a></p></footer>
</body></html>`))

// robots is what the app asks crawlers to leave alone, which, as on many
// real sites, tells everyone else where its admin interface is.
const robots = "User-agent: *\nDisallow: /admin/\nDisallow: /fetch\n"

// docs is the app's API page, as operators of such apps publish it.
const docs = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme Link Preview: API</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}code,pre{background:#f4f4f4}pre{padding:1rem}</style></head>
<body><h1>Acme Link Preview API</h1>
<h2>GET /fetch?url=URL</h2><p>Fetches URL from our servers and returns its body as plain text.</p>
<h2>GET /healthz</h2><p>Liveness.</p>
<h2>Operators</h2>
<p>These take the operator's admin token: <code>Authorization: Bearer TOKEN</code>.</p>
<h3>GET /admin/fetch-policy</h3><p>The destinations the app refuses to fetch.</p>
<h3>PUT /admin/fetch-policy</h3><p>Sets them: addresses or CIDR ranges, checked against the address the app connects to.</p>
<pre>{"deny": ["192.0.2.0/24", "2001:db8::/32"]}</pre>
</body></html>
`

func (f *Fetcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = page.Execute(w, "")
	case "/fetch":
		f.fetch(w, r)
	case "/healthz":
		_, _ = io.WriteString(w, "ok\n")
	case "/robots.txt":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, robots)
	case "/docs":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, docs)
	case "/admin", "/admin/":
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"endpoints": ["/admin/fetch-policy"], "docs": "/docs"}`+"\n")
	case "/admin/fetch-policy":
		f.admin(w, r)
	default:
		http.NotFound(w, r)
	}
}

// fetch previews a URL: GET only, no headers of the caller's passed on
// (which is why IMDSv2's PUT-with-header token step defeats it), and the
// upstream's status and body handed back as they came.
func (f *Fetcher) fetch(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("url")
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		http.Error(w, "give a url starting with http:// or https://", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		http.Error(w, "bad url: "+err.Error(), http.StatusBadRequest)
		return
	}
	req.Header.Set("User-Agent", "AcmeLinkPreview/1.4")
	resp, err := f.client.Do(req)
	if err != nil {
		var refused errRefused
		if errors.As(err, &refused) {
			http.Error(w, refused.Error(), http.StatusForbidden)
			return
		}
		http.Error(w, "could not fetch: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, io.LimitReader(resp.Body, 256<<10))
}

// admin reads (GET) or sets (PUT {"deny": ["169.254.0.0/16"]}) the
// destinations the app refuses. It takes the operator's bearer token.
func (f *Fetcher) admin(w http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if f.AdminToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(f.AdminToken)) != 1 {
		http.Error(w, "admin token required (Authorization: Bearer ...)", http.StatusUnauthorized)
		return
	}
	switch r.Method {
	case http.MethodGet:
	case http.MethodPut:
		var in struct {
			Deny []string `json:"deny"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&in); err != nil {
			http.Error(w, `body must be JSON like {"deny": ["169.254.0.0/16"]}`, http.StatusBadRequest)
			return
		}
		var deny []netip.Prefix
		for _, d := range in.Deny {
			p, err := netip.ParsePrefix(d)
			if err != nil {
				a, aerr := netip.ParseAddr(d)
				if aerr != nil {
					http.Error(w, fmt.Sprintf("%q is not an address or CIDR range", d), http.StatusBadRequest)
					return
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			deny = append(deny, p.Masked())
		}
		f.mu.Lock()
		f.deny = deny
		f.mu.Unlock()
	default:
		http.Error(w, "GET or PUT", http.StatusMethodNotAllowed)
		return
	}
	f.mu.Lock()
	out := make([]string, len(f.deny))
	for i, p := range f.deny {
		out[i] = p.String()
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"deny": out})
}
