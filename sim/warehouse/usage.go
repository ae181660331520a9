package warehouse

import (
	"encoding/csv"
	"fmt"
	"strings"
)

// The account's usage views: the login and query histories as tables an
// admin queries with SQL, as investigators query a cloud warehouse's
// ACCOUNT_USAGE.LOGIN_HISTORY and QUERY_HISTORY. The warehouse fills them
// again from its log every few seconds (see refresh).

var loginColumns = []string{"EVENT_TIMESTAMP", "EVENT_TYPE", "USER_NAME", "CLIENT_IP", "REPORTED_CLIENT_TYPE",
	"FIRST_AUTHENTICATION_FACTOR", "SECOND_AUTHENTICATION_FACTOR", "IS_SUCCESS", "ERROR_MESSAGE", "SESSION_ID"}

var queryColumns = []string{"START_TIME", "QUERY_ID", "QUERY_TEXT", "QUERY_TYPE", "DATABASE_NAME", "USER_NAME",
	"CLIENT_IP", "REPORTED_CLIENT_TYPE", "SESSION_ID"}

// usageSetup is the SQL, run in the database as the server's own account,
// that makes the views' tables, for the admin to read.
func usageSetup(admin string) string {
	var b strings.Builder
	b.WriteString("CREATE SCHEMA account_usage;\n")
	for _, t := range []struct {
		name string
		cols []string
	}{{"login_history", loginColumns}, {"query_history", queryColumns}} {
		var cols []string
		for _, c := range t.cols {
			typ := "text"
			if strings.HasSuffix(c, "_TIMESTAMP") || strings.HasSuffix(c, "_TIME") {
				typ = "timestamptz"
			}
			cols = append(cols, strings.ToLower(c)+" "+typ)
		}
		fmt.Fprintf(&b, "CREATE TABLE account_usage.%s (%s);\n", t.name, strings.Join(cols, ", "))
	}
	if admin != "" {
		fmt.Fprintf(&b, "GRANT USAGE ON SCHEMA account_usage TO %s;\n", ident(admin))
		fmt.Fprintf(&b, "GRANT SELECT ON ALL TABLES IN SCHEMA account_usage TO %s;\n", ident(admin))
	}
	return b.String()
}

// usageLoad is the SQL that replaces the views' rows with these histories,
// unlogged (the history of the history is no one's activity).
func usageLoad(logins, queries []map[string]any) string {
	var b strings.Builder
	b.WriteString("\\set ON_ERROR_STOP on\nSET log_statement = 'none';\nBEGIN;\n")
	b.WriteString("TRUNCATE account_usage.login_history, account_usage.query_history;\n")
	for _, t := range []struct {
		name   string
		cols   []string
		events []map[string]any
	}{{"login_history", loginColumns, logins}, {"query_history", queryColumns, queries}} {
		fmt.Fprintf(&b, "COPY account_usage.%s FROM STDIN (FORMAT csv);\n", t.name)
		w := csv.NewWriter(&b)
		for _, e := range t.events {
			row := make([]string, len(t.cols))
			for i, c := range t.cols {
				if v, ok := e[c].(string); ok {
					// An empty field is NULL in CSV; a line of its own
					// reading \. would end the data early.
					row[i] = strings.ReplaceAll(v, "\n\\.", "\n \\.")
				}
			}
			_ = w.Write(row) // into a strings.Builder: cannot fail
		}
		w.Flush()
		b.WriteString("\\.\n")
	}
	b.WriteString("COMMIT;\n")
	return b.String()
}
