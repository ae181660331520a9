package warehouse

import (
	"bufio"
	"cmp"
	"encoding/json"
	"io"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The warehouse's login and query histories, read from the server's own
// JSON log into the common format with the columns of a cloud
// warehouse's account-usage views (Snowflake's LOGIN_HISTORY and
// QUERY_HISTORY), which investigators of the 2024 intrusions worked from.

// logLine is one record of PostgreSQL's jsonlog.
type logLine struct {
	Timestamp  string `json:"timestamp"` // 2024-05-14 03:12:44.123 UTC
	User       string `json:"user"`
	Database   string `json:"dbname"`
	RemoteHost string `json:"remote_host"`
	SessionID  string `json:"session_id"`
	Severity   string `json:"error_severity"`
	Message    string `json:"message"`
	App        string `json:"application_name"`
	Backend    string `json:"backend_type"`
}

var (
	authorized    = regexp.MustCompile(`^connection authorized: user=(\S+) database=(\S+)`)
	authenticated = regexp.MustCompile(`^connection authenticated: .* \(.*pg_hba\.conf:(\d+)\)$`)
	appName       = regexp.MustCompile(`application_name=(.*?)(?: SSL enabled \(.*)?$`)
	refused       = regexp.MustCompile(`^(password authentication failed for user|pg_hba\.conf rejects connection for host|no pg_hba\.conf entry for host) `)
)

// CheckClient and CheckDatabase are what the lab's checks sign in with:
// that client name, asking for a database that is not there, so that a
// sign-in that works ends right after it is let in, and every line the
// server logs of it, a refusal before sign-in included, names the
// database. Their tries are the platform's, not anyone's activity: the
// histories leave them out, as the other emulators leave out what
// carries the lab's key.
const (
	CheckClient   = "sakimori-check"
	CheckDatabase = "sakimori_check"
)

// History reads a JSON log and returns its logins and its queries, oldest
// first. Only what came over the network counts: the server's own setup
// on its socket is not anyone's login. show maps a lab address to the one
// the story gives it; nil keeps addresses as they are. policies are the
// pg_hba.conf files the warehouse has written, which say whether the line
// that let a login in asked for the second factor.
func History(r io.Reader, show func(string) string, policies Policies) (logins, queries []map[string]any, err error) {
	if show == nil {
		show = func(a string) string { return a }
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	apps := map[string]string{} // session → the client it reported
	lines := map[string]int{}   // session → the pg_hba.conf line that let it in
	for sc.Scan() {
		var l logLine
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.RemoteHost == "" || l.RemoteHost == "[local]" || l.App == CheckClient || l.Database == CheckDatabase {
			continue
		}
		at := eventTime(l.Timestamp)
		ip := show(hostOnly(l.RemoteHost))
		switch {
		case authenticated.MatchString(l.Message):
			lines[l.SessionID], _ = strconv.Atoi(authenticated.FindStringSubmatch(l.Message)[1])
		case authorized.MatchString(l.Message):
			m := authorized.FindStringSubmatch(l.Message)
			app := "OTHER"
			if a := appName.FindStringSubmatch(l.Message); a != nil && a[1] != "" {
				app = a[1]
			}
			if app == CheckClient {
				continue
			}
			apps[l.SessionID] = app
			e := login(at, m[1], ip, app, l.SessionID, "")
			if policies.secondFactor(l.Timestamp, lines[l.SessionID]) {
				e["SECOND_AUTHENTICATION_FACTOR"] = "CLIENT_CERTIFICATE"
			}
			logins = append(logins, e)
		case l.Severity == "FATAL" && refused.MatchString(l.Message):
			logins = append(logins, login(at, cmp.Or(l.User, userIn(l.Message)), ip, cmp.Or(l.App, "OTHER"), l.SessionID, l.Message))
		case strings.HasPrefix(l.Message, "statement: "):
			queries = append(queries, map[string]any{
				"EventTime": at, "QUERY_ID": l.SessionID + "/" + at, "QUERY_TEXT": strings.TrimPrefix(l.Message, "statement: "),
				"QUERY_TYPE":    queryType(strings.TrimPrefix(l.Message, "statement: ")),
				"DATABASE_NAME": l.Database, "USER_NAME": l.User, "CLIENT_IP": ip, "SESSION_ID": l.SessionID,
				"REPORTED_CLIENT_TYPE": cmp.Or(apps[l.SessionID], "OTHER"), "START_TIME": at,
			})
		}
	}
	return logins, queries, sc.Err()
}

func login(at, user, ip, client, session, failure string) map[string]any {
	e := map[string]any{
		"EventTime": at, "EVENT_TIMESTAMP": at, "EVENT_TYPE": "LOGIN", "USER_NAME": user, "CLIENT_IP": ip,
		"REPORTED_CLIENT_TYPE": client, "FIRST_AUTHENTICATION_FACTOR": "PASSWORD", "SECOND_AUTHENTICATION_FACTOR": nil,
		"IS_SUCCESS": "YES", "SESSION_ID": session,
	}
	if failure != "" {
		e["IS_SUCCESS"], e["ERROR_MESSAGE"] = "NO", failure
	}
	return e
}

// queryType is the statement's kind, as the warehouse's history names it.
func queryType(sql string) string {
	f := strings.Fields(strings.ToUpper(sql))
	if len(f) == 0 {
		return "UNKNOWN"
	}
	switch f[0] {
	case "SELECT", "WITH":
		return "SELECT"
	case "COPY":
		if strings.Contains(strings.ToUpper(sql), " TO ") {
			return "UNLOAD"
		}
		return "COPY"
	}
	return f[0]
}

func eventTime(ts string) string {
	t, err := time.Parse("2006-01-02 15:04:05.000 MST", ts)
	if err != nil {
		return ts
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// hostOnly drops a port PostgreSQL may keep on the address.
func hostOnly(h string) string {
	if ap, err := netip.ParseAddrPort(h); err == nil {
		return ap.Addr().String()
	}
	return h
}

func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}

// userIn reads the user a refusal names: `… user "svc_reporting" …`.
func userIn(msg string) string {
	return between(msg, `user "`, `"`)
}
