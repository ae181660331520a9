package warehouse

import (
	"strings"
	"testing"
)

const world = `
database: shop
authenticator: lab-secret
addresses:
  "10.227.0.5": 10.20.8.40
  "10.227.0.6": 198.51.100.7
roles:
  - {name: dw_owner, password: "own'er pw", owner: true, allow: [10.20.8.0/24]}
  - {name: svc_reporting, password: report-pw, unload: true}
  - {name: etl, password: etl-pw, allow: [10.20.9.7, 10.20.4.0/22], mfa: true}
  - {name: dw_admin, password: admin-pw, admin: true, allow: [10.20.0.0/16]}
data: |
  CREATE TABLE customers (id int, email text);
  GRANT SELECT ON customers TO svc_reporting;
`

func hbaLines(hba string) []string {
	var lines []string
	for _, l := range strings.Split(hba, "\n") {
		if f := strings.Fields(l); len(f) > 0 && !strings.HasPrefix(f[0], "#") {
			lines = append(lines, strings.Join(f, " "))
		}
	}
	return lines
}

// A role with an allow-list may sign in from the lab hosts whose story
// address it holds, is refused from the story's other hosts, and from
// anywhere else before any rule for everyone; a role without one, from
// anywhere; a role that needs its second factor only over TLS with a
// certificate; nobody else at all.
func TestHBAIsTheNetworkPolicy(t *testing.T) {
	w, err := ParseWorld(world)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"local all postgres peer",
		"host all dw_owner 10.227.0.5/32 scram-sha-256",
		"host all dw_owner 10.227.0.6/32 reject",
		"host all dw_owner 10.20.8.0/24 scram-sha-256",
		"host all dw_owner all reject",
		"host all svc_reporting 0.0.0.0/0 scram-sha-256",
		"host all svc_reporting ::/0 scram-sha-256",
		"host all etl 10.227.0.5/32 reject",
		"host all etl 10.227.0.6/32 reject",
		"hostssl all etl 10.20.9.7/32 scram-sha-256 clientcert=verify-full",
		"hostssl all etl 10.20.4.0/22 scram-sha-256 clientcert=verify-full",
		"host all etl all reject",
		"host all dw_admin 10.227.0.5/32 scram-sha-256",
		"host all dw_admin 10.227.0.6/32 reject",
		"host all dw_admin 10.20.0.0/16 scram-sha-256",
		"host all dw_admin all reject",
		"host all all all reject",
	}
	if got := hbaLines(w.HBA(w.StartPolicy())); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("pg_hba.conf:\n%s", strings.Join(got, "\n"))
	}
}

// The admins' table is read back into the policy: an allow-list added,
// MFA asked, a row for a role the scenario never made ignored, and a role
// without a row let in from anywhere.
func TestThePolicyTableIsThePolicy(t *testing.T) {
	w, _ := ParseWorld(world)
	rows := strings.ReplaceAll("dw_owner|*|f\nghost|10.0.0.0/8|t\nsvc_reporting|10.20.8.40/32 10.20.9.0/24|t\netl|*|f\n", "|", fieldSep)
	p, err := w.parsePolicy(rows)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Join(hbaLines(w.HBA(p)), "\n")
	for _, want := range []string{
		"hostssl all svc_reporting 10.227.0.5/32 scram-sha-256 clientcert=verify-full",
		"host all svc_reporting 10.227.0.6/32 reject",
		"hostssl all svc_reporting 10.20.9.0/24 scram-sha-256 clientcert=verify-full",
		"host all dw_owner 0.0.0.0/0 scram-sha-256",
		"host all dw_admin 0.0.0.0/0 scram-sha-256",
	} {
		if !strings.Contains(lines, want) {
			t.Errorf("pg_hba.conf lacks %q:\n%s", want, lines)
		}
	}
	if strings.Contains(lines, "ghost") {
		t.Error("a row for a role the scenario never made reached pg_hba.conf")
	}
	if _, err := w.parsePolicy(strings.ReplaceAll("svc_reporting|10.20.8.40/32|t|x", "|", fieldSep)); err == nil {
		t.Error("an unreadable row was taken")
	}
}

func TestSetupQuotesAndRunsTheDataAsTheOwner(t *testing.T) {
	w, _ := ParseWorld(world)
	sql := w.Setup()
	for _, want := range []string{
		`CREATE ROLE "dw_owner" LOGIN PASSWORD 'own''er pw';`,
		`CREATE DATABASE "shop" OWNER "dw_owner";`,
		`REVOKE ALL ON DATABASE "shop" FROM PUBLIC;`,
		`ALTER ROLE "dw_admin" CREATEROLE;`,
		`GRANT pg_execute_server_program TO "svc_reporting";`,
		`INSERT INTO security.user_policies VALUES ('etl', '{10.20.9.7/32,10.20.4.0/22}'::cidr[], true);`,
		`INSERT INTO security.user_policies VALUES ('svc_reporting', NULL, false);`,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON security.user_policies TO "dw_admin";`,
		`GRANT SELECT ON ALL TABLES IN SCHEMA account_usage TO "dw_admin";`,
		"SET ROLE \"dw_owner\";\nCREATE TABLE customers",
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
		strings.Replace(world, "database: shop", "database: sakimori_check", 1),
		strings.Replace(world, "name: etl,", "name: postgres,", 1),
		strings.Replace(world, "name: etl,", "name: all,", 1),
		strings.Replace(world, "name: etl,", "name: pg_monitor,", 1),
		strings.Replace(world, "name: etl,", "name: svc_reporting,", 1),
		strings.Replace(world, "password: etl-pw", "password: ''", 1),
		strings.Replace(world, "owner: true,", "", 1),
		strings.Replace(world, "password: report-pw,", "password: report-pw, owner: true,", 1),
		strings.Replace(world, "10.20.9.7", "office", 1),
		strings.Replace(world, "authenticator: lab-secret", "", 1),
		strings.Replace(world, "unload: true", "admin: true", 1),
		"database: [",
	} {
		if _, err := ParseWorld(bad); err == nil {
			t.Errorf("accepted:\n%s", bad)
		}
	}
}
