package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// The real command serves /metrics on the metrics address, behind the
// token, and not on the public port (docs/security.md case 13).
func TestServeMetricsOnTheirOwnAddress(t *testing.T) {
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := free.Addr().String()
	free.Close()
	env := envOf(map[string]string{"SAKIMORI_DATA_DIR": t.TempDir(), "SAKIMORI_LISTEN": "127.0.0.1:0",
		"SAKIMORI_METRICS_LISTEN": metricsAddr, "SAKIMORI_METRICS_TOKEN": "a-metrics-token-for-tests"})
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env, nil, io.Discard, out) }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		t.Fatalf("no address in the start-up block:\n%s", out.String())
	}
	get := func(url, token string) int {
		req, _ := http.NewRequest("GET", url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get("http://"+addr+"/metrics", "a-metrics-token-for-tests"); s != 404 {
		t.Errorf("/metrics on the public port: %d, want 404", s)
	}
	if s := get("http://"+metricsAddr+"/metrics", ""); s != 401 {
		t.Errorf("/metrics without the token: %d, want 401", s)
	}
	if s := get("http://"+metricsAddr+"/metrics", "a-metrics-token-for-tests"); s != 200 {
		t.Errorf("/metrics with the token: %d, want 200", s)
	}
}
