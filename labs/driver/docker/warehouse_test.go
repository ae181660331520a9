package docker

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/docker/labimages"
	"github.com/sakimori/sakimori/labs/driver"
)

// TestWarehouseImage makes the warehouse's Debian base (minutes, the
// first time on a machine; skipped when the engine has the same recipe),
// runs the warehouse in a hardened lab host, and signs in to it with the
// real psql from the workstation: its role from its allowed address gets
// the data, another role's allow-list refuses it, a wrong password is
// refused, and the server's JSON log names who signed in from where and
// what they ran. CI sets SAKIMORI_TEST_WORKSTATION.
func TestWarehouseImage(t *testing.T) {
	if os.Getenv("SAKIMORI_TEST_WORKSTATION") == "" {
		t.Skip("set SAKIMORI_TEST_WORKSTATION=1 to build and test the warehouse image")
	}
	e := requireEngine(t)
	ctx := context.Background()
	requireDebian(t, e, labimages.WarehouseOSImage(), labimages.WarehouseOSImage().Tag())
	if have, _ := e.ImageHash(ctx, labimages.Workstation); have != labimages.WorkstationHash() {
		t.Skip("needs the workstation image of this recipe, for psql (TestWorkstationImage makes it)")
	}
	requireLabImages(t, e)
	warehouse, ok := labimages.WarehouseOf(baseImgs)
	if !ok {
		t.Fatal("no warehouse made from the lab images")
	}
	if _, err := e.BuildImage(ctx, warehouse.Tag, warehouse.Files, nil, warehouse.Name); err != nil {
		t.Fatal(err)
	}

	id := newID(t)
	subnet := <-nextSubnet
	ws := subnet.Addr().Next().Next().Next()
	lab := driver.InstanceSpec{
		ID: id, Trainee: "trainee-" + id, Scenario: "test", Expires: time.Now().Add(time.Hour),
		Networks: []driver.NetworkSpec{{Name: "net", Subnet: subnet}},
		Hosts: []driver.HostSpec{
			{
				Name: "workstation", Image: labimages.Workstation, ReadOnly: true,
				Tmpfs:    map[string]int64{"/tmp": 16 << 20, "/home/trainee": 16 << 20},
				Networks: []driver.HostNetwork{{Network: "net", IP: ws}},
			},
			{
				Name: "warehouse", Image: labimages.Warehouse, Command: []string{"sakimori-sim", "warehouse"},
				Env: map[string]string{"WAREHOUSE": fmt.Sprintf(`
database: shop
addresses: {"%[1]s": 10.20.4.15}
roles:
  - {name: dw_owner, password: owner-pw-1, owner: true, allow: [127.0.0.1]}
  - {name: analyst, password: analyst-pw-1, allow: [%[1]s]}
  - {name: auditor, password: auditor-pw-1, allow: [192.0.2.0/24]}
data: |
  CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL);
  INSERT INTO customers VALUES (1, 'hanako@example.jp'), (2, 'taro@example.jp'), (3, 'kenji@example.jp');
  GRANT SELECT ON customers TO analyst, auditor;
`, ws)},
				Limits:   driver.Limits{MemoryBytes: 256 << 20},
				Networks: []driver.HostNetwork{{Network: "net"}},
			},
		},
	}
	launched(t, e, lab)

	psql := func(user, password, sql string) (string, int) {
		return run(t, e, lab.ID, "workstation", "sh", "-c",
			fmt.Sprintf("PGPASSWORD=%s psql -X -h warehouse -U %s -d shop -Atc %q 2>&1", password, user, sql))
	}
	var out string
	var code int
	for i := 0; i < 60; i++ {
		if out, code = psql("analyst", "analyst-pw-1", "SELECT count(*) FROM customers"); code == 0 || !strings.Contains(out, "Connection refused") && !strings.Contains(out, "starting up") && !strings.Contains(out, "could not translate") {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if code != 0 || strings.TrimSpace(out) != "3" {
		t.Fatalf("analyst from the workstation: exit %d, %q", code, out)
	}
	if out, code := psql("auditor", "auditor-pw-1", "SELECT 1"); code == 0 || !strings.Contains(out, `pg_hba.conf rejects connection for host "`+ws.String()+`", user "auditor"`) {
		t.Errorf("auditor from outside its allow-list: exit %d, %q", code, out)
	}
	if out, code := psql("analyst", "wrong-password", "SELECT 1"); code == 0 || !strings.Contains(out, `password authentication failed for user "analyst"`) {
		t.Errorf("a wrong password: exit %d, %q", code, out)
	}
	if out, code := psql("dw_owner", "owner-pw-1", "SELECT 1"); code == 0 || !strings.Contains(out, "rejects connection") {
		t.Errorf("the owner from the workstation: exit %d, %q", code, out)
	}
	time.Sleep(time.Second) // the logging collector writes behind
	log, code := run(t, e, lab.ID, "warehouse", "sh", "-c", "cat lab/log/warehouse.json")
	for _, want := range []string{
		`"remote_host":"` + ws.String() + `"`,
		`"message":"connection authorized: user=analyst database=shop`,
		`"message":"statement: SELECT count(*) FROM customers"`,
		`password authentication failed for user \"analyst\"`,
	} {
		if code != 0 || !strings.Contains(log, want) {
			t.Errorf("the server's log lacks %s:\n%.3000s", want, log)
		}
	}
	if strings.Contains(log, "analyst-pw-1") || strings.Contains(log, "owner-pw-1") {
		t.Error("the setup's passwords are in the server's log")
	}
	// The histories in the common format, with the story's address.
	logins, code := run(t, e, lab.ID, "warehouse", "sakimori-sim", "warehouse-events", "-log", "login")
	for _, want := range []string{
		`"CLIENT_IP":"10.20.4.15"`, `"USER_NAME":"analyst"`, `"IS_SUCCESS":"YES"`, `"REPORTED_CLIENT_TYPE":"psql"`,
		`"USER_NAME":"auditor"`, `"IS_SUCCESS":"NO"`,
	} {
		if code != 0 || !strings.Contains(logins, want) {
			t.Errorf("the login history lacks %s:\n%s", want, logins)
		}
	}
	if strings.Contains(logins, `"USER_NAME":"postgres"`) {
		t.Errorf("the setup on the socket is in the login history:\n%s", logins)
	}
	if queries, code := run(t, e, lab.ID, "warehouse", "sakimori-sim", "warehouse-events", "-log", "query"); code != 0 ||
		!strings.Contains(queries, `"QUERY_TEXT":"SELECT count(*) FROM customers"`) || strings.Contains(queries, "CREATE ROLE") {
		t.Errorf("the query history: %d\n%s", code, queries)
	}
	if out, _ := run(t, e, lab.ID, "warehouse", "id", "-un"); strings.TrimSpace(out) != "postgres" {
		t.Errorf("the warehouse runs as %q", out)
	}
}
