package warehouse

import (
	"strings"
	"testing"
)

// Lines in the shape PostgreSQL 15's jsonlog writes them: the setup on
// the socket, a sign-in with its statement, a wrong password, an address
// the policy refuses, sign-ins through a line that asks for a certificate
// and after it no longer does, and the checks' own tries, refused and let
// in, which are no one's activity.
const jsonlog = `{"timestamp":"2026-12-04 21:40:00.001 UTC","user":"postgres","dbname":"postgres","pid":40,"remote_host":"[local]","session_id":"6750c3a0.28","line_num":3,"ps":"idle","error_severity":"LOG","message":"statement: CREATE ROLE \"analyst\" LOGIN PASSWORD 'analyst-pw-1';","application_name":"psql","backend_type":"client backend","query_id":0}
{"timestamp":"2026-12-04 21:40:01.123 UTC","user":"analyst","dbname":"shop","pid":51,"remote_host":"10.219.0.3","remote_port":40000,"session_id":"6750c3a1.33","line_num":2,"ps":"authentication","error_severity":"LOG","message":"connection authorized: user=analyst database=shop application_name=psql","backend_type":"client backend","query_id":0}
{"timestamp":"2026-12-04 21:40:01.130 UTC","user":"analyst","dbname":"shop","pid":51,"remote_host":"10.219.0.3","remote_port":40000,"session_id":"6750c3a1.33","line_num":3,"ps":"idle","error_severity":"LOG","message":"statement: SELECT count(*) FROM customers","application_name":"psql","backend_type":"client backend","query_id":0}
{"timestamp":"2026-12-04 21:40:02.000 UTC","user":"analyst","dbname":"shop","pid":52,"remote_host":"10.219.0.3","remote_port":40002,"session_id":"6750c3a2.34","line_num":2,"ps":"authentication","error_severity":"FATAL","state_code":"28P01","message":"password authentication failed for user \"analyst\"","detail":"Connection matched pg_hba.conf line 4","backend_type":"client backend","query_id":0}
{"timestamp":"2026-12-04 21:40:03.000 UTC","user":"auditor","dbname":"shop","pid":53,"remote_host":"10.219.0.3","remote_port":40004,"session_id":"6750c3a3.35","line_num":2,"ps":"authentication","error_severity":"FATAL","state_code":"28000","message":"pg_hba.conf rejects connection for host \"10.219.0.3\", user \"auditor\", database \"shop\", no encryption","backend_type":"client backend","query_id":0}
{"timestamp":"2026-12-04 21:41:00.000 UTC","user":"analyst","dbname":"shop","pid":54,"remote_host":"10.219.0.4","remote_port":40010,"session_id":"6750c3e0.36","line_num":2,"ps":"authentication","error_severity":"LOG","message":"connection authenticated: identity=\"analyst\" method=scram-sha-256 (/var/lib/postgresql/lab/pg_hba.conf:3)","backend_type":"client backend","query_id":0}
{"timestamp":"2026-12-04 21:41:00.001 UTC","user":"analyst","dbname":"shop","pid":54,"remote_host":"10.219.0.4","remote_port":40010,"session_id":"6750c3e0.36","line_num":3,"ps":"authentication","error_severity":"LOG","message":"connection authorized: user=analyst database=shop application_name=DBeaver 24.0.2 - Main SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)","backend_type":"client backend","query_id":0}
{"timestamp":"2026-12-04 21:43:00.000 UTC","user":"analyst","dbname":"shop","pid":55,"remote_host":"10.219.0.4","remote_port":40012,"session_id":"6750c3e1.37","line_num":2,"ps":"authentication","error_severity":"LOG","message":"connection authenticated: identity=\"analyst\" method=scram-sha-256 (/var/lib/postgresql/lab/pg_hba.conf:3)","backend_type":"client backend","query_id":0}
{"timestamp":"2026-12-04 21:43:00.001 UTC","user":"analyst","dbname":"shop","pid":55,"remote_host":"10.219.0.4","remote_port":40012,"session_id":"6750c3e1.37","line_num":3,"ps":"authentication","error_severity":"LOG","message":"connection authorized: user=analyst database=shop application_name=psql SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)","backend_type":"client backend","query_id":0}
{"timestamp":"2026-12-04 21:44:00.000 UTC","user":"svc_reporting","dbname":"sakimori_check","pid":56,"remote_host":"10.219.0.3","remote_port":40020,"session_id":"6750c3e2.38","line_num":2,"ps":"authentication","error_severity":"FATAL","state_code":"28000","message":"pg_hba.conf rejects connection for host \"10.219.0.3\", user \"svc_reporting\", database \"sakimori_check\", SSL encryption","backend_type":"client backend","query_id":0}
{"timestamp":"2026-12-04 21:44:01.000 UTC","user":"svc_reporting","dbname":"sakimori_check","pid":57,"remote_host":"10.219.0.3","remote_port":40022,"session_id":"6750c3e3.39","line_num":3,"ps":"authentication","error_severity":"LOG","message":"connection authorized: user=svc_reporting database=sakimori_check application_name=sakimori-check SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)","backend_type":"client backend","query_id":0}
{"timestamp":"2026-12-04 21:44:01.001 UTC","user":"svc_reporting","dbname":"sakimori_check","pid":57,"remote_host":"10.219.0.3","remote_port":40022,"session_id":"6750c3e3.39","line_num":4,"ps":"startup","error_severity":"FATAL","state_code":"3D000","message":"database \"sakimori_check\" does not exist","backend_type":"client backend","query_id":0}
not json
`

