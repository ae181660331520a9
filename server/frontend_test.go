package server

import (
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/gofiber/fiber/v2"
)

// A lab's page is a sandboxed, opaque origin; the browser fetches
// /favicon.ico for it from the range, and a same-origin resource policy
// would refuse it with an error in the trainee's console.
func TestFaviconIsReadableFromLabPages(t *testing.T) {
	app := fiber.New()
	app.Use(securityHeaders(false))
	app.Use(frontend(fstest.MapFS{
		"index.html":  {Data: []byte("<!doctype html>")},
		"favicon.svg": {Data: []byte("<svg xmlns='http://www.w3.org/2000/svg'/>")},
	}))
	res, err := app.Test(httptest.NewRequest("GET", "/favicon.ico", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("favicon.ico: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if got := res.Header.Get("Cross-Origin-Resource-Policy"); got != "cross-origin" {
		t.Fatalf("favicon.ico resource policy %q, want cross-origin", got)
	}
	// The app itself stays same-origin.
	res, _ = app.Test(httptest.NewRequest("GET", "/", nil), -1)
	if got := res.Header.Get("Cross-Origin-Resource-Policy"); got != "same-origin" {
		t.Fatalf("the app's resource policy %q, want same-origin", got)
	}
}
