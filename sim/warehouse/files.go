package warehouse

import (
	"fmt"
	"strings"
)

// Settings are the server's settings beyond initdb's: reachable on the
// lab's network, passwords as SCRAM, the login and query history as JSON
// lines in log/warehouse.json under the data folder, and TLS with the
// account's authority (see Authority).
func Settings() string {
	return strings.Join([]string{
		"listen_addresses = '*'",
		"port = 5432",
		"unix_socket_directories = '/var/run/postgresql'",
		"password_encryption = 'scram-sha-256'",
		"max_connections = 30",
		"shared_buffers = 16MB",
		"logging_collector = on",
		"log_destination = 'jsonlog'",
		"log_directory = 'log'",
		"log_filename = 'warehouse'",
		"log_rotation_age = 0",
		"log_rotation_size = 0",
		"log_connections = on",
		"log_disconnections = on",
		"log_statement = 'all'",
		"log_timezone = 'UTC'",
		"timezone = 'UTC'",
		// TLS, and the client certificates of the second factor.
		"ssl = on",
		"ssl_cert_file = 'server.crt'",
		"ssl_key_file = 'server.key'",
		"ssl_ca_file = 'authority.crt'",
	}, "\n") + "\n"
}

// Setup is the SQL that makes the roles and the database, for psql as
// the server's own account, ending in the data, run in the database as
// its owner.
func (w *World) Setup() string {
	var b strings.Builder
	b.WriteString("\\set ON_ERROR_STOP on\n")
	// The setup's passwords stay out of the server's log, which trainees read.
	b.WriteString("SET log_statement = 'none';\n")
	owner, admin := "", ""
	for _, r := range w.Roles {
		fmt.Fprintf(&b, "CREATE ROLE %s LOGIN PASSWORD %s;\n", ident(r.Name), literal(r.Password))
		if r.Owner {
			owner = r.Name
		}
		if r.Admin {
			admin = r.Name
			fmt.Fprintf(&b, "ALTER ROLE %s CREATEROLE;\n", ident(r.Name))
		}
		if r.Unload {
			fmt.Fprintf(&b, "GRANT pg_execute_server_program TO %s;\n", ident(r.Name))
		}
	}
	fmt.Fprintf(&b, "CREATE DATABASE %s OWNER %s;\n", ident(w.Database), ident(owner))
	fmt.Fprintf(&b, "REVOKE ALL ON DATABASE %s FROM PUBLIC;\n", ident(w.Database))
	for _, r := range w.Roles {
		fmt.Fprintf(&b, "GRANT CONNECT ON DATABASE %s TO %s;\n", ident(w.Database), ident(r.Name))
	}
	fmt.Fprintf(&b, "\\connect %s\n", ident(w.Database))
	b.WriteString("SET log_statement = 'none';\n")
	b.WriteString(w.policySetup(admin))
	b.WriteString(usageSetup(admin))
	b.WriteString(stageSetup)
	fmt.Fprintf(&b, "SET ROLE %s;\n", ident(owner))
	b.WriteString(w.Data)
	b.WriteString("\n")
	return b.String()
}

func ident(s string) string   { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func literal(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
