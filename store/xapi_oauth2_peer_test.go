package store_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
	"github.com/sakimori/sakimori/xapi"
)

// gatewaySeen is what the OAuth2 gateway in front of the LRS saw.
type gatewaySeen struct {
	Tokens   int      `json:"tokens"`
	Refused  int      `json:"refused"`
	Versions []string `json:"versions"`
}

func (p *lrsPeer) gateway(path string) string { return strings.TrimSuffix(p.URL, "/xAPI") + path }

func (p *lrsPeer) seen() gatewaySeen {
	p.t.Helper()
	resp, err := http.Get(p.gateway("/gateway/seen"))
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	var s gatewaySeen
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		p.t.Fatal(err)
	}
	return s
}

// TestOAuth2LRSThatSpeaksVersion2 forwards to an LRS reached through an
// OAuth2 client-credentials gateway whose /about lists xAPI 2.0.0: with a
// wrong secret nothing is sent and nothing is lost; once the secret is
// right, every record arrives, under a bearer token from the token
// endpoint, posted as 2.0.0.
func TestOAuth2LRSThatSpeaksVersion2(t *testing.T) {
	lrs := startLRS(t, "LRS_GATEWAY_PORT=0", "LRS_ANNOUNCE=1.0.3,2.0.0", "LRS_CLIENT_ID=sakimori", "LRS_CLIENT_SECRET=s3cret")
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		feedFixture(t, db)
		s := db.XAPI(sealer(t))
		settings := xapi.LRS{Endpoint: lrs.URL, Auth: xapi.AuthOAuth2, Key: "sakimori", Secret: "not the secret", TokenURL: lrs.gateway("/token")}
		must(t, settings.Check())
		must(t, s.PutLRS(ctx, "o1", settings, time.Now()))
		tag := fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano())
		must(t, db.Scoring().Record(ctx, xapiRecord(tag+"-a", "t0", true)))
		must(t, db.Scoring().Record(ctx, xapiRecord(tag+"-b", "t1", false)))
		b := xapi.Builder{HomePage: "https://range.example"}
		before := lrs.seen()

		if n, err := xapi.NewOutbox(s, xapi.Client{}, b, time.Now).Pass(ctx); err != nil || n != 0 {
			t.Fatalf("with a wrong client secret: sent %d (%v)", n, err)
		}
		if after := lrs.seen(); after.Tokens != before.Tokens || len(after.Versions) != len(before.Versions) {
			t.Fatalf("a wrong client secret got a token or posted: %+v then %+v", before, after)
		}
		if d, _ := s.DeadLetters(ctx, "o1"); len(d) != 0 {
			t.Fatalf("an unreachable LRS set statements aside: %+v", d)
		}

		settings.Secret = "s3cret"
		must(t, s.PutLRS(ctx, "o1", settings, time.Now()))
		if n, err := xapi.NewOutbox(s, xapi.Client{}, b, time.Now).Pass(ctx); err != nil || n != 2 {
			t.Fatalf("with the right secret: sent %d (%v)", n, err)
		}
		after := lrs.seen()
		if after.Tokens <= before.Tokens {
			t.Fatalf("no token was taken: %+v", after)
		}
		posted := after.Versions[len(before.Versions):]
		if len(posted) == 0 || slices.ContainsFunc(posted, func(v string) bool { return v != xapi.Version200 }) {
			t.Fatalf("statements were posted as %v, not 2.0.0", posted)
		}

		lrs.bearer = lrs.token("sakimori", "s3cret")
		got := map[string]bool{}
		for _, st := range lrs.statements("") {
			got[st.ID] = true
		}
		if !got[xapi.StatementID(tag+"-a")] || !got[xapi.StatementID(tag+"-b")] {
			t.Fatal("the statements are not in the LRS behind the gateway")
		}
		// The gateway refuses a reader without a token: it is really guarded.
		lrs.bearer = ""
		resp, err := http.Get(lrs.URL + "/statements")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("an unauthenticated read answered %d", resp.StatusCode)
		}
	})
}

// token takes a client-credentials token from the gateway.
func (p *lrsPeer) token(id, secret string) string {
	p.t.Helper()
	resp, err := http.PostForm(p.gateway("/token"), url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}})
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		p.t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}
