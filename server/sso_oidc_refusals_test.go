package server_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// craftedOP is an OpenID provider written for the refusal table: it signs
// in whoever asks, at once, and answers the code with the ID token its
// mint function makes, so each case can send what a real provider never
// would. It does check PKCE, so a flow without the verifier fails.
type craftedOP struct {
	srv  *httptest.Server
	mu   sync.Mutex
	key  *rsa.PrivateKey
	kid  string
	mint func(op *craftedOP, nonce string) string
	// per code: the nonce and PKCE challenge of its authorization request
	codes map[string][2]string
}

func newCraftedOP(t *testing.T) *craftedOP {
	op := &craftedOP{codes: map[string][2]string{}}
	op.rotate("k1")
	mux := http.NewServeMux()
	op.srv = httptest.NewServer(mux)
	t.Cleanup(op.srv.Close)
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": op.srv.URL, "authorization_endpoint": op.srv.URL + "/authorize", "token_endpoint": op.srv.URL + "/token",
			"jwks_uri": op.srv.URL + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		op.mu.Lock()
		defer op.mu.Unlock()
		pub := op.key.PublicKey
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "use": "sig", "alg": "RS256", "kid": op.kid,
			"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		}}})
	})
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("state") == "" {
			http.Error(w, "PKCE S256, a nonce and a state are required", http.StatusBadRequest)
			return
		}
		code := rand.Text()
		op.mu.Lock()
		op.codes[code] = [2]string{q.Get("nonce"), q.Get("code_challenge")}
		op.mu.Unlock()
		back, _ := url.Parse(q.Get("redirect_uri"))
		back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, back.String(), http.StatusSeeOther)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		op.mu.Lock()
		req, ok := op.codes[r.PostForm.Get("code")]
		delete(op.codes, r.PostForm.Get("code"))
		op.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != req[1] {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"access_token": "at", "token_type": "Bearer", "expires_in": 60, "id_token": op.mint(op, req[0]),
		})
	})
	return op
}

// rotate makes the provider sign with a new key, published under kid.
func (op *craftedOP) rotate(kid string) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	op.mu.Lock()
	op.key, op.kid = key, kid
	op.mu.Unlock()
}

// claims are a good ID token's, for person sub with email.
func (op *craftedOP) claims(sub, email, nonce string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": op.srv.URL, "sub": sub, "aud": "sakimori", "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"nonce": nonce, "email": email, "email_verified": true, "name": "Crafted " + sub, "groups": []string{"instructors"},
	}
}

func (op *craftedOP) sign(c jwt.MapClaims) string {
	op.mu.Lock()
	defer op.mu.Unlock()
	return signWith(op.key, op.kid, c)
}

func signWith(key *rsa.PrivateKey, kid string, c jwt.MapClaims) string {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	t.Header["kid"] = kid
	s, err := t.SignedString(key)
	if err != nil {
		panic(err)
	}
	return s
}

