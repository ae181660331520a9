package modes

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/sim/aws"
	"github.com/sakimori/sakimori/sim/aws/account"
)

const stageWorld = `
account: "480613220995"
users:
  - name: drop
    keys: [{id: AKIAEXAMPLEDROPKEY01, secret: drop-secret-drop-secret-drop-secret-0001}]
    policies: [{name: drop, document: '{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::drop", "arn:aws:s3:::drop/*"]}}'}]
buckets:
  - name: drop
  - name: other
`

// withStdin runs f with body on its standard input, as COPY … TO PROGRAM
// feeds the unload.
func withStdin(t *testing.T, body string, f func() error) error {
	t.Helper()
	name := filepath.Join(t.TempDir(), "rows.csv")
	if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	saved := os.Stdin
	os.Stdin = in
	defer func() { os.Stdin = saved }()
	return f()
}

// The unload puts its rows in the stage with the key it is given, which
// the stage check then finds; a key the stage does not know, a bucket it
// may not write and a URL that is not s3://bucket/key are refused.
func TestUnloadPutsTheRowsInTheStage(t *testing.T) {
	w, err := account.ParseWorld(stageWorld)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := aws.New(w, "sim-key")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	t.Setenv("UNLOAD_ENDPOINT", ts.URL)
	t.Setenv("STAGE_KEY_ID", "AKIAEXAMPLEDROPKEY01")
	t.Setenv("STAGE_SECRET", "drop-secret-drop-secret-drop-secret-0001")
	key := []string{"-key-id", "AKIAEXAMPLEDROPKEY01", "-secret", "drop-secret-drop-secret-drop-secret-0001"}

	if ok, why, err := stageHolds(ts.URL, "drop", "FLAG{vip}"); ok || err != nil {
		t.Fatalf("an empty stage: %v %s %v", ok, why, err)
	}
	rows := "id,name,notes\n4242,佐藤 花子,\"VIP, key account: FLAG{vip}\"\n"
	if err := withStdin(t, rows, func() error { return runUnload(append(key, "s3://drop/acme/customers.csv")) }); err != nil {
		t.Fatal(err)
	}
	if ok, why, err := stageHolds(ts.URL, "drop", "FLAG{vip}"); !ok || err != nil {
		t.Errorf("after the unload: %v %s %v", ok, why, err)
	}
	for name, args := range map[string][]string{
		"a key the stage does not know":  {"-key-id", "AKIAEXAMPLEUNKNOWN01", "-secret", "nope", "s3://drop/x.csv"},
		"a bucket the key may not write": append(key[:4:4], "s3://other/x.csv"),
		"no key":                         {"s3://drop/x.csv"},
		"no object key":                  append(key[:4:4], "s3://drop"),
		"not s3":                         append(key[:4:4], "https://drop/x.csv"),
	} {
		err := withStdin(t, rows, func() error { return runUnload(args) })
		if err == nil || !strings.HasPrefix(err.Error(), "unload:") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
