package modes

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/aws/client"
	"github.com/sakimori/sakimori/sim/labkit"
)

func init() {
	labkit.Register("unload", func(_ context.Context, args []string) error { return runUnload(args) })
}

// runUnload is the warehouse's unload to an external stage: it puts what
// it reads to an S3 URL with the credentials it is given, as a cloud
// warehouse's COPY INTO 's3://…' CREDENTIALS = (…) does. The warehouse
// runs it for COPY … TO PROGRAM:
//
//	COPY (SELECT …) TO PROGRAM 'sakimori-sim unload -key-id AKIA… -secret … s3://bucket/key.csv'
//
// The stage's object store is UNLOAD_ENDPOINT (or -endpoint).
func runUnload(args []string) error {
	fs := flag.NewFlagSet("unload", flag.ContinueOnError)
	endpoint := fs.String("endpoint", os.Getenv("UNLOAD_ENDPOINT"), "the stage's object store")
	keyID := fs.String("key-id", "", "the stage's access key id")
	secret := fs.String("secret", "", "its secret")
	if err := fs.Parse(args); err != nil {
		return err
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(fs.Arg(0), "s3://"), "/")
	if fs.NArg() != 1 || !strings.HasPrefix(fs.Arg(0), "s3://") || !ok || bucket == "" || key == "" {
		return fmt.Errorf("unload: give the stage as s3://bucket/key")
	}
	if *endpoint == "" || *keyID == "" || *secret == "" {
		return fmt.Errorf("unload: the stage's endpoint, -key-id and -secret are needed")
	}
	body, err := io.ReadAll(io.LimitReader(os.Stdin, 64<<20))
	if err != nil {
		return err
	}
	c := &client.Client{Endpoint: *endpoint, Region: "us-east-1", UserAgent: "warehouse-unload/1.0",
		Creds: &client.Credentials{AccessKeyID: *keyID, SecretAccessKey: *secret}, HTTP: &http.Client{Timeout: 30 * time.Second}}
	res, err := c.S3(http.MethodPut, "/"+bucket+"/"+key, body)
	if err != nil {
		return fmt.Errorf("unload: %w", err)
	}
	if !res.OK() {
		return fmt.Errorf("unload: the stage refused: %s", res)
	}
	return nil
}
