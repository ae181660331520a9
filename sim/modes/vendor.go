package modes

import (
	"context"
	"flag"
	"os"

	"github.com/sakimori/sakimori/sim/labkit"
	"github.com/sakimori/sakimori/sim/vendorsite"
)

func init() {
	labkit.Register("vendor", runVendor)
	labkit.Register("collector", runCollector)
}

// runVendor serves the coverage vendor's website, releasing the
// uploader UPLOADER_SCRIPT to the store VENDOR_STORE with the release key
// VENDOR_KEY_ID and VENDOR_SECRET unless the store holds one already.
func runVendor(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("vendor", flag.ContinueOnError)
	listen := fs.String("listen", ":80", "address to serve on")
	site := fs.String("site", "http://uploader.coverlytics.example", "the site's public URL, as its docs print it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := vendorsite.Config{SimKey: os.Getenv("CLOUDSIM_KEY"), Site: *site}
	for _, setting := range []struct {
		name string
		to   *string
	}{{"UPLOADER_SCRIPT", &cfg.Script}, {"VENDOR_STORE", &cfg.Store}, {"VENDOR_KEY_ID", &cfg.Release.AccessKeyID}, {"VENDOR_SECRET", &cfg.Release.SecretAccessKey}} {
		var err error
		if *setting.to, err = labkit.Setting(setting.name); err != nil {
			return err
		}
	}
	s, err := vendorsite.New(cfg)
	if err != nil {
		return err
	}
	go func() { _ = s.Publish(ctx) }()
	return labkit.Serve(ctx, *listen, s)
}

// runCollector serves the intruder's collector; its listing needs the
// bearer token COLLECTOR_KEY.
func runCollector(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("collector", flag.ContinueOnError)
	listen := fs.String("listen", ":80", "address to serve on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return labkit.Serve(ctx, *listen, vendorsite.NewCollector(os.Getenv("COLLECTOR_KEY")))
}
