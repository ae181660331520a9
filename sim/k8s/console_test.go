package k8s

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The console shows what the anonymous user may read, keys in a pod's
// environment included, and the API server's refusal once it may not.
func TestConsoleShowsWhatAnonymousMayRead(t *testing.T) {
	srv := telemetryCluster(t)
	api := httptest.NewServer(srv)
	defer api.Close()
	ui := httptest.NewServer(NewConsole(api.URL, "acme-telematics"))
	defer ui.Close()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(ui.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	code, page := get("/")
	if code != 200 || !strings.Contains(page, "acme-telematics") || !strings.Contains(page, `href="deployment/telemetry/ingest"`) {
		t.Fatalf("overview: %d\n%s", code, page)
	}
	i := strings.Index(page, `href="pod/telemetry/ingest-`)
	if i < 0 {
		t.Fatalf("no pod linked:\n%s", page)
	}
	link := page[i+len(`href="`):]
	link = link[:strings.Index(link, `"`)]
	code, page = get("/" + link)
	if code != 200 || !strings.Contains(page, "AWS_ACCESS_KEY_ID") || !strings.Contains(page, "AKIAEXAMPLEKEY000003") || !strings.Contains(page, "ingest:2.3") ||
		!strings.Contains(page, `href="../../"`) || strings.Contains(page, `href="/`) {
		t.Fatalf("pod: %d\n%s", code, page)
	}
	if code, _ := get("/pod/telemetry/nothing"); code != 404 {
		t.Fatalf("a missing pod: %d", code)
	}
	var log strings.Builder
	_ = srv.WriteAudit(&log)
	if !strings.Contains(log.String(), `"userAgent":"dashboard/v2.7.0"`) || !strings.Contains(log.String(), `"username":"system:anonymous"`) {
		t.Fatalf("the console's reads are not in the audit log as anonymous:\n%s", log.String())
	}

	srv.mu.Lock()
	delete(srv.objects["clusterrolebindings"], "/anonymous-admin")
	srv.mu.Unlock()
	code, page = get("/")
	if code != 403 || !strings.Contains(page, "refused the dashboard") || strings.Contains(page, "AKIAEXAMPLEKEY000003") {
		t.Fatalf("overview once anonymous may read nothing: %d\n%s", code, page)
	}
}
