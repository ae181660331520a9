package drivertest_test

import (
	"testing"

	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/labs/driver/drivertest"
)

const image = "sakimori-lab/base:latest"

func TestFakeKeepsTheContract(t *testing.T) {
	drivertest.Run(t, func(*testing.T) driver.Driver { return drivertest.NewFake(image).ForRange("conformance") }, drivertest.Options{
		Image:      image,
		Restarted:  func(_ *testing.T, d driver.Driver) driver.Driver { return d.(*drivertest.Fake).Restarted() },
		OtherRange: func(_ *testing.T, d driver.Driver) driver.Driver { return d.(*drivertest.Fake).ForRange("another") },
		Squat:      func(_ *testing.T, d driver.Driver, spec driver.InstanceSpec) { d.(*drivertest.Fake).Squat(spec) },
		Unreachable: func(*testing.T) driver.Driver {
			f := drivertest.NewFake(image)
			f.SetUnavailable(true)
			return f
		},
	})
}