// Case 18: each ID token a provider should never send is refused with its code,
// and no account is made or changed: the people in the table would be
// instructors if any of them got through.
func TestOIDCRefusesWhatAProviderShouldNotSend(t *testing.T) {
	rg, base := liveRange(t)
	op := newCraftedOP(t)
	admin := rg.setupAdmin()
	_, pid := ssoOrg(t, rg, admin, op.srv.URL)
	// Mapping off for the table's people: the crafted tokens all claim
	// the instructors group, which must never reach an account.
	put := rg.call("PUT", "/api/v1/sso/providers/"+pid, map[string]any{
		"name": "Crafted", "issuer": op.srv.URL, "client_id": "sakimori", "enabled": true,
		"allowed_domains": []string{"uni.example.ac.jp"}, "role_claim": "groups", "instructor_values": []string{"instructors"},
	}, "Authorization", "Bearer "+admin)
	if put.status != 200 || put.body["has_client_secret"] != true {
		t.Fatalf("update kept the secret? %d %s", put.status, put.raw)
	}

	// A good sign-in first: the way works, and its nonce is one to replay.
	var usedNonce string
	op.mint = func(op *craftedOP, nonce string) string {
		usedNonce = nonce
		c := op.claims("carol", "carol@uni.example.ac.jp", nonce)
		c["groups"] = []string{"students"}
		return op.sign(c)
	}
	b := newBrowser(t, base)
	if landed := b.get(base + "/api/v1/auth/sso/" + pid + "/start"); landed.Request.URL.Path != "/" {
		t.Fatalf("the good sign-in landed on %s", landed.Request.URL)
	}
	carol := b.session().body["user"].(map[string]any)
	if carol["role"] != "trainee" {
		t.Fatalf("carol: %v", carol)
	}

	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	cases := []struct {
		name string
		code string
		mint func(op *craftedOP, nonce string) string
	}{
		{"no nonce", "sso_nonce_mismatch", func(op *craftedOP, nonce string) string {
			c := op.claims("carol", "carol@uni.example.ac.jp", nonce)
			delete(c, "nonce")
			return op.sign(c)
		}},
		{"a replayed nonce", "sso_nonce_mismatch", func(op *craftedOP, _ string) string {
			return op.sign(op.claims("carol", "carol@uni.example.ac.jp", usedNonce))
		}},
		{"another issuer", "sso_token_untrusted", func(op *craftedOP, nonce string) string {
			c := op.claims("carol", "carol@uni.example.ac.jp", nonce)
			c["iss"] = "https://idp.elsewhere.example"
			return op.sign(c)
		}},
		{"another audience", "sso_token_untrusted", func(op *craftedOP, nonce string) string {
			c := op.claims("carol", "carol@uni.example.ac.jp", nonce)
			c["aud"] = "another-client"
			return op.sign(c)
		}},
		{"another key under the provider's key id", "sso_token_untrusted", func(op *craftedOP, nonce string) string {
			return signWith(otherKey, op.kid, op.claims("carol", "carol@uni.example.ac.jp", nonce))
		}},
		{"alg none", "sso_token_untrusted", func(op *craftedOP, nonce string) string {
			s, _ := jwt.NewWithClaims(jwt.SigningMethodNone, op.claims("carol", "carol@uni.example.ac.jp", nonce)).SignedString(jwt.UnsafeAllowNoneSignatureType)
			return s
		}},
		{"HS256 keyed with the client secret", "sso_token_untrusted", func(op *craftedOP, nonce string) string {
			s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, op.claims("carol", "carol@uni.example.ac.jp", nonce)).SignedString([]byte(peerSecret))
			return s
		}},
		{"expired", "sso_token_expired", func(op *craftedOP, nonce string) string {
			c := op.claims("carol", "carol@uni.example.ac.jp", nonce)
			c["exp"] = time.Now().Add(-time.Hour).Unix()
			return op.sign(c)
		}},
		{"a disallowed email domain", "sso_email_domain", func(op *craftedOP, nonce string) string {
			return op.sign(op.claims("mallory", "mallory@elsewhere.example", nonce))
		}},
		{"no subject", "sso_subject_missing", func(op *craftedOP, nonce string) string {
			c := op.claims("", "dave@uni.example.ac.jp", nonce)
			delete(c, "sub")
			return op.sign(c)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := countUsers(t, rg, admin)
			op.mint = c.mint
			b := newBrowser(t, base)
			landed := b.get(base + "/api/v1/auth/sso/" + pid + "/start")
			if got := landed.Request.URL.Query().Get("sso_error"); landed.Request.URL.Path != "/signin" || got != c.code {
				t.Fatalf("landed on %s, want sso_error=%s", landed.Request.URL, c.code)
			}
			if s := b.session(); s.status != 401 {
				t.Fatalf("a refused sign-in left a session: %d", s.status)
			}
			if after := countUsers(t, rg, admin); after != before {
				t.Fatalf("%d accounts before, %d after", before, after)
			}
			u, err := rg.accounts.User(t.Context(), carol["id"].(string))
			if err != nil || u.Role != "trainee" {
				t.Fatalf("carol's account changed: %v %v", u.Role, err)
			}
		})
	}

	t.Run("a rotated key is fetched and trusted", func(t *testing.T) {
		op.rotate("k2")
		op.mint = func(op *craftedOP, nonce string) string {
			c := op.claims("carol", "carol@uni.example.ac.jp", nonce)
			c["groups"] = []string{"students"}
			return op.sign(c)
		}
		b := newBrowser(t, base)
		if landed := b.get(base + "/api/v1/auth/sso/" + pid + "/start"); landed.Request.URL.Path != "/" {
			t.Fatalf("after the provider rotated its key: %s", landed.Request.URL)
		}
		if id := b.session().body["user"].(map[string]any)["id"]; id != carol["id"] {
			t.Fatalf("signed in as %v", id)
		}
	})
}
