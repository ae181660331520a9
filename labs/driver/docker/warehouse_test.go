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
// real psql from a runner (the workstation with sakimori-sim): its role
// from its allowed address gets the data, another role's allow-list
// refuses it, a wrong password is refused, and the server's JSON log
// names who signed in from where and what they ran. Then the account's
// admin hardens it with SQL, as a trainee does: MFA asked (refused
// without the client certificate, let in with it, and the usage view
// says so), the unload taken away and the password changed, each seen by
// the probes the lab's checks run. CI sets SAKIMORI_TEST_WORKSTATION.
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
	runner, ok := labimages.RunnerOf(baseImgs)
	if !ok {
		t.Fatal("no runner made from the lab images")
	}
	if _, err := e.BuildImage(ctx, runner.Tag, runner.Files, nil, runner.Name); err != nil {
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
				Name: "workstation", Image: labimages.Runner, ReadOnly: true,
				Tmpfs:    map[string]int64{"/tmp": 16 << 20, "/home/trainee": 16 << 20},
				Networks: []driver.HostNetwork{{Network: "net", IP: ws}},
			},
			{
				Name: "warehouse", Image: labimages.Warehouse, Command: []string{"sakimori-sim", "warehouse"},
				Env: map[string]string{"WAREHOUSE": fmt.Sprintf(`
database: shop
authenticator: test-authenticator
addresses: {"%[1]s": 10.20.4.15}
roles:
  - {name: dw_owner, password: owner-pw-1, owner: true, allow: [127.0.0.1]}
  - {name: analyst, password: analyst-pw-1, allow: [10.20.4.0/24], unload: true}
  - {name: auditor, password: auditor-pw-1, allow: [192.0.2.0/24]}
  - {name: dw_admin, password: admin-pw-1, admin: true, allow: [10.20.4.15]}
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
	// A program the unload runs does not see the setup's passwords.
	if out, code := psql("analyst", "analyst-pw-1", `COPY (SELECT 1) TO PROGRAM 'test -z "$WAREHOUSE"'`); code != 0 {
		t.Errorf("a program run by COPY sees WAREHOUSE, or cannot run: %s", out)
	}

	// Hardening, as the account's admin.
	admin := func(sql string) {
		t.Helper()
		if out, code := psql("dw_admin", "admin-pw-1", sql); code != 0 {
			t.Fatalf("%s: %s", sql, out)
		}
	}
	probe := func(args string) (string, int) {
		return run(t, e, lab.ID, "warehouse", "sh", "-c", "LEAKED=analyst-pw-1 sakimori-sim warehouse-probe "+args)
	}
	admin("UPDATE security.user_policies SET mfa_required = true WHERE user_name = 'analyst'")
	for i := 0; i < 40; i++ { // the warehouse reads its policy every 2 s
		if out, _ = psql("analyst", "analyst-pw-1", "SELECT 1"); strings.Contains(out, "requires a valid client certificate") {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if !strings.Contains(out, "requires a valid client certificate") {
		t.Fatalf("analyst without a certificate once MFA is asked: %q", out)
	}
	// The check for the second factor, from the workstation, passes, and
	// its try is in no history.
	loginCount := func() int {
		out, _ := run(t, e, lab.ID, "warehouse", "sakimori-sim", "warehouse-events", "-log", "login")
		return strings.Count(out, `"EVENT_TYPE":"LOGIN"`)
	}
	before := loginCount()
	if out, code := run(t, e, lab.ID, "workstation", "sh", "-c", "PW=analyst-pw-1 sakimori-sim warehouse-probe sign-in -host warehouse -user analyst -password-env PW -want factor"); code != 0 {
		t.Errorf("the second factor's check: exit %d, %s", code, out)
	}
	time.Sleep(time.Second) // the logging collector writes behind
	if after := loginCount(); after != before {
		t.Errorf("the check's own sign-in is in the login history: %d logins, then %d", before, after)
	}
	if out, code := run(t, e, lab.ID, "workstation", "sh", "-c", "WAREHOUSE_AUTHENTICATOR=test-authenticator sakimori-sim warehouse-cert -role analyst"); code != 0 {
		t.Fatalf("enrolling the workstation: %s", out)
	}
	if out, code := psql("analyst", "analyst-pw-1", "SELECT count(*) FROM customers"); code != 0 || strings.TrimSpace(out) != "3" {
		t.Fatalf("analyst with its certificate: exit %d, %q", code, out)
	}
	for i := 0; i < 40; i++ { // the usage views are filled every 6 s
		if out, _ = psql("dw_admin", "admin-pw-1", "SELECT DISTINCT second_authentication_factor FROM account_usage.login_history WHERE user_name = 'analyst' AND is_success = 'YES' AND second_authentication_factor IS NOT NULL"); strings.TrimSpace(out) == "CLIENT_CERTIFICATE" {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if strings.TrimSpace(out) != "CLIENT_CERTIFICATE" {
		t.Errorf("the login history does not show the certificate: %q", out)
	}
	if out, code := probe("no-unload"); code != 1 || !strings.Contains(out, "analyst") {
		t.Errorf("no-unload before the grant is taken away: exit %d, %s", code, out)
	}
	admin("REVOKE pg_execute_server_program FROM analyst")
	if out, code := probe("no-unload"); code != 0 {
		t.Errorf("no-unload after: exit %d, %s", code, out)
	}
	if out, code := probe("password-changed -user analyst -leaked-env LEAKED"); code != 1 {
		t.Errorf("password-changed before: exit %d, %s", code, out)
	}
	admin("ALTER ROLE analyst PASSWORD 'rotated-pw-2'")
	if out, code := probe("password-changed -user analyst -leaked-env LEAKED"); code != 0 {
		t.Errorf("password-changed after: exit %d, %s", code, out)
	}
}
