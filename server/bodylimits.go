package server

import (
	"bytes"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/fault"
)

// Request bodies are bounded per route. Most routes take a small JSON body
// (Options.BodyLimit, 1 MiB by default). A few take an upload that may be
// far larger, such as a full ATT&CK STIX bundle of some 45 MB. Raising the
// one server-wide limit for them would let every route, signed in or not,
// make the server read that much. So the server streams request bodies
// (fiber's StreamRequestBody) and boundBodies reads them here: whole, up
// to BodyLimit, for an ordinary route, before any handler runs; not at
// all for an upload route, whose handler reads uploadStream and bounds it
// itself (the framework importer answers framework_too_large past its
// limit).

// uploadRoutes holds the paths of the upload routes, as routes are
// written: a segment starting with a colon stands for any one segment.
// Routes register at setup; requests only read it.
type uploadRoutes map[string]bool

// has says whether path is an upload route's.
func (u uploadRoutes) has(path string) bool {
	if u[path] {
		return true
	}
	got := strings.Split(path, "/")
	for route := range u {
		if sameRoute(strings.Split(route, "/"), got) {
			return true
		}
	}
	return false
}

func sameRoute(route, path []string) bool {
	if len(route) != len(path) {
		return false
	}
	for i, seg := range route {
		if seg != path[i] && (!strings.HasPrefix(seg, ":") || path[i] == "") {
			return false
		}
	}
	return true
}

// boundBodies reads the body of a request to an ordinary route into
// memory, refusing it with 413 once it passes limit. Streaming is on for
// every request (fasthttp cannot choose per route), so without this a
// handler's c.Body() would read a stream of any length.
func (u uploadRoutes) boundBodies(limit int64) fiber.Handler {
	return func(c *fiber.Ctx) error {
		req := c.Request()
		if !req.IsBodyStream() {
			return c.Next()
		}
		if u.has(c.Path()) {
			// The handler may answer (a 403, a refused import) without
			// reading the whole body, whose rest would then be read as the
			// next request: the connection ends with this one.
			c.Context().SetConnectionClose()
			return c.Next()
		}
		data, err := io.ReadAll(io.LimitReader(req.BodyStream(), limit+1))
		if err != nil {
			c.Context().SetConnectionClose()
			return errBodyUnreadable(err)
		}
		if int64(len(data)) > limit {
			c.Context().SetConnectionClose() // the rest of the body is never read
			return fiber.ErrRequestEntityTooLarge
		}
		req.SetBody(data)
		return c.Next()
	}
}

// uploadStream is an upload route's body, unread; the handler bounds what
// it reads.
func uploadStream(c *fiber.Ctx) io.Reader {
	if req := c.Request(); req.IsBodyStream() {
		return req.BodyStream()
	}
	return bytes.NewReader(c.Body())
}

// errBodyUnreadable is a body cut short: the client hung up mid-way, or
// sent a malformed chunk.
func errBodyUnreadable(err error) error {
	f := fault.New(fault.Invalid, "body_unreadable", "The request body could not be read to its end.")
	f.Err = err
	return f
}