// The pg_hba.conf files the warehouse wrote: line 3 asks for a client
// certificate from 21:40:30 to 21:42.
const policies = `{"at":"2026-12-04T21:00:00Z","hba":"# TYPE\nlocal all postgres peer\nhost all analyst 0.0.0.0/0 scram-sha-256\n"}
{"at":"2026-12-04T21:40:30Z","hba":"# TYPE\nlocal all postgres peer\nhostssl all analyst 0.0.0.0/0 scram-sha-256 clientcert=verify-full\n"}
{"at":"2026-12-04T21:42:00Z","hba":"# TYPE\nlocal all postgres peer\nhost all analyst 0.0.0.0/0 scram-sha-256\n"}
`

func TestHistoryReadsTheServersLog(t *testing.T) {
	show := func(a string) string {
		if a == "10.219.0.3" {
			return "203.0.113.77"
		}
		return a
	}
	ps, err := ReadPolicies(strings.NewReader(policies))
	if err != nil || len(ps) != 3 {
		t.Fatalf("policies: %v, %v", ps, err)
	}
	logins, queries, err := History(strings.NewReader(jsonlog), show, ps)
	if err != nil {
		t.Fatal(err)
	}
	if len(logins) != 5 {
		t.Fatalf("logins: %v", logins)
	}
	ok, wrong, refused, withCert, after := logins[0], logins[1], logins[2], logins[3], logins[4]
	if withCert["SECOND_AUTHENTICATION_FACTOR"] != "CLIENT_CERTIFICATE" || withCert["REPORTED_CLIENT_TYPE"] != "DBeaver 24.0.2 - Main" {
		t.Errorf("a sign-in by a line that asked for a certificate: %v", withCert)
	}
	if after["SECOND_AUTHENTICATION_FACTOR"] != nil || after["REPORTED_CLIENT_TYPE"] != "psql" {
		t.Errorf("a sign-in after the certificate was no longer asked for: %v", after)
	}
	if ok["USER_NAME"] != "analyst" || ok["CLIENT_IP"] != "203.0.113.77" || ok["IS_SUCCESS"] != "YES" || ok["REPORTED_CLIENT_TYPE"] != "psql" ||
		ok["EVENT_TIMESTAMP"] != "2026-12-04T21:40:01.123Z" || ok["FIRST_AUTHENTICATION_FACTOR"] != "PASSWORD" || ok["SECOND_AUTHENTICATION_FACTOR"] != nil {
		t.Errorf("a sign-in: %v", ok)
	}
	if wrong["IS_SUCCESS"] != "NO" || !strings.Contains(wrong["ERROR_MESSAGE"].(string), "password authentication failed") {
		t.Errorf("a wrong password: %v", wrong)
	}
	if refused["USER_NAME"] != "auditor" || refused["IS_SUCCESS"] != "NO" || !strings.Contains(refused["ERROR_MESSAGE"].(string), "rejects connection") {
		t.Errorf("refused by the policy: %v", refused)
	}
	if len(queries) != 1 || queries[0]["QUERY_TEXT"] != "SELECT count(*) FROM customers" || queries[0]["QUERY_TYPE"] != "SELECT" ||
		queries[0]["CLIENT_IP"] != "203.0.113.77" || queries[0]["REPORTED_CLIENT_TYPE"] != "psql" {
		t.Errorf("queries: %v", queries)
	}
	for sql, want := range map[string]string{"COPY customers TO PROGRAM 'curl -T - x'": "UNLOAD", "copy t from stdin": "COPY", "with x as (select 1) select * from x": "SELECT", "": "UNKNOWN", "ALTER ROLE a PASSWORD 'x'": "ALTER"} {
		if got := queryType(sql); got != want {
			t.Errorf("queryType(%q) = %s, want %s", sql, got, want)
		}
	}
}
