package vendorsite

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func post(c *Collector, path, remote, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.RemoteAddr = remote
	w := httptest.NewRecorder()
	c.ServeHTTP(w, r)
	return w
}

func TestCollectorKeepsWhatIsPostedForTheIntruder(t *testing.T) {
	c := NewCollector("")
	c.now = func() time.Time { return time.Date(2021, 4, 1, 8, 30, 0, 0, time.UTC) }
	start := time.Now()
	harvest := "origin\thttp://gitlab-ci-token:glcbt-1@ci/acme/api.git (fetch)\n<<<<<< ENV\nAWS_SECRET_ACCESS_KEY=wJalr\n"
	w := post(c, "/upload/v2", "10.20.0.7:40112", harvest)
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("answered in %v", took)
	}
	if w.Code != http.StatusOK || w.Body.String() != "ok" {
		t.Fatalf("post: %d %q", w.Code, w.Body)
	}
	c.delay = 0
	post(c, "/anywhere?x=1", "10.20.0.8:40113", "second, no newline")

	dump := get(t, c, "/")
	want := "=== 2021-04-01T08:30:00Z 10.20.0.7 POST /upload/v2 (101 bytes) ===\n" + harvest +
		"=== 2021-04-01T08:30:00Z 10.20.0.8 POST /anywhere?x=1 (18 bytes) ===\nsecond, no newline\n"
	if dump.Code != http.StatusOK || dump.Body.String() != want {
		t.Fatalf("dump:\n%s\nwant:\n%s", dump.Body, want)
	}
	if ct := dump.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("content type %q", ct)
	}
}

func TestCollectorCutsLongBodies(t *testing.T) {
	c := NewCollector("")
	c.delay = 0
	post(c, "/", "10.20.0.7:1", strings.Repeat("e", 100<<10))
	k := c.catches[0]
	if len(k.Body) != 64<<10 || k.Size != 100<<10 {
		t.Fatalf("kept %d of %d", len(k.Body), k.Size)
	}
	if dump := get(t, c, "/").Body.String(); !strings.HasPrefix(dump, "=== ") || !strings.Contains(dump, "(102400 bytes, first 65536 kept)") {
		t.Fatalf("dump starts %q", dump[:80])
	}
}

func TestCollectorKeepsTheNewest(t *testing.T) {
	c := NewCollector("")
	c.delay = 0
	for i := range keep + 2 {
		post(c, fmt.Sprintf("/n%d", i), "10.20.0.7:1", "x")
	}
	if len(c.catches) != keep || c.catches[0].Path != "/n2" || c.catches[keep-1].Path != fmt.Sprintf("/n%d", keep+1) {
		t.Fatalf("%d kept, from %s to %s", len(c.catches), c.catches[0].Path, c.catches[len(c.catches)-1].Path)
	}
}

func TestCollectorAnswersNothingElse(t *testing.T) {
	c := NewCollector("")
	if w := get(t, c, "/upload/v2"); w.Code != http.StatusNotFound {
		t.Errorf("GET elsewhere: %d", w.Code)
	}
	w := httptest.NewRecorder()
	c.ServeHTTP(w, httptest.NewRequest(http.MethodPut, "/", strings.NewReader("x")))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d", w.Code)
	}
	if len(c.catches) != 0 || get(t, c, "/").Body.Len() != 0 {
		t.Fatal("something was kept")
	}
}

// With an owner, only the owner's token lists the harvest; anyone may
// still post to it, as a poisoned uploader does.
func TestCollectorListsOnlyToItsOwner(t *testing.T) {
	c := NewCollector("intruder-key")
	c.delay = 0
	post(c, "/upload/v2", "10.20.0.7:1", "AWS_SECRET_ACCESS_KEY=wJalr\n")
	for _, auth := range []string{"", "Bearer wrong", "intruder-key"} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		c.ServeHTTP(w, r)
		if w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "wJalr") {
			t.Errorf("%q: %d %q", auth, w.Code, w.Body)
		}
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer intruder-key")
	w := httptest.NewRecorder()
	c.ServeHTTP(w, r)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "wJalr") {
		t.Fatalf("owner: %d %q", w.Code, w.Body)
	}
}
