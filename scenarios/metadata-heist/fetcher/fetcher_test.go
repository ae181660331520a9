package fetcher

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func call(t *testing.T, h http.Handler, method, target, token, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

func TestFetcherForgesRequestsUntilItsDenyListIsSet(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-aws-ec2-metadata-token") != "" {
			t.Error("the app passed a caller's header on")
		}
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, "upstream says no")
	}))
	defer upstream.Close()
	f := New("admin-token")
	preview := "/fetch?url=" + url.QueryEscape(upstream.URL+"/latest/meta-data/")

	if status, body := call(t, f, "GET", preview, "", ""); status != 401 || body != "upstream says no" {
		t.Fatalf("the upstream's answer is passed back as it came: %d %q", status, body)
	}
	if status, _ := call(t, f, "GET", "/fetch?url=file:///etc/passwd", "", ""); status != 400 {
		t.Fatalf("a non-http url: %d", status)
	}
	if status, _ := call(t, f, "PUT", "/admin/fetch-policy", "wrong", `{"deny":["127.0.0.0/8"]}`); status != 401 {
		t.Fatalf("the admin API without its token: %d", status)
	}
	if status, _ := call(t, f, "PUT", "/admin/fetch-policy", "admin-token", `{"deny":["not-a-range"]}`); status != 400 {
		t.Fatalf("a bad range: %d", status)
	}
	// Deny by address: a name that resolves to the address is refused too.
	if status, body := call(t, f, "PUT", "/admin/fetch-policy", "admin-token", `{"deny":["127.0.0.0/8"]}`); status != 200 || !strings.Contains(body, "127.0.0.0/8") {
		t.Fatalf("setting the deny list: %d %s", status, body)
	}
	byName := "/fetch?url=" + url.QueryEscape(strings.Replace(upstream.URL, "127.0.0.1", "localhost", 1))
	for _, target := range []string{preview, byName} {
		if status, body := call(t, f, "GET", target, "", ""); status != 403 || !strings.Contains(body, "refused") {
			t.Errorf("%s after the deny list: %d %q", target, status, body)
		}
	}
}

// The admin interface can be found as on a real site: the home page links
// the API documentation, which names it, and robots.txt lists it.
func TestAdminInterfaceIsDiscoverable(t *testing.T) {
	f := New("admin-token")
	if _, body := call(t, f, "GET", "/", "", ""); !strings.Contains(body, `href="docs"`) {
		t.Fatalf("the home page links no documentation: %s", body)
	}
	if status, body := call(t, f, "GET", "/docs", "", ""); status != 200 || !strings.Contains(body, "PUT /admin/fetch-policy") || !strings.Contains(body, "Bearer") {
		t.Fatalf("the documentation: %d %s", status, body)
	}
	if status, body := call(t, f, "GET", "/robots.txt", "", ""); status != 200 || !strings.Contains(body, "Disallow: /admin/") {
		t.Fatalf("robots.txt: %d %s", status, body)
	}
	if status, body := call(t, f, "GET", "/admin/", "", ""); status != 200 || !strings.Contains(body, "/admin/fetch-policy") {
		t.Fatalf("the admin index: %d %s", status, body)
	}
}

// The deny list holds against a redirect to a denied address and against
// IPv6 link-local destinations once they are denied too.
func TestDenyListHoldsAgainstRedirectsAndIPv6(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "secret")
	}))
	defer upstream.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(upstream.URL, "127.0.0.1", "127.0.0.2", 1), http.StatusFound)
	}))
	defer redirector.Close()
	f := New("admin-token")
	if status, _ := call(t, f, "PUT", "/admin/fetch-policy", "admin-token", `{"deny":["127.0.0.2/32", "fe80::/10"]}`); status != 200 {
		t.Fatalf("setting the deny list: %d", status)
	}
	for _, target := range []string{redirector.URL + "/", "http://[fe80::a9fe:a9fe]/latest/meta-data/"} {
		if status, body := call(t, f, "GET", "/fetch?url="+url.QueryEscape(target), "", ""); status != 403 || !strings.Contains(body, "refused") {
			t.Errorf("%s: %d %q", target, status, body)
		}
	}
}
