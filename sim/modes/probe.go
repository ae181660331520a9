package modes

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/aws/client"
	"github.com/sakimori/sakimori/sim/aws/imds"
	"github.com/sakimori/sakimori/sim/labkit"
)

// runProbe is a state check: it makes one request, prints what came back
// (kept by the platform as evidence) and exits 0 when that is what was
// expected, 1 when not, 2 when it could not ask.
//
//	sakimori-sim probe status URL CODE...            an HTTP status is one of CODE
//	sakimori-sim probe status -redirect TARGET URL CODE...   the same, URL's {redirect} a local redirect to TARGET
//	sakimori-sim probe aws [-creds imds|env] s3 METHOD PATH EXPECT
//	sakimori-sim probe aws [-creds imds|env] sts|iam|ec2 ACTION [Name=Value...] EXPECT
//	sakimori-sim probe cloud CHECK ...   the cloud's state, read as the platform (cloudprobe.go)
//
// -creds env reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; env:NAME
// reads NAME_ACCESS_KEY_ID and NAME_SECRET_ACCESS_KEY, so a check host can
// hold a checker's identity beside the one the lab is about. -creds
// file:PATH reads a credentials document (the metadata service's shape:
// AccessKeyId, SecretAccessKey, Token), such as an intruder's stolen ones.
// EXPECT is "ok" or the error code expected (AccessDenied, ...), or
// several joined by | (AccessDenied|NoSuchKey).
func runProbe(args []string) int {
	if len(args) < 1 {
		fmt.Fprintln(os.Stderr, "usage: sakimori-sim probe status|aws|cloud ...")
		return 2
	}
	switch args[0] {
	case "status":
		return probeStatus(args[1:])
	case "aws":
		return probeAWS(args[1:])
	case "cloud":
		return probeCloud(args[1:])
	}
	fmt.Fprintln(os.Stderr, "sakimori-sim probe: unknown probe", args[0])
	return 2
}

func probeStatus(args []string) int {
	fs := flag.NewFlagSet("probe status", flag.ContinueOnError)
	redirect := fs.String("redirect", "", "answer on a local address with a redirect to this URL; {redirect} in URL is that address, query-escaped")
	if err := fs.Parse(args); err != nil || fs.NArg() < 2 {
		fmt.Fprintln(os.Stderr, "usage: sakimori-sim probe status [-redirect TARGET] URL CODE...")
		return 2
	}
	args = fs.Args()
	if *redirect != "" {
		local, stop, err := redirector(*redirect)
		if err != nil {
			fmt.Println("cannot redirect:", err)
			return 2
		}
		defer stop()
		args[0] = strings.ReplaceAll(args[0], "{redirect}", url.QueryEscape(local))
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	resp, err := hc.Get(args[0])
	if err != nil {
		fmt.Println("no answer:", err)
		return 1
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	fmt.Printf("GET %s -> %d\n%s\n", args[0], resp.StatusCode, strings.TrimSpace(string(head)))
	for _, want := range args[1:] {
		if fmt.Sprint(resp.StatusCode) == want {
			return 0
		}
	}
	return 1
}

func probeAWS(args []string) int {
	fs := flag.NewFlagSet("probe aws", flag.ContinueOnError)
	creds := fs.String("creds", "env", "imds (the instance's role), env (AWS_ACCESS_KEY_ID, ...), env:NAME, file:PATH or none (anonymous)")
	endpoint := fs.String("endpoint", os.Getenv("CLOUDSIM_CLOUD"), "the cloud endpoint")
	if err := fs.Parse(args); err != nil || fs.NArg() < 3 {
		fmt.Fprintln(os.Stderr, "usage: sakimori-sim probe aws [-creds imds|env] SERVICE ... EXPECT")
		return 2
	}
	rest := fs.Args()
	service, expect := rest[0], rest[len(rest)-1]
	c, code := checker(*endpoint, *creds)
	if c == nil {
		return code
	}
	var res client.Result
	var err error
	if service == "s3" {
		if len(rest) != 4 {
			fmt.Fprintln(os.Stderr, "usage: sakimori-sim probe aws s3 METHOD PATH EXPECT")
			return 2
		}
		res, err = c.S3(rest[1], rest[2], nil)
	} else {
		params := url.Values{}
		for _, kv := range rest[2 : len(rest)-1] {
			k, v, _ := strings.Cut(kv, "=")
			params.Set(k, v)
		}
		res, err = c.Query(service, rest[1], params)
	}
	if err != nil {
		fmt.Println("no answer:", err)
		return 2
	}
	fmt.Printf("%s %s -> %s\n", service, strings.Join(rest[1:len(rest)-1], " "), res)
	for _, want := range strings.Split(expect, "|") { // AccessDenied|NoSuchKey: either will do
		if (want == "ok" && res.OK()) || (want != "ok" && res.Code == want) {
			return 0
		}
	}
	return 1
}

// platformHeader marks a check's requests as the platform's when the
// check host holds the lab's simulator key: the cloud answers them as
// any other and leaves them out of the trail.
func platformHeader() http.Header {
	if key := os.Getenv("CLOUDSIM_KEY"); key != "" {
		return http.Header{labkit.SimKeyHeader: {key}}
	}
	return nil
}

// checker is a client with the credentials -creds names.
func checker(endpoint, creds string) (*client.Client, int) {
	c := &client.Client{Endpoint: endpoint, UserAgent: "sakimori-check", Header: platformHeader()}
	switch {
	case creds == "imds":
		cr, err := client.FromMetadata("http://" + imds.Address)
		if err != nil {
			fmt.Println("could not get the instance's credentials:", err)
			return nil, 2
		}
		c.Creds = cr
	case creds == "none": // anonymous: unsigned requests
	case creds == "env":
		c.Creds = &client.Credentials{AccessKeyID: os.Getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"), Token: os.Getenv("AWS_SESSION_TOKEN")}
	case strings.HasPrefix(creds, "env:"):
		name := strings.TrimPrefix(creds, "env:")
		c.Creds = &client.Credentials{AccessKeyID: os.Getenv(name + "_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv(name + "_SECRET_ACCESS_KEY")}
	case strings.HasPrefix(creds, "file:"):
		b, err := os.ReadFile(strings.TrimPrefix(creds, "file:"))
		c.Creds = &client.Credentials{}
		if err == nil {
			err = json.Unmarshal(b, c.Creds)
		}
		if err != nil || c.Creds.AccessKeyID == "" {
			fmt.Println("no credentials to check:", err)
			return nil, 2
		}
	default:
		fmt.Fprintln(os.Stderr, "-creds is imds, env, env:NAME, file:PATH or none")
		return nil, 2
	}
	return c, 0
}

// runTrail prints the lab's whole audit trail, a JSON record a line, from
// the cloud's own channel: what detection objectives are graded on.
func runTrail(args []string) int {
	fs := flag.NewFlagSet("trail", flag.ContinueOnError)
	endpoint := fs.String("endpoint", "http://127.0.0.1", "the cloud endpoint")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	return printEvents("trail", *endpoint+"/_sim/trail")
}

// printEvents copies an emulator's log from its platform channel to
// stdout, for a detection's live events: what trail, ci-events and
// idp-events print.
func printEvents(mode, url string) int {
	resp, err := labkit.PlatformGet(&http.Client{Timeout: 15 * time.Second}, url, os.Getenv("CLOUDSIM_KEY"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "sakimori-sim %s: %v\n", mode, err)
		return 2
	}
	defer resp.Body.Close()
	_, _ = io.Copy(os.Stdout, resp.Body)
	return 0
}
