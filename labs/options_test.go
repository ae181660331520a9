package labs_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/scenarios"
	"github.com/sakimori/sakimori/store/storetest"
)

// testOptions are the configured defaults, as the server would pass them.
func testOptions() labs.Options {
	d := config.Defaults()
	return labs.Options{
		Capacity: d.LabCapacity, ProvisionTimeout: d.LabProvisionTimeout, ExtendBy: d.LabExtendBy, MaxExtensions: d.LabMaxExtensions,
		FlagKey: []byte("test flag key, 32 bytes long!!!!"), Now: time.Now, Logger: slog.New(slog.DiscardHandler),
	}
}

func TestNewServiceRefusesMissingOptions(t *testing.T) {
	cat, err := labs.LoadCatalogue(scenarios.Files())
	if err != nil {
		t.Fatal(err)
	}
	pool, err := labs.NewPool("10.219.0.0/16", 26)
	if err != nil {
		t.Fatal(err)
	}
	// Never called: NewService only keeps it.
	d := struct{ driver.Driver }{}
	store := storetest.Open(t, "sqlite").Labs()
	if _, err := labs.NewService(nil, d, cat, pool, testOptions()); err == nil {
		t.Error("a service with no store was made")
	}
	_, err = labs.NewService(store, d, cat, pool, labs.Options{MaxExtensions: -1, FlagKey: []byte("short")})
	if err == nil {
		t.Fatal("zero options accepted")
	}
	for _, want := range []string{"capacity", "provision timeout", "extend-by", "max extensions", "flag key", "clock", "logger"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not name %s: %v", want, err)
		}
	}
	if _, err := labs.NewService(store, d, cat, pool, testOptions()); err != nil {
		t.Fatalf("the configured defaults were refused: %v", err)
	}
}
