package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/sakimori/sakimori/labs/cloudsim/apps"
	"github.com/sakimori/sakimori/labs/cloudsim/client"
	"github.com/sakimori/sakimori/labs/cloudsim/cloud"
	"github.com/sakimori/sakimori/labs/cloudsim/imds"
)

var logger = slog.New(slog.NewTextHandler(os.Stderr, nil))

// serve runs h on addr until ctx ends.
func serve(ctx context.Context, addr string, h http.Handler) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	logger.Info("listening", "addr", addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func runCloud(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("cloud", flag.ExitOnError)
	listen := fs.String("listen", ":80", "address to serve the API on")
	_ = fs.Parse(args)
	text, err := env("CLOUDSIM_WORLD")
	if err != nil {
		return err
	}
	world, err := cloud.ParseWorld(text)
	if err != nil {
		return err
	}
	srv, err := cloud.New(world, os.Getenv("CLOUDSIM_KEY"))
	if err != nil {
		return err
	}
	go srv.Run(ctx)
	return serve(ctx, *listen, srv)
}

// runInstance serves an instance: its app on every address, and its
// metadata service to requests that arrive at the metadata address, which
// only this host's own network namespace holds.
func runInstance(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("instance", flag.ExitOnError)
	listen := fs.String("listen", ":80", "address to serve on")
	app := fs.String("app", "", "the instance's application: fetcher")
	workload := fs.String("workload", "", "bucket/key the instance reads with its role every minute, as its normal work")
	_ = fs.Parse(args)
	endpoint, err := env("CLOUDSIM_CLOUD")
	if err != nil {
		return err
	}
	key, err := env("CLOUDSIM_KEY")
	if err != nil {
		return err
	}
	id, err := env("CLOUDSIM_INSTANCE")
	if err != nil {
		return err
	}
	meta := imds.New(&imds.Remote{Endpoint: endpoint, SimKey: key, InstanceID: id})
	var appHandler http.Handler = http.NotFoundHandler()
	switch *app {
	case "fetcher":
		appHandler = apps.NewFetcher(os.Getenv("APP_ADMIN_TOKEN"))
	case "":
	default:
		return fmt.Errorf("unknown app %q", *app)
	}
	if *workload != "" {
		go instanceWorkload(ctx, endpoint, *workload)
	}
	return serve(ctx, *listen, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
			logger.Warn("workload: no credentials", "err", err)
			continue
		}
		c := &client.Client{Endpoint: endpoint, Creds: creds, UserAgent: "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22 app/acme-preview"}
		if res, err := c.S3("GET", "/"+object, nil); err != nil || !res.OK() {
			logger.Warn("workload: read failed", "object", object, "result", res.String(), "err", err)
		}
	}
}
