package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/labs/driver/docker/dockertest"
	"github.com/sakimori/sakimori/labs/driver/drivertest"
	"github.com/sakimori/sakimori/scenarios"
	"github.com/sakimori/sakimori/server"
	"github.com/sakimori/sakimori/store"
)

var subnetBlock = make(chan string, 16)

var testFlagKey = []byte("server test flag key, 32 bytes!!")

func init() {
	for i := range 16 {
		subnetBlock <- fmt.Sprintf("10.222.%d.0/20", i*16)
	}
	labsWith = func(t testing.TB, db *store.DB, d driver.Driver) *labs.Service {
		cat, _ := labs.LoadCatalogue(scenarios.Files())
		block := <-subnetBlock
		t.Cleanup(func() { subnetBlock <- block }) // after the labs in it are gone (cleanups run last first)
		pool, _ := labs.NewPool(block, 26)
		defaults := config.Defaults()
		svc, err := labs.NewService(db.Labs(), d, cat, pool, labs.Options{
			Capacity: defaults.LabCapacity, ProvisionTimeout: defaults.LabProvisionTimeout, ExtendBy: defaults.LabExtendBy,
			MaxExtensions: 1, FlagKey: testFlagKey, Now: time.Now, Logger: slog.New(slog.DiscardHandler),
			Recordings: db.Labs(), RecordingsDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			svc.Close(context.Background())
			all, _ := db.Labs().ListInstances(context.Background(), labs.ListFilter{})
			for _, i := range all {
				d.Destroy(context.Background(), i.ID)
			}
		})
		return svc
	}
}

// engineFor is the real engine, in a range of the test's own, for the
// tests that need real hosts: terminals with a real shell.
func engineFor(t testing.TB) driver.Driver { return dockertest.Engine(t) }

// fakeLabs is an in-memory lab runtime, for the API above the driver.
func fakeLabs() *drivertest.Fake { return drivertest.NewFake().ForRange("test") }

func TestLabLifecycleOverTheAPI(t *testing.T) {
	rg := newRangeWithLabs(t, fakeLabs())
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	bob, _ := rg.userWithRole("bob@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	rg.teaches("teacher@range.test", "alice@range.test", "bob@range.test")

	r := rg.call("GET", "/api/v1/scenarios", nil, bearer(alice)...)
	expect(t, r, 200, "")
	if !strings.Contains(r.raw, `"id":"orientation"`) {
		t.Fatalf("catalogue: %s", r.raw)
	}
	r = rg.call("GET", "/api/v1/scenarios/orientation", nil, bearer(alice)...)
	expect(t, r, 200, "")
	if strings.Contains(r.raw, "variable") || strings.Contains(r.raw, "FLAG") || !strings.Contains(r.raw, `"objectives"`) {
		t.Fatalf("scenario detail leaks answers or lacks objectives: %s", r.raw)
	}

	r = rg.call("POST", "/api/v1/labs", map[string]string{"scenario": "orientation"}, bearer(alice)...)
	expect(t, r, 202, "")
	id := r.body["id"].(string)
	if r.header.Get("Location") != "/api/v1/labs/"+id || r.body["state"] != "pending" || r.body["terminal_host"] != "workstation" {
		t.Fatalf("launch reply: %s (Location %q)", r.raw, r.header.Get("Location"))
	}
	expect(t, rg.call("POST", "/api/v1/labs", map[string]string{"scenario": "orientation"}, bearer(alice)...), 409, "quota_exceeded")

	// The start-up streams: one event per change, ending once running.
	stream := rg.call("GET", "/api/v1/labs/"+id+"/events", nil, bearer(alice)...)
	if stream.status != 200 || stream.header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("event stream: %d %s", stream.status, stream.header.Get("Content-Type"))
	}
	events := strings.Split(strings.TrimSpace(stream.raw), "\n\n")
	if len(events) < 2 || !strings.HasPrefix(events[0], "event: lab\ndata: {") || !strings.Contains(events[len(events)-1], `"state":"running"`) {
		t.Fatalf("events: %q", stream.raw)
	}
	expect(t, rg.call("GET", "/api/v1/labs/"+id+"/events", nil, bearer(bob)...), 404, "lab_not_found")

	deadline := time.Now().Add(60 * time.Second)
	for r.body["state"] != "running" {
		if time.Now().After(deadline) || r.body["state"] == "failed" {
			t.Fatalf("lab did not run: %s", r.raw)
		}
		time.Sleep(100 * time.Millisecond)
		r = rg.call("GET", "/api/v1/labs/"+id, nil, bearer(alice)...)
	}
	if r.body["progress"] != float64(100) {
		t.Fatalf("running lab progress: %s", r.raw)
	}

	expect(t, rg.call("GET", "/api/v1/labs/"+id, nil, bearer(bob)...), 404, "lab_not_found")
	expect(t, rg.call("DELETE", "/api/v1/labs/"+id, nil, bearer(bob)...), 404, "lab_not_found")
	r = rg.call("GET", "/api/v1/labs?all=1", nil, bearer(teacher)...)
	if !strings.Contains(r.raw, id) || !strings.Contains(r.raw, `"trainee_name":"alice"`) || strings.Contains(r.raw, "@range.test") {
		t.Fatalf("staff cannot list every lab by trainee name (never email): %s", r.raw)
	}
	if r = rg.call("GET", "/api/v1/labs?all=1", nil, bearer(bob)...); strings.Contains(r.raw, id) {
		t.Fatal("a trainee listed another trainee's lab")
	}

	r = rg.call("POST", "/api/v1/labs/"+id+"/extend", nil, bearer(alice)...)
	expect(t, r, 200, "")
	expect(t, rg.call("POST", "/api/v1/labs/"+id+"/extend", nil, bearer(alice)...), 409, "extend_limit")

	r = rg.call("DELETE", "/api/v1/labs/"+id, nil, bearer(alice)...)
	expect(t, r, 200, "")
	if r.body["state"] != "stopped" {
		t.Fatalf("stop: %s", r.raw)
	}
	expect(t, rg.call("POST", "/api/v1/labs/"+id+"/extend", nil, bearer(alice)...), 409, "lab_not_running")
}

