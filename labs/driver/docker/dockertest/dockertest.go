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

	"github.com/sakimori/sakimori/docker/labimages"
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
			ready = buildImages(engine)
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

// buildImages builds the lab images from this machine's busybox and a
// sakimori-sim compiled from this checkout.
func buildImages(engine *docker.Engine) error {
	dir, err := os.MkdirTemp("", "sakimori-sim-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	src, err := labimages.FromCheckout(dir)
	if err != nil {
		return err
	}
	imgs, err := labimages.All(src)
	if err != nil {
		return err
	}
	for _, img := range imgs {
		if _, err := engine.BuildImage(context.Background(), img.Tag, img.Files, nil); err != nil {
			return err
		}
	}
	return nil
}
