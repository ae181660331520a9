package sts

import (
	"net/http"
	"strconv"
	"time"

	"github.com/sakimori/sakimori/sim/aws/account"
)

type sessionTokenResult struct {
	Credentials stsCredentials `xml:"Credentials"`
}

func (r sessionTokenResult) AuditResponse() map[string]any {
	return map[string]any{"credentials": map[string]any{"accessKeyId": r.Credentials.AccessKeyID, "expiration": r.Credentials.Expiration}}
}

// GetSessionToken gives an IAM user's long-term key temporary credentials
// of the same user. As on AWS it needs no permission, and a session (a
// role's or a user's) cannot ask for another.
func getSessionToken(a *account.Account, q *account.Call) (any, *account.APIError) {
	k := q.Caller.Key
	if k.User == nil || k.Token != "" {
		return nil, &account.APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Cannot call GetSessionToken with session credentials"}
	}
	lifetime := 12 * time.Hour
	if d := q.Params.Get("DurationSeconds"); d != "" {
		secs, err := strconv.Atoi(d)
		if err != nil || secs < 900 || secs > 129600 {
			return nil, &account.APIError{Status: http.StatusBadRequest, Code: "ValidationError", Message: "DurationSeconds must be between 900 and 129600"}
		}
		lifetime = time.Duration(secs) * time.Second
	}
	a.Lock()
	s := a.MintUserSession(k.User, lifetime, a.Now())
	a.Unlock()
	return sessionTokenResult{stsCredentials{s.ID, s.Secret, s.Token, s.Expires.UTC().Format(time.RFC3339)}}, nil
}
