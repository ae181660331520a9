package modes

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// probe status -redirect hands the target a local URL that redirects: a
// check sees what an app which fetches URLs does with the redirect.
func TestProbeStatusThroughARedirect(t *testing.T) {
	var asked string
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = r.URL.Query().Get("url")
		resp, err := http.Get(asked)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
	}))
	defer app.Close()
	end := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	defer end.Close()
	if code := probeStatus([]string{"-redirect", end.URL + "/x", app.URL + "/fetch?url={redirect}", "418"}); code != 0 {
		t.Fatalf("exit %d; the app was asked for %q", code, asked)
	}
	if !strings.HasPrefix(asked, "http://127.0.0.1:") {
		t.Fatalf("the app was asked for %q, not the local redirect", asked)
	}
	if code := probeStatus([]string{"-redirect", end.URL, app.URL + "/fetch?url={redirect}", "200"}); code != 1 {
		t.Fatalf("an unexpected status passed: exit %d", code)
	}
}
