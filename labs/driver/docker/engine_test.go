package docker

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// requireEngine skips without a Docker engine, unless SAKIMORI_TEST_DOCKER
// is set (as CI sets it), where a missing engine is a failure.
func requireEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := Connect("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if _, err := e.Ping(context.Background()); err != nil {
		if os.Getenv("SAKIMORI_TEST_DOCKER") != "" {
			t.Fatalf("SAKIMORI_TEST_DOCKER is set but the engine does not answer: %v", err)
		}
		t.Skipf("no Docker engine: %v", err)
	}
	return e
}

func TestPingRealEngine(t *testing.T) {
	e := requireEngine(t)
	api, err := e.Ping(context.Background())
	if err != nil || !strings.HasPrefix(api, "1.") {
		t.Fatalf("Ping = %q, %v", api, err)
	}
}

func TestPingUnreachableEngineFailsFast(t *testing.T) {
	e, err := Connect("tcp://127.0.0.1:1") // nothing listens on port 1
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	start := time.Now()
	if _, err := e.Ping(context.Background()); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("Ping of a dead engine = %v; want an error naming the address", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("Ping did not honour its deadline")
	}
}
