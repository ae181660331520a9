package cloud

import (
	"net/http"
	"strconv"
	"time"
)

type stsCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type callerIdentity struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

// GetCallerIdentity needs no permission: every valid key may ask who it is.
func stsGetCallerIdentity(s *Server, q *queryCall) (any, *apiError) {
	id := q.caller.identity(s.acct.id)
	return callerIdentity{Arn: id.ARN, UserID: id.PrincipalID, Account: s.acct.id}, nil
}

type assumeRoleResult struct {
	Credentials     stsCredentials `xml:"Credentials"`
	AssumedRoleUser struct {
		AssumedRoleID string `xml:"AssumedRoleId"`
		Arn           string `xml:"Arn"`
	} `xml:"AssumedRoleUser"`
}

func (r assumeRoleResult) auditResponse() map[string]any {
	return map[string]any{"credentials": map[string]any{"accessKeyId": r.Credentials.AccessKeyID, "expiration": r.Credentials.Expiration},
		"assumedRoleUser": map[string]any{"arn": r.AssumedRoleUser.Arn}}
}

func stsAssumeRole(s *Server, q *queryCall) (any, *apiError) {
	if e := required(q.params, "RoleArn", "RoleSessionName"); e != nil {
		return nil, e
	}
	roleArn := q.params.Get("RoleArn")
	if e := s.authorize(q, "sts:AssumeRole", roleArn); e != nil {
		return nil, e
	}
	lifetime := time.Hour
	if d := q.params.Get("DurationSeconds"); d != "" {
		secs, err := strconv.Atoi(d)
		if err != nil || secs < 900 || secs > 43200 {
			return nil, &apiError{http.StatusBadRequest, "ValidationError", "DurationSeconds must be between 900 and 43200"}
		}
		lifetime = time.Duration(secs) * time.Second
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	var r *role
	for _, ro := range s.acct.roles {
		if s.roleARN(ro) == roleArn {
			r = ro
		}
	}
	if r == nil {
		return nil, accessDenied(q.caller, s.acct.id, "sts:AssumeRole", roleArn)
	}
	k := s.acct.mintSession(r, q.params.Get("RoleSessionName"), lifetime, s.now())
	var out assumeRoleResult
	out.Credentials = stsCredentials{k.id, k.secret, k.token, k.expires.UTC().Format(time.RFC3339)}
	out.AssumedRoleUser.AssumedRoleID = r.id + ":" + k.sessionName
	out.AssumedRoleUser.Arn = caller{key: k}.arn(s.acct.id)
	return out, nil
}
