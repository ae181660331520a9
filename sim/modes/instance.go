package modes

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/sakimori/sakimori/sim/aws/client"
	"github.com/sakimori/sakimori/sim/aws/imds"
	"github.com/sakimori/sakimori/sim/labkit"
)

// runInstance serves an instance: its app on every address, and its
// metadata service to requests that arrive at the metadata address, which
// only this host's own network namespace holds.
func runInstance(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("instance", flag.ContinueOnError)
	listen := fs.String("listen", ":80", "address to serve on")
	app := fs.String("app", "", "the instance's application, one a scenario registered")
	workload := fs.String("workload", "", "bucket/key the instance reads with its role every minute, as its normal work")
	if err := fs.Parse(args); err != nil {
		return err
	}
	endpoint, err := labkit.Setting("CLOUDSIM_CLOUD")
	if err != nil {
		return err
	}
	key, err := labkit.Setting("CLOUDSIM_KEY")
	if err != nil {
		return err
	}
	id, err := labkit.Setting("CLOUDSIM_INSTANCE")
	if err != nil {
		return err
	}
	meta := imds.New(&imds.Remote{Endpoint: endpoint, SimKey: key, InstanceID: id})
	var appHandler http.Handler = http.NotFoundHandler()
	if *app != "" {
		make, err := labkit.LookupApp(*app)
		if err != nil {
			return err
		}
		if appHandler, err = make(); err != nil {
			return fmt.Errorf("app %s: %w", *app, err)
		}
	}
	if *workload != "" {
		go instanceWorkload(ctx, endpoint, *workload)
	}
	return labkit.Serve(ctx, *listen, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			if host, _, _ := net.SplitHostPort(la.String()); host == imds.Address {
				meta.ServeHTTP(w, r)
				return
			}
		}
		appHandler.ServeHTTP(w, r)
	}))
}

// instanceWorkload is what the instance does with its role when nobody
// is attacking it: read an object, with IMDSv2 credentials, from its own
// address. It gives the defender's logs the normal use to tell apart.
func instanceWorkload(ctx context.Context, endpoint, object string) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Minute):
		}
		creds, err := client.FromMetadata("http://" + imds.Address)
		if err != nil {
			labkit.Logger.Warn("workload: no credentials", "err", err)
			continue
		}
		c := &client.Client{Endpoint: endpoint, Creds: creds, UserAgent: "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22 app/acme-preview"}
		if res, err := c.S3("GET", "/"+object, nil); err != nil || !res.OK() {
			labkit.Logger.Warn("workload: read failed", "object", object, "result", res.String(), "err", err)
		}
	}
}
