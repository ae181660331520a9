package modes

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/aws/client"
	"github.com/sakimori/sakimori/sim/labkit"
	"github.com/sakimori/sakimori/sim/warehouse"
)

func init() {
	labkit.Register("warehouse-probe", func(ctx context.Context, args []string) error { return exit(probeWarehouse(ctx, args)) })
}

// probeWarehouse checks a warehouse's hardening by trying what the
// intruder did, with the real psql:
//
//	sakimori-sim warehouse-probe sign-in -host H -user U -password-env VAR -want network|factor
//	    from this host, U with the password in $VAR and no client certificate is refused
//	    by the network policy (network) or for want of its second factor (factor)
//	sakimori-sim warehouse-probe password-changed -user U -leaked-env VAR
//	    (on the warehouse) the password in $VAR no longer opens U
//	sakimori-sim warehouse-probe no-unload
//	    (on the warehouse) no role that signs in may copy data out to a program
//	sakimori-sim warehouse-probe note-left -user U -contains TEXT
//	    (on the warehouse) a table U made holds TEXT
//	sakimori-sim warehouse-probe stage-holds -bucket B -contains TEXT
//	    (on the stage's object store) an object in B holds TEXT, read with
//	    the key in STAGE_KEY_ID and STAGE_SECRET
//
// The ones on the warehouse are sim/warehouse's checks: they sign in as
// its own account on its socket and leave no statement in its log.
func probeWarehouse(ctx context.Context, args []string) int {
	if len(args) < 1 {
		fmt.Fprintln(os.Stderr, "usage: sakimori-sim warehouse-probe sign-in|password-changed|no-unload|note-left|stage-holds ...")
		return 2
	}
	fs := flag.NewFlagSet("warehouse-probe "+args[0], flag.ContinueOnError)
	host := fs.String("host", "warehouse", "sign-in: the warehouse's address")
	database := fs.String("database", "", "the database (WAREHOUSE's, on the warehouse)")
	user := fs.String("user", "", "the role")
	passwordEnv := fs.String("password-env", "", "sign-in: the variable holding the password")
	leakedEnv := fs.String("leaked-env", "", "password-changed: the variable holding the leaked password")
	want := fs.String("want", "network", "sign-in: why it must be refused, network or factor")
	contains := fs.String("contains", "", "note-left, stage-holds: the text looked for")
	bucket := fs.String("bucket", "", "stage-holds: the stage's bucket")
	endpoint := fs.String("endpoint", "http://127.0.0.1", "stage-holds: the object store")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *database == "" {
		if w, err := warehouse.ParseWorld(os.Getenv("WAREHOUSE")); err == nil {
			*database = w.Database
		}
	}
	var ok bool
	var why string
	var err error
	switch {
	case args[0] == "sign-in" && *user != "" && *passwordEnv != "" && (*want == "network" || *want == "factor"):
		ok, why, err = refusedSignIn(*host, *user, os.Getenv(*passwordEnv), *want)
	case args[0] == "password-changed" && *user != "" && *leakedEnv != "":
		ok, why, err = warehouse.PasswordChanged(ctx, *database, *user, os.Getenv(*leakedEnv))
	case args[0] == "no-unload":
		ok, why, err = warehouse.NoUnload(ctx, *database)
	case args[0] == "note-left" && *user != "" && *contains != "":
		ok, why, err = warehouse.NoteLeft(ctx, *database, *user, *contains)
	case args[0] == "stage-holds" && *bucket != "" && *contains != "":
		ok, why, err = stageHolds(*endpoint, *bucket, *contains)
	default:
		fmt.Fprintln(os.Stderr, "sakimori-sim warehouse-probe: see the usage in its documentation; got", strings.Join(args, " "))
		return 2
	}
	if err != nil {
		fmt.Println("could not ask the warehouse:", err)
		return 2
	}
	return verdict(ok, why)
}

// refusedSignIn signs in as the intruder did, from this host, with the
// password and no certificate (HOME is an empty folder, so psql finds
// none), and says whether the server refused it for the reason wanted. It
// asks for the checks' own database, which is not there: a sign-in that
// works ends as soon as it is let in, and the histories leave it out.
func refusedSignIn(host, user, password, want string) (bool, string, error) {
	home, err := os.MkdirTemp("", "probe")
	if err != nil {
		return false, "", err
	}
	defer os.RemoveAll(home)
	cmd := exec.Command("psql", "-X", "-w", "-c", `\q`)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "PGHOST=" + host, "PGUSER=" + user,
		"PGDATABASE=" + warehouse.CheckDatabase, "PGPASSWORD=" + password, "PGAPPNAME=" + warehouse.CheckClient, "PGCONNECT_TIMEOUT=10", "PGSSLMODE=require"}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	msg := out.String()
	if err == nil || strings.Contains(msg, fmt.Sprintf("database %q does not exist", warehouse.CheckDatabase)) {
		return false, fmt.Sprintf("%s signed in from here with the leaked password", user), nil
	}
	network := strings.Contains(msg, "pg_hba.conf rejects connection") || strings.Contains(msg, "no pg_hba.conf entry")
	factor := strings.Contains(msg, "requires a valid client certificate")
	switch {
	case want == "network" && network:
		return true, fmt.Sprintf("the network policy refuses %s from here", user), nil
	case want == "factor" && factor:
		return true, fmt.Sprintf("%s is refused without its second factor, a client certificate", user), nil
	case network, factor, strings.Contains(msg, "password authentication failed"):
		return false, fmt.Sprintf("%s was refused, but not for the reason checked: %s", user, strings.TrimSpace(lastLine(msg))), nil
	}
	return false, "", fmt.Errorf("psql: %s", strings.TrimSpace(msg))
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndex(s, "\n")+1:]
}

func stageHolds(endpoint, bucket, text string) (bool, string, error) {
	c := &client.Client{Endpoint: endpoint, Region: "us-east-1", HTTP: &http.Client{Timeout: 15 * time.Second},
		Creds: &client.Credentials{AccessKeyID: os.Getenv("STAGE_KEY_ID"), SecretAccessKey: os.Getenv("STAGE_SECRET")}}
	res, err := c.S3(http.MethodGet, "/"+bucket+"?list-type=2", nil)
	if err != nil {
		return false, "", err
	}
	if !res.OK() {
		return false, "", fmt.Errorf("listing %s: %s", bucket, res)
	}
	for _, key := range client.ListKeys(res.Body) {
		obj, err := c.S3(http.MethodGet, "/"+bucket+"/"+key, nil)
		if err != nil {
			return false, "", err
		}
		if obj.OK() && bytes.Contains(obj.Body, []byte(text)) {
			return true, fmt.Sprintf("s3://%s/%s holds the customers", bucket, key), nil
		}
	}
	return false, fmt.Sprintf("nothing in s3://%s holds the customers yet", bucket), nil
}
