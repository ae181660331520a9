package idp

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// The sign-in as a trainee or a script does it with the real curl and a
// cookie jar: the authorize request sent to sign in, the form, the code,
// back to authorize, and on to the app with a code; then the code
// redeemed with curl -u, whose basic credentials are not form-encoded.
func TestCurlSignsInWithACookieJar(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("no curl on this machine")
	}
	l := newLab(t)
	jar := filepath.Join(t.TempDir(), "cookies.txt")
	step := func(args ...string) (status string, next string) {
		t.Helper()
		args = append([]string{"-sS", "-b", jar, "-c", jar, "-o", os.DevNull, "-w", "%{http_code} %{redirect_url}"}, args...)
		out, err := exec.Command(curl, args...).Output()
		if err != nil {
			t.Fatalf("curl %v: %v", args, err)
		}
		status, next, _ = strings.Cut(string(out), " ")
		return status, next
	}
	authorize := l.hs.URL + "/oauth2/v1/authorize?" + url.Values{"client_id": {wikiID}, "redirect_uri": {wikiBack},
		"response_type": {"code"}, "scope": {"openid email"}, "state": {"curl-state"}}.Encode()
	status, next := step(authorize)
	login, _ := url.Parse(next)
	if status != "302" || login.Path != "/login" {
		t.Fatalf("authorize without a session: %s %s", status, next)
	}
	status, next = step("--data-urlencode", "username=ken@acme.example", "--data-urlencode", "password=correct-horse",
		"--data-urlencode", "from="+login.Query().Get("from"), l.hs.URL+"/login")
	if status != "303" || next != l.hs.URL+"/login/mfa" {
		t.Fatalf("password: %s %s", status, next)
	}
	code, _ := totp.GenerateCode(kenTOTP, time.Now())
	status, next = step("-d", "code="+code, l.hs.URL+"/login/mfa")
	if status != "303" || next != authorize {
		t.Fatalf("code: %s %s, want back to %s", status, next, authorize)
	}
	status, next = step(next)
	back, _ := url.Parse(next)
	if status != "302" || !strings.HasPrefix(next, wikiBack+"?") || back.Query().Get("state") != "curl-state" {
		t.Fatalf("authorize with a session: %s %s", status, next)
	}
	cookies, _ := os.ReadFile(jar)
	if !strings.Contains(string(cookies), "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\t102") {
		t.Fatalf("the jar holds no HttpOnly session cookie:\n%s", cookies)
	}
	out, err := exec.Command(curl, "-sS", "-u", wikiID+":"+wikiSecret, "-d", "grant_type=authorization_code",
		"--data-urlencode", "code="+back.Query().Get("code"), "--data-urlencode", "redirect_uri="+wikiBack, l.hs.URL+"/oauth2/v1/token").Output()
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	if err := json.Unmarshal(out, &tok); err != nil || tok["id_token"] == nil || tok["token_type"] != "Bearer" {
		t.Fatalf("token: %s", out)
	}
	if e := l.events("user.session.start"); len(e) != 1 || e[0].Client.UserAgent.Browser != "UNKNOWN" ||
		!strings.HasPrefix(e[0].Client.UserAgent.RawUserAgent, "curl/") {
		t.Fatalf("curl's sign-in logged as %+v", e)
	}
}
