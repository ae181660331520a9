package modes

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/idp"
	"github.com/sakimori/sakimori/sim/labkit"
)

func init() {
	labkit.Register("idp-probe", func(_ context.Context, args []string) error { return exit(probeIdP(args)) })
}

// probeIdP checks the identity provider's sessions by doing what a thief
// with a copied cookie does: replaying it from this host.
//
//	sakimori-sim idp-probe revoked -sessions "ID ..."   none of these sessions is open, and the first, replayed, is refused
//	sakimori-sim idp-probe bound -user LOGIN -ip ADDR -ua UA
//	                           a session LOGIN opens at ADDR (as the IdP shows it) with UA,
//	                           replayed from here with the same UA, is refused
//
// Both read the IdP at -endpoint with the lab's simulator key
// (CLOUDSIM_KEY), which their replays carry too, so that the IdP judges
// them as any request and leaves them out of the System Log the trainee
// investigates; bound opens its own session on that channel and ends it
// afterwards, so it never hands anyone a working session.
func probeIdP(args []string) int {
	if len(args) < 1 || (args[0] != "revoked" && args[0] != "bound") {
		fmt.Fprintln(os.Stderr, "usage: sakimori-sim idp-probe revoked|bound ...")
		return 2
	}
	fs := flag.NewFlagSet("idp-probe "+args[0], flag.ContinueOnError)
	endpoint := fs.String("endpoint", "http://127.0.0.1", "the IdP's address")
	sessions := fs.String("sessions", "", "revoked: the session ids, space-separated, the stolen one first")
	user := fs.String("user", "", "bound: whose session")
	ip := fs.String("ip", "", "bound: where the session is made, as the IdP shows addresses")
	ua := fs.String("ua", labkit.BrowserUA, "bound: the browser's user agent, which the replay copies")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	p := &idpProbe{hc: &http.Client{Timeout: 15 * time.Second}, endpoint: strings.TrimRight(*endpoint, "/"), key: os.Getenv("CLOUDSIM_KEY")}
	var ok bool
	var why string
	var err error
	if args[0] == "revoked" {
		ok, why, err = p.revoked(strings.Fields(*sessions))
	} else {
		ok, why, err = p.bound(*user, *ip, *ua)
	}
	if err != nil {
		fmt.Println("could not ask the identity provider:", err)
		return 2
	}
	return verdict(ok, why)
}

type idpProbe struct {
	hc            *http.Client
	endpoint, key string
}

func (p *idpProbe) revoked(ids []string) (bool, string, error) {
	if len(ids) == 0 {
		return false, "", fmt.Errorf("no sessions given")
	}
	var state struct {
		Sessions []struct {
			ID, User string
		} `json:"sessions"`
		Ended []string `json:"ended"`
	}
	if err := getJSON(p.hc, p.endpoint+"/_sim/state", p.key, &state); err != nil {
		return false, "", err
	}
	// A check given ids the IdP never had would pass for nothing.
	for _, id := range ids {
		if !slices.Contains(state.Ended, id) && !slices.ContainsFunc(state.Sessions, func(s struct{ ID, User string }) bool { return s.ID == id }) {
			return false, "", fmt.Errorf("the identity provider never had a session %.8s…", id)
		}
	}
	var open []string
	for _, s := range state.Sessions {
		if slices.Contains(ids, s.ID) {
			open = append(open, fmt.Sprintf("%s's session %.8s…", s.User, s.ID))
		}
	}
	if len(open) > 0 {
		// Not replayed: a refused replay can itself end a session, and a
		// check must not do the trainee's work.
		return false, fmt.Sprintf("%d of the %d sessions open when the cookie was stolen are still open: %s; end every session of their user",
			len(open), len(ids), strings.Join(open, ", ")), nil
	}
	in, err := p.replay(ids[0], labkit.BrowserUA)
	if err != nil {
		return false, "", err
	}
	if in {
		return false, "the stolen cookie, replayed from here, signed in", nil
	}
	return true, fmt.Sprintf("all %d sessions open at the theft are ended; the stolen cookie, replayed from here, is sent to sign in", len(ids)), nil
}

func (p *idpProbe) bound(user, ip, ua string) (bool, string, error) {
	body, _ := json.Marshal(map[string]string{"user": user, "ip": ip, "user_agent": ua})
	req, _ := http.NewRequest(http.MethodPost, p.endpoint+"/_sim/sessions", bytes.NewReader(body))
	req.Header.Set(labkit.SimKeyHeader, p.key)
	resp, err := p.hc.Do(req)
	if err != nil {
		return false, "", err
	}
	var made struct{ ID string }
	err = json.NewDecoder(resp.Body).Decode(&made)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || err != nil {
		return false, "", fmt.Errorf("opening a session for %s: %s", user, resp.Status)
	}
	defer func() {
		req, _ := http.NewRequest(http.MethodDelete, p.endpoint+"/_sim/sessions/"+made.ID, nil)
		req.Header.Set(labkit.SimKeyHeader, p.key)
		if resp, err := p.hc.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	in, err := p.replay(made.ID, ua)
	if err != nil {
		return false, "", err
	}
	head := fmt.Sprintf("a session of %s made at %s, its cookie replayed from here with the same browser: %s\n", user, ip, signedIn(in))
	if in {
		return false, head + "a copied cookie still works from another device: bind sessions to the device they were made on", nil
	}
	return true, head + "the identity provider refuses a session used away from its device", nil
}

// replay asks for the IdP's home page with a session cookie, as a browser
// would, and says whether the IdP took it: its home page, not a redirect
// to sign in.
func (p *idpProbe) replay(id, ua string) (bool, error) {
	req, _ := http.NewRequest(http.MethodGet, p.endpoint+"/app/UserHome", nil)
	req.AddCookie(&http.Cookie{Name: idp.SessionCookie, Value: id})
	req.Header.Set("User-Agent", ua)
	// The platform's own request: judged as a thief's, logged nowhere.
	req.Header.Set(labkit.SimKeyHeader, p.key)
	hc := *p.hc
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, nil
}

func signedIn(in bool) string {
	if in {
		return "signed in"
	}
	return "sent to sign in"
}
