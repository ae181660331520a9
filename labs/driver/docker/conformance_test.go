package docker

import (
	"testing"

	"github.com/sakimori/sakimori/docker/labimages"
	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/labs/driver/drivertest"
)

// TestEngineKeepsTheContract holds the Docker driver to every promise of
// the driver contract, on the real engine.
func TestEngineKeepsTheContract(t *testing.T) {
	e := requireEngine(t)
	requireLabImages(t, e)
	drivertest.Run(t, func(t *testing.T) driver.Driver { return requireEngine(t) }, drivertest.Options{
		Image: labimages.Base,
		Restarted: func(t *testing.T, d driver.Driver) driver.Driver {
			fresh, err := Connect("")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { fresh.Close() })
			return fresh.ForRange(d.(*Engine).rangeID)
		},
		OtherRange: func(t *testing.T, d driver.Driver) driver.Driver { return d.(*Engine).ForRange("test-" + newID(t)) },
		Squat: func(t *testing.T, d driver.Driver, spec driver.InstanceSpec) {
			e := d.(*Engine)
			squatter := spec
			squatter.ID = spec.ID + "-squatter"
			opts := networkCreate(squatter, spec.Networks[0])
			e.stamp(opts.Labels)
			if _, err := e.cli.NetworkCreate(bg, networkName(spec.ID, spec.Networks[0].Name), opts); err != nil {
				t.Fatal(err)
			}
		},
		Unreachable: func(t *testing.T) driver.Driver {
			dead, err := Connect("tcp://127.0.0.1:1") // nothing listens on port 1
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { dead.Close() })
			return dead.ForRange("unreachable")
		},
	})
}
