package badges_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sakimori/sakimori/badges"
)

// publisher serves what a verifier dereferences, as the range does: the
// controller document, the key, and the status list with the revoked bits.
type publisher struct {
	mu      sync.Mutex
	issuer  badges.Issuer
	keys    []badges.PublicKey
	revoked []int
}

func (p *publisher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.issuer.URLs
	url := u.Base + r.URL.Path
	var doc any
	switch {
	case url == u.Issuer():
		doc = u.IssuerDocument(p.issuer.Name, p.keys)
	case url == u.StatusList():
		var err error
		if doc, err = p.issuer.StatusListCredential(p.revoked, time.Now()); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
	default:
		for _, k := range p.keys {
			if url == u.Key(k.Kid) {
				doc = u.KeyDocument(k)
			}
		}
	}
	if doc == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(doc)
}

func newPublisher(t *testing.T, name string) (*publisher, *httptest.Server) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p := &publisher{}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	p.issuer = badges.Issuer{URLs: badges.URLs{Base: srv.URL}, Name: name, Kid: "k1", Key: priv}
	p.keys = []badges.PublicKey{{Kid: "k1", Key: pub}}
	return p, srv
}

// verify runs the independent verifier in test/vc-verifier on one input.
func verify(t *testing.T, input map[string]any) (bool, string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the verifier in test/vc-verifier cannot run")
	}
	dir, _ := filepath.Abs(filepath.Join("..", "test", "vc-verifier"))
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("test/vc-verifier is not installed: run sh test/install-peers.sh")
		}
		t.Skip("test/vc-verifier is not installed: run sh test/install-peers.sh")
	}
	raw, _ := json.Marshal(input)
	cmd := exec.Command(node, "verify.mjs")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(raw)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, _ := cmd.Output()
	var res struct {
		Verified bool   `json:"verified"`
		Error    string `json:"error"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("verifier output %q: %v (stderr %s)", out, err, stderr.String())
	}
	return res.Verified, res.Error
}

func scenarioAward(index int) badges.Award {
	return badges.Award{
		ID: "b-scenario-1",
		Achievement: badges.Achievement{
			Kind: badges.KindScenario, Ref: "web-sqli",
			Name: "Completed: SQL injection in the staff portal", Description: "Every objective of the scenario solved.",
			Criteria: "Solve every attack and defence objective of the scenario in the range.",
			Alignments: []badges.Alignment{{
				Framework: badges.FrameworkAttack, Code: "T1190", Name: "Exploit Public-Facing Application",
				URL: "https://attack.mitre.org/techniques/T1190/",
			}},
		},
		Holder: "Hanako Yamada", Issued: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), StatusIndex: index,
	}
}

func roleAward(index int) badges.Award {
	return badges.Award{
		ID: "b-role-1",
		Achievement: badges.Achievement{
			Kind: badges.KindWorkRole, Ref: "PR-CDA-001",
			Name: "Work role: Cyber Defense Analyst", Description: "Attainment of the NICE work role shown in the range.",
			Criteria: "Evidence for at least 60% of the work role's statements.",
			Alignments: []badges.Alignment{{
				Framework: badges.FrameworkNICE, Code: "PR-CDA-001", Name: "Cyber Defense Analyst",
				URL: "https://niccs.cisa.gov/workforce-development/nice-framework",
			}},
		},
		Holder: "Hanako Yamada", Issued: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC), StatusIndex: index,
	}
}

func TestIndependentVerifierAcceptsEveryKind(t *testing.T) {
	p, _ := newPublisher(t, "Sakimori University")
	for name, award := range map[string]badges.Award{"scenario": scenarioAward(3), "work role": roleAward(4)} {
		cred, err := p.issuer.Credential(award)
		if err != nil {
			t.Fatal(err)
		}
		if ok, msg := verify(t, map[string]any{"credential": cred}); !ok {
			t.Errorf("%s badge: the verifier refused it: %s", name, msg)
		}
		jwt, err := p.issuer.JWT(award)
		if err != nil {
			t.Fatal(err)
		}
		if ok, msg := verify(t, map[string]any{"jwt": jwt}); !ok {
			t.Errorf("%s badge as a JWT: the verifier refused it: %s", name, msg)
		}
		if err := p.issuer.URLs.Verify(cred, p.keys); err != nil {
			t.Errorf("%s badge: our own check refused it: %v", name, err)
		}
	}
	list, err := p.issuer.StatusListCredential([]int{7}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if ok, msg := verify(t, map[string]any{"credential": list}); !ok {
		t.Errorf("status list credential: the verifier refused it: %s", msg)
	}
}

func TestIndependentVerifierRefusesTamperedRevokedAndForeign(t *testing.T) {
	p, _ := newPublisher(t, "Sakimori University")
	award := scenarioAward(9)

	cred, _ := p.issuer.Credential(award)
	subject := cred["credentialSubject"].(map[string]any)
	subject["identifier"].([]any)[0].(map[string]any)["identityHash"] = "Someone Else"
	if ok, _ := verify(t, map[string]any{"credential": cred}); ok {
		t.Error("a credential with the holder's name changed verified")
	}
	if err := p.issuer.URLs.Verify(cred, p.keys); err == nil {
		t.Error("our own check accepted the tampered credential")
	}
	jwt, _ := p.issuer.JWT(award)
	parts := strings.Split(jwt, ".")
	jwt2, _ := p.issuer.JWT(roleAward(9))
	if ok, _ := verify(t, map[string]any{"jwt": parts[0] + "." + strings.Split(jwt2, ".")[1] + "." + parts[2]}); ok {
		t.Error("a JWT with another payload under the signature verified")
	}

	// Another range's key signs for our issuer id: the key it names is not ours.
	other, _ := newPublisher(t, "Another Range")
	forged := p.issuer
	forged.Key = other.issuer.Key
	cred, _ = forged.Credential(award)
	if ok, _ := verify(t, map[string]any{"credential": cred}); ok {
		t.Error("a credential signed by another range's key verified")
	}
	jwt, _ = forged.JWT(award)
	if ok, _ := verify(t, map[string]any{"jwt": jwt}); ok {
		t.Error("a JWT signed by another range's key verified")
	}

	cred, _ = p.issuer.Credential(award)
	jwt, _ = p.issuer.JWT(award)
	if ok, msg := verify(t, map[string]any{"credential": cred}); !ok {
		t.Fatalf("before revocation the badge must verify: %s", msg)
	}
	p.mu.Lock()
	p.revoked = []int{1, 9}
	p.mu.Unlock()
	if ok, msg := verify(t, map[string]any{"credential": cred}); ok || !strings.Contains(msg, "revoked") {
		t.Errorf("a revoked credential: verified=%v, %q", ok, msg)
	}
	if ok, msg := verify(t, map[string]any{"jwt": jwt}); ok || !strings.Contains(msg, "revoked") {
		t.Errorf("a revoked JWT: verified=%v, %q", ok, msg)
	}
}
