package server

import (
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/valyala/fasthttp"
)

// What passes between the browser and a lab, header by header. A lab is
// hostile by design: its responses come through an allow list, so nothing
// it sends can act on the range's origin (clear its storage, redirect its
// pages through Refresh, open it to other sites through CORS, set its
// cookies). The browser's requests lose the range's credentials, where
// they came from, and the headers that belong to one connection only.

// labResponseHeaders are the lab's headers the range passes on: how to
// read the body, and where a form's answer goes next.
var labResponseHeaders = []string{
	"Content-Type", "Content-Encoding", "Content-Language", "Content-Disposition", "Content-Range",
	"Accept-Ranges", "ETag", "Last-Modified", "Vary", "Allow", "Retry-After", "Location",
}

// requestHeadersWithheld never reach a lab: the range's credentials (and
// any a browser would send to a proxy), where the request came from, and
// the hop-by-hop headers (RFC 9110, 7.6.1).
var requestHeadersWithheld = []string{
	"Cookie", "Authorization", "Proxy-Authorization",
	"Origin", "Referer", "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-Ip",
	"Connection", "Proxy-Connection", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
}

// labRequest is the browser's request as it goes into the lab: to the
// target's path, one request per connection, without what
// requestHeadersWithheld names or any header its Connection names.
func labRequest(from *fasthttp.Request, path, host string, port int) *fasthttp.Request {
	var req fasthttp.Request
	from.CopyTo(&req)
	req.SetRequestURI(upstreamPath(path, string(from.URI().QueryString())))
	req.Header.SetHost(fmt.Sprintf("%s:%d", host, port))
	for _, name := range strings.Split(string(from.Header.Peek("Connection")), ",") {
		if name = strings.TrimSpace(name); name != "" {
			req.Header.Del(name)
		}
	}
	for _, name := range requestHeadersWithheld {
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

// copyLabHeaders sets on the range's response the lab's headers that
// labResponseHeaders allows. A Location must stay on the range's origin:
// a lab may send its form's answer to its next page, not the person to
// another site.
func copyLabHeaders(to *fasthttp.ResponseHeader, from http.Header) {
	for _, name := range labResponseHeaders {
		for _, v := range from.Values(textproto.CanonicalMIMEHeaderKey(name)) {
			if name == "Location" && !onThisOrigin(v) {
				continue
			}
			to.Add(name, v)
		}
	}
}

// onThisOrigin reports whether a Location is a path on the same origin.
// Browsers read a backslash as a slash, so "/\evil.example" leaves too.
func onThisOrigin(location string) bool {
	u, err := url.Parse(location)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil &&
		!strings.HasPrefix(location, "//") && !strings.ContainsAny(location, "\\\t\r\n")
}
