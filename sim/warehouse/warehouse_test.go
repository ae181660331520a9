package warehouse

import (
	"strings"
	"testing"
)

const world = `
database: shop
roles:
  - {name: dw_owner, password: "own'er pw", owner: true, allow: [10.20.8.0/24]}
  - {name: svc_reporting, password: report-pw}
  - {name: etl, password: etl-pw, allow: [10.20.9.7, 10.20.4.0/22]}
data: |
  CREATE TABLE customers (id int, email text);
  GRANT SELECT ON customers TO svc_reporting;
`

// A role with an allow-list may sign in from those networks and is
// refused from anywhere else before any rule for everyone; a role without
// one, from anywhere; nobody else at all.
func TestHBAIsTheNetworkPolicy(t *testing.T) {
	w, err := ParseWorld(world)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(w.HBA(), "\n") {
		if f := strings.Fields(l); len(f) > 0 && !strings.HasPrefix(f[0], "#") {
			lines = append(lines, strings.Join(f, " "))
		}
	}
	want := []string{
		"local all postgres peer",
		"host all dw_owner 10.20.8.0/24 scram-sha-256",
		"host all dw_owner all reject",
		"host all svc_reporting 0.0.0.0/0 scram-sha-256",
		"host all svc_reporting ::/0 scram-sha-256",
		"host all etl 10.20.9.7/32 scram-sha-256",
		"host all etl 10.20.4.0/22 scram-sha-256",
		"host all etl all reject",
		"host all all all reject",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("pg_hba.conf:\n%s", strings.Join(lines, "\n"))
	}
}

func TestSetupQuotesAndRunsTheDataAsTheOwner(t *testing.T) {
	w, _ := ParseWorld(world)
	sql := w.Setup()
	for _, want := range []string{
		`CREATE ROLE "dw_owner" LOGIN PASSWORD 'own''er pw';`,
		`CREATE DATABASE "shop" OWNER "dw_owner";`,
		`REVOKE ALL ON DATABASE "shop" FROM PUBLIC;`,
		"\\connect \"shop\"\nSET log_statement = 'none';\nSET ROLE \"dw_owner\";\nCREATE TABLE customers",
	} {
		if !strings.Contains(sql, want) {
			t.Errorf("setup lacks %q:\n%s", want, sql)
		}
	}
	if !strings.HasPrefix(sql, "\\set ON_ERROR_STOP on\nSET log_statement = 'none';\n") {
		t.Error("the setup does not stop at its first error, or logs its passwords")
	}
}

func TestParseWorldRefusesWhatCannotRun(t *testing.T) {
	for _, bad := range []string{
		strings.Replace(world, "database: shop", "database: Shop-1", 1),
		strings.Replace(world, "name: etl,", "name: postgres,", 1),
		strings.Replace(world, "name: etl,", "name: all,", 1),
		strings.Replace(world, "name: etl,", "name: pg_monitor,", 1),
		strings.Replace(world, "name: etl,", "name: svc_reporting,", 1),
		strings.Replace(world, "password: etl-pw", "password: ''", 1),
		strings.Replace(world, "owner: true,", "", 1),
		strings.Replace(world, "password: report-pw}", "password: report-pw, owner: true}", 1),
		strings.Replace(world, "10.20.9.7", "office", 1),
		"database: [",
	} {
		if _, err := ParseWorld(bad); err == nil {
			t.Errorf("accepted:\n%s", bad)
		}
	}
}
