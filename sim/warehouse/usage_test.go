package warehouse

import (
	"strings"
	"testing"
)

// The views are loaded unlogged in one transaction, a missing factor as
// NULL (an empty CSV field), commas and quotes in a statement quoted, and
// a statement's own line reading \. kept from ending the data early.
func TestUsageLoadIsCSVForCOPY(t *testing.T) {
	sql := usageLoad(
		[]map[string]any{{"EVENT_TIMESTAMP": "2026-12-04T21:40:01.123Z", "EVENT_TYPE": "LOGIN", "USER_NAME": "svc_reporting", "CLIENT_IP": "192.0.2.145",
			"REPORTED_CLIENT_TYPE": "FROSTBITE", "FIRST_AUTHENTICATION_FACTOR": "PASSWORD", "SECOND_AUTHENTICATION_FACTOR": nil, "IS_SUCCESS": "YES", "SESSION_ID": "s1"}},
		[]map[string]any{{"START_TIME": "2026-12-04T21:40:02.000Z", "QUERY_ID": "s1/1", "QUERY_TEXT": "SELECT 'a,b', \"x\"\n\\.\nFROM t", "QUERY_TYPE": "SELECT", "USER_NAME": "svc_reporting"}},
	)
	for _, want := range []string{
		"SET log_statement = 'none';\nBEGIN;\nTRUNCATE account_usage.login_history, account_usage.query_history;\n",
		"COPY account_usage.login_history FROM STDIN (FORMAT csv);\n2026-12-04T21:40:01.123Z,LOGIN,svc_reporting,192.0.2.145,FROSTBITE,PASSWORD,,YES,,s1\n\\.\n",
		"COPY account_usage.query_history FROM STDIN (FORMAT csv);\n2026-12-04T21:40:02.000Z,s1/1,\"SELECT 'a,b', \"\"x\"\"\n \\.\nFROM t\",SELECT,,svc_reporting,,,\n\\.\n",
		"COMMIT;\n",
	} {
		if !strings.Contains(sql, want) {
			t.Errorf("the load lacks %q:\n%s", want, sql)
		}
	}
}
