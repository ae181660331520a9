package modes

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The market lists its pack and sells it as a gzipped tar holding the
// planted log; anything else is not there; a pack needs a name.
func TestStealerMarketSellsItsPack(t *testing.T) {
	market, err := newMarket(`
packs:
  - name: jp-corp-2024-05
    ago: 2d
    seed: s1
    noise: 5
    planted:
      - {country: JP, user: Kenji, computer: DESKTOP-K1, ip: 203.0.113.77, accounts: [{url: "https://acme.warehouse.example/", username: svc_reporting, password: Summer2023!}]}
`, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(market)
	defer hs.Close()
	get := func(path string) (int, []byte) {
		resp, err := http.Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}
	if code, page := get("/"); code != 200 || !strings.Contains(string(page), `href="download/jp-corp-2024-05.tar.gz"`) || !strings.Contains(string(page), "<td>6</td>") {
		t.Errorf("index: %d %s", code, page)
	}
	code, pack := get("/download/jp-corp-2024-05.tar.gz")
	if code != 200 {
		t.Fatalf("download: %d", code)
	}
	zr, err := gzip.NewReader(strings.NewReader(string(pack)))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(zr)
	if !strings.Contains(string(raw), "Username: svc_reporting\r\nPassword: Summer2023!") {
		t.Error("the pack lacks the planted log")
	}
	for _, path := range []string{"/download/other.tar.gz", "/download/jp-corp-2024-05.zip", "/download/.tar.gz"} {
		if code, _ := get(path); code != 404 {
			t.Errorf("%s: %d", path, code)
		}
	}
	if _, err := newMarket("packs: [{name: Bad Name}]", time.Now()); err == nil {
		t.Error("a pack with a bad name")
	}
}