func TestLabRequestsAreChecked(t *testing.T) {
	rg := newRangeWithLabs(t, fakeLabs())
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	launch := func(name string, body any, status int, code string) apiCase {
		return apiCase{name: name, method: "POST", url: "/api/v1/labs", body: body, token: alice, status: status, code: code}
	}
	cases := []apiCase{
		launch("unknown scenario", map[string]string{"scenario": "atlantis"}, 404, "scenario_not_found"),
		launch("no scenario", map[string]string{}, 400, "scenario_required"),
		launch("a field the API lacks", map[string]any{"scenario": "orientation", "privileged": true}, 400, "field_unknown"),
		{name: "no token", method: "POST", url: "/api/v1/labs", body: map[string]string{"scenario": "orientation"}, status: 401, code: "token_missing"},
	}
	for _, bad := range []string{"..%2F..%2Fetc", "LABC", "l'%20OR%201=1", "laaaaaaaaaaaa0"} {
		cases = append(cases, apiCase{name: "lab id " + bad, method: "GET", url: "/api/v1/labs/" + bad, token: alice, status: 404, code: "lab_not_found"})
	}
	rg.check(t, cases)
	// Launches are rate limited per person (6 a minute by default), failed
	// or not: three refused above, three more here, and the seventh is cut.
	for range 3 {
		rg.call("POST", "/api/v1/labs", map[string]string{"scenario": "atlantis"}, bearer(alice)...)
	}
	expect(t, rg.call("POST", "/api/v1/labs", map[string]string{"scenario": "orientation"}, bearer(alice)...), 429, "rate_limited")
}

func TestLaunchWithTheEngineDown(t *testing.T) {
	f := fakeLabs()
	f.SetUnavailable(true)
	rg := newRangeWithLabs(t, f)
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	start := time.Now()
	expect(t, rg.call("POST", "/api/v1/labs", map[string]string{"scenario": "orientation"}, bearer(alice)...), 503, "engine_unavailable")
	if time.Since(start) > 3*time.Second {
		t.Fatalf("the refusal took %v", time.Since(start))
	}
}

// A person may follow a few labs' start-ups at once, not flood the server
// with streams.
func TestLabEventStreamsAreCapped(t *testing.T) {
	f := fakeLabs()
	f.SlowCreate(time.Minute) // the lab stays starting while the test looks
	rg := newRangeWithLabs(t, f)
	t.Cleanup(func() { f.SlowCreate(0) })
	base := rg.listen()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	r := rg.call("POST", "/api/v1/labs", map[string]string{"scenario": "orientation"}, bearer(alice)...)
	expect(t, r, 202, "")
	id := r.body["id"].(string)
	open := func() *http.Response {
		req, _ := http.NewRequest("GET", base+"/api/v1/labs/"+id+"/events", nil)
		req.Header.Set("Authorization", "Bearer "+alice)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	var streams []*http.Response
	for range 4 {
		streams = append(streams, open()) // the lab is still starting: they stay open
	}
	fifth := open()
	body, _ := io.ReadAll(fifth.Body)
	fifth.Body.Close()
	for _, s := range streams {
		s.Body.Close()
	}
	if fifth.StatusCode != 429 || !strings.Contains(string(body), "too_many_streams") {
		t.Fatalf("a fifth stream: %d %s", fifth.StatusCode, body)
	}
}

// The start-up stream tells of each transition as it is written, not at
// its next look: with the look a minute away, "running" still arrives at
// once.
func TestLabEventStreamTellsOfTransitionsAsTheyHappen(t *testing.T) {
	t.Cleanup(server.LookEvery(time.Minute))
	f := fakeLabs()
	f.SlowCreate(500 * time.Millisecond) // the stream opens while the lab starts
	rg := newRangeWithLabs(t, f)
	t.Cleanup(func() { f.SlowCreate(0) })
	base := rg.listen()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	r := rg.call("POST", "/api/v1/labs", map[string]string{"scenario": "orientation"}, bearer(alice)...)
	expect(t, r, 202, "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/labs/"+r.body["id"].(string)+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+alice)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || !strings.Contains(string(body), `"state":"running"`) {
		t.Fatalf("the stream did not tell of running in time (%v): %s", err, body)
	}
}
