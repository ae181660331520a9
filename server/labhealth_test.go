package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/labs/driver/drivertest"
)

// A host out of processes shows in the lab's health, for the page to
// offer a reset; it is the trainee's own to see, and an engine that does
// not answer is a 503 with its code.
func TestLabHealthNamesAHostOutOfProcesses(t *testing.T) {
	d := fakeLabs()
	rg := newRangeWithLabs(t, d)
	trainee, _ := rg.userWithRole("trainee@range.test", accounts.RoleTrainee)
	other, _ := rg.userWithRole("other@range.test", accounts.RoleTrainee)
	as := bearer(trainee)
	r := rg.call("POST", "/api/v1/labs", map[string]string{"scenario": "orientation"}, as...)
	id := r.body["id"].(string)
	lab := "/api/v1/labs/" + id
	waitUntil(t, func() bool { return rg.call("GET", lab, nil, as...).body["state"] == "running" })

	if got := rg.call("GET", lab+"/health", nil, as...); got.status != 200 || got.body["healthy"] != true {
		t.Fatalf("a fresh lab: %d %v", got.status, got.body)
	}
	d.SetProcesses(id, "workstation", 128, 128)
	got := rg.call("GET", lab+"/health", nil, as...)
	if got.status != 200 || got.body["healthy"] != false || got.body["host"] != "workstation" ||
		!strings.Contains(got.body["reason"].(string), "run out of processes") {
		t.Fatalf("a host at its limit: %d %v", got.status, got.body)
	}
	if got := rg.call("GET", lab+"/health", nil, bearer(other)...); got.status != 404 {
		t.Errorf("another trainee: %d %v", got.status, got.body)
	}
	d.Fail(drivertest.OpStatus, driver.ErrUnavailable)
	defer d.Fail(drivertest.OpStatus, nil)
	if got := rg.call("GET", lab+"/health", nil, as...); got.status != 503 || !strings.Contains(fmt.Sprint(got.body["error"]), "engine_unavailable") {
		t.Errorf("engine down: %d %v", got.status, got.body)
	}
}
