// Package dockertest gives tests the real Docker engine, with the base lab
// image built. Without an engine a test is skipped, unless
// SAKIMORI_TEST_DOCKER is set (as CI sets it), where that is a failure.
package dockertest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	labimages "github.com/sakimori/sakimori/docker/labs"
	"github.com/sakimori/sakimori/labs/driver/docker"
)

var (
	once   sync.Once
	engine *docker.Engine
	ready  error
)

// Engine returns the engine, acting for a range of the caller's own so
// that tests running together never reconcile each other's labs away.
func Engine(t testing.TB) *docker.Engine {
	t.Helper()
	once.Do(func() {
		engine, ready = docker.Connect("")
		if ready == nil {
			ready = engine.Ping(context.Background())
		}
		if ready == nil {
			var imgs []labimages.Image
			if imgs, ready = labimages.All(labimages.HostSources); ready == nil {
				_, ready = engine.BuildImage(context.Background(), imgs[0].Tag, imgs[0].Files, nil)
			}
		}
	})
	if ready != nil {
		if os.Getenv("SAKIMORI_TEST_DOCKER") != "" {
			t.Fatalf("SAKIMORI_TEST_DOCKER is set but the engine is not usable: %v", ready)
		}
		t.Skipf("no Docker engine: %v", ready)
	}
	return engine.ForRange(fmt.Sprintf("test-%d", time.Now().UnixNano()))
}
