package server

import (
	"errors"
	"io/fs"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// frontend serves the embedded browser app. Paths that name no file get
// index.html, so the app's own routes (/labs, /setup…) load on refresh.
// Vite names built assets by content hash, so they are cached for a year;
// index.html is never cached, so a new release is picked up at once.
func frontend(dist fs.FS) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
			return fiber.ErrMethodNotAllowed
		}
		if dist == nil {
			return fiber.ErrNotFound
		}
		name := strings.TrimPrefix(path.Clean("/"+c.Path()), "/")
		if name == "" {
			name = "index.html"
		}
		if name == "favicon.ico" {
			// A lab's web page names no icon of its own, so the browser asks
			// the range for /favicon.ico on behalf of the page: a sandboxed,
			// opaque origin, which a same-origin resource policy refuses
			// (NotSameOrigin in the console). The icon is public; it may be
			// read from anywhere.
			name = "favicon.svg"
			c.Set("Cross-Origin-Resource-Policy", "cross-origin")
		}
		data, err := fs.ReadFile(dist, name)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrInvalid) || isDir(dist, name) {
			if path.Ext(name) != "" { // a missing asset, not an app route
				return fiber.ErrNotFound
			}
			name = "index.html"
			data, err = fs.ReadFile(dist, name)
		}
		if err != nil {
			return fiber.ErrNotFound
		}
		if strings.HasPrefix(name, "assets/") {
			c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
		} else {
			c.Set(fiber.HeaderCacheControl, "no-cache")
		}
		c.Type(path.Ext(name))
		return c.Send(data)
	}
}

func isDir(fsys fs.FS, name string) bool {
	st, err := fs.Stat(fsys, name)
	return err == nil && st.IsDir()
}
