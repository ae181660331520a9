package vendorsite

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"
)

// unreachable is a store address for tests that never reach the store.
const unreachable = "http://127.0.0.1:1"

func TestNewNeedsTheReleaseAndTheStore(t *testing.T) {
	for _, cfg := range []Config{
		{Store: unreachable, Release: releaseKey},
		{Script: genuine, Release: releaseKey},
		{Script: genuine, Store: unreachable},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) took it", cfg)
		}
	}
}

func TestDocsPublishTheChecksum(t *testing.T) {
	s := newSite(t, unreachable)
	w := get(t, s, "/")
	sum := sha256.Sum256([]byte(genuine))
	body := w.Body.String()
	for _, want := range []string{
		"<title>Coverlytics bash uploader</title>",
		"curl -s http://uploader.coverlytics.example/bash | bash -s -- -t $COVERLYTICS_TOKEN",
		hex.EncodeToString(sum[:]),
		"sha256sum -c",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the docs lack %q", want)
		}
	}
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Errorf("GET /: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	for _, external := range []string{"<script", "<link", "src=", "https://fonts"} {
		if strings.Contains(body, external) {
			t.Errorf("the docs load %q", external)
		}
	}
}

func TestTheChecksumIsOnlyOnThePages(t *testing.T) {
	s := newSite(t, unreachable)
	for _, path := range []string{"/bash.SHA256SUM", "/SHA256SUM", "/nope", "/downloads/other.tar"} {
		if w := get(t, s, path); w.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d", path, w.Code)
		}
	}
}

func TestReleasesListTheVersionAndItsImage(t *testing.T) {
	s := newSite(t, unreachable)
	body := get(t, s, "/releases").Body.String()
	sum := sha256.Sum256([]byte(genuine))
	imageSum := sha256.Sum256(s.image)
	for _, want := range []string{"1.0.3", hex.EncodeToString(sum[:]), `href="downloads/coverlytics-uploader-1.0.3.tar"`, hex.EncodeToString(imageSum[:])} {
		if !strings.Contains(body, want) {
			t.Errorf("the releases page lacks %q", want)
		}
	}
	w := get(t, s, "/downloads/coverlytics-uploader-1.0.3.tar")
	if w.Code != http.StatusOK || w.Body.String() != string(s.image) || w.Header().Get("Content-Type") != "application/x-tar" {
		t.Fatalf("download: %d, %d bytes, %s", w.Code, w.Body.Len(), w.Header().Get("Content-Type"))
	}
}

func TestUploadsAreRecordedForThePlatform(t *testing.T) {
	s := newSite(t, unreachable)
	start := time.Now()
	w := httptest.NewRecorder()
	report := strings.Repeat("SF:src/api.go\nDA:1,1\n", 50)
	r := httptest.NewRequest(http.MethodPost, "/upload/v2?token=tok-123&build=42&slug=acme%2Fapi&commit=0123abcd&service=gitlab&package=bash-1.0.3", strings.NewReader(report))
	r.RemoteAddr = "10.20.0.7:51234"
	s.ServeHTTP(w, r)
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("answered in %v", took)
	}
	if w.Code != http.StatusOK || w.Body.String() != "http://uploader.coverlytics.example/gh/acme/api/commit/0123abcd\n" {
		t.Fatalf("upload: %d %q", w.Code, w.Body)
	}
	var got []Upload
	if err := json.Unmarshal(platform(t, s, http.MethodGet, "/_sim/uploads", "").Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("uploads: %+v", got)
	}
	up := got[0]
	if up.Remote != "10.20.0.7" || up.Bytes != int64(len(report)) || up.Query["token"] != "tok-123" || up.Query["slug"] != "acme/api" ||
		up.Query["commit"] != "0123abcd" || up.Query["build"] != "42" || up.Query["package"] != "bash-1.0.3" || up.Time.Before(start.Add(-time.Second)) {
		t.Errorf("recorded %+v", up)
	}
	if w := get(t, s, "/upload/v2"); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET /upload/v2: %d", w.Code)
	}
}

func TestUploadsKeepTheNewest(t *testing.T) {
	s := newSite(t, unreachable)
	for i := range keep + 3 {
		s.mu.Lock()
		s.uploads = append(s.uploads, Upload{Bytes: int64(i)})
		s.mu.Unlock()
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/upload/v2?token=t", strings.NewReader("x")))
	if len(s.uploads) != keep || s.uploads[0].Bytes != 4 || s.uploads[keep-1].Bytes != 1 {
		t.Fatalf("%d kept, first %d, last %d", len(s.uploads), s.uploads[0].Bytes, s.uploads[keep-1].Bytes)
	}
}

func platform(t *testing.T, h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set(labkit.SimKeyHeader, "sim-key")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestThePlatformChannelNeedsTheKey(t *testing.T) {
	s := newSite(t, unreachable)
	shut, err := New(Config{Script: genuine, Store: unreachable, Release: releaseKey})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ method, path, body string }{
		{http.MethodGet, "/_sim/uploads", ""},
		{http.MethodGet, "/_sim/nothing", ""},
	} {
		for name, key := range map[string]string{"no key": "", "wrong key": "guess"} {
			r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			if key != "" {
				r.Header.Set(labkit.SimKeyHeader, key)
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != http.StatusForbidden {
				t.Errorf("%s %s with %s: %d", tc.method, tc.path, name, w.Code)
			}
		}
		// A site given no key opens to nobody, an empty header included.
		r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
		r.Header.Set(labkit.SimKeyHeader, "")
		w := httptest.NewRecorder()
		shut.ServeHTTP(w, r)
		if w.Code != http.StatusForbidden {
			t.Errorf("%s %s on a site without a key: %d", tc.method, tc.path, w.Code)
		}
	}
	if w := platform(t, s, http.MethodGet, "/_sim/nothing", ""); w.Code != http.StatusNotFound {
		t.Errorf("an unknown platform path with the key: %d", w.Code)
	}
}
