package warehouse

import (
	"context"
	"fmt"
	"strings"
)

// The checks a lab runs on the warehouse's own host, each as the server's
// own account on its socket, unlogged. Each returns whether it holds and
// why, in words a trainee reads.

// sqlOf is psql's answer to one script, tuples only.
func sqlOf(ctx context.Context, database, sql string) (string, error) {
	return asServer(ctx, database, strings.NewReader(sql), "-At", "-f", "-")
}

// PasswordChanged says whether the leaked password no longer opens user.
func PasswordChanged(ctx context.Context, database, user, leaked string) (bool, string, error) {
	if leaked == "" {
		return false, "", fmt.Errorf("no leaked password given")
	}
	out, err := sqlOf(ctx, database, "SELECT coalesce(rolpassword, '') FROM pg_authid WHERE rolname = "+literal(user)+";")
	if err != nil {
		return false, "", err
	}
	verifier := strings.TrimSpace(out)
	if verifier == "" {
		return true, fmt.Sprintf("%s has no password, or is gone", user), nil
	}
	opens, err := PasswordOpens(verifier, leaked)
	if err != nil {
		return false, "", err
	}
	if opens {
		return false, fmt.Sprintf("the leaked password still opens %s", user), nil
	}
	return true, fmt.Sprintf("the leaked password no longer opens %s", user), nil
}

// NoUnload tries an unload as every role that signs in, in a transaction
// it rolls back, and holds when each is refused.
func NoUnload(ctx context.Context, database string) (bool, string, error) {
	out, err := sqlOf(ctx, database, "SELECT rolname FROM pg_roles WHERE rolcanlogin AND NOT rolsuper ORDER BY 1;")
	if err != nil {
		return false, "", err
	}
	var can []string
	for _, role := range strings.Fields(out) {
		_, err := sqlOf(ctx, database, "BEGIN;\nSET LOCAL ROLE "+ident(role)+";\nCOPY (SELECT 1) TO PROGRAM 'true';\nROLLBACK;\n")
		if err == nil {
			can = append(can, role)
		} else if !strings.Contains(err.Error(), "pg_execute_server_program") {
			return false, "", err
		}
	}
	if len(can) > 0 {
		return false, "these roles can still copy data out to a program, an outside stage among them: " + strings.Join(can, ", "), nil
	}
	return true, "no role that signs in can copy data out to a program", nil
}

// NoteLeft holds when a table user owns holds text.
func NoteLeft(ctx context.Context, database, user, text string) (bool, string, error) {
	out, err := sqlOf(ctx, database, "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables WHERE tableowner = "+literal(user)+" ORDER BY 1;")
	if err != nil {
		return false, "", err
	}
	for _, table := range strings.Split(strings.TrimSpace(out), "\n") {
		if table == "" {
			continue
		}
		n, err := sqlOf(ctx, database, "SELECT count(*) FROM "+table+" t WHERE t::text LIKE "+literal("%"+text+"%")+";")
		if err != nil {
			return false, "", err
		}
		if strings.TrimSpace(n) != "0" {
			return true, fmt.Sprintf("%s's table %s holds the note", user, table), nil
		}
	}
	return false, fmt.Sprintf("no table %s made holds %q", user, text), nil
}
