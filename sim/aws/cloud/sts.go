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
func stsGetCallerIdentity(s *Server, q *Call) (any, *APIError) {
	id := q.Caller.Identity(s.acct.ID)
	return callerIdentity{Arn: id.ARN, UserID: id.PrincipalID, Account: s.acct.ID}, nil
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

func stsAssumeRole(s *Server, q *Call) (any, *APIError) {
	if e := required(q.Params, "RoleArn", "RoleSessionName"); e != nil {
		return nil, e
	}
	roleArn := q.Params.Get("RoleArn")
	if e := s.authorize(q, "sts:AssumeRole", roleArn); e != nil {
		return nil, e
	}
	lifetime := time.Hour
	if d := q.Params.Get("DurationSeconds"); d != "" {
		secs, err := strconv.Atoi(d)
		if err != nil || secs < 900 || secs > 43200 {
			return nil, &APIError{http.StatusBadRequest, "ValidationError", "DurationSeconds must be between 900 and 43200"}
		}
		lifetime = time.Duration(secs) * time.Second
	}
	s.acct.Lock()
	defer s.acct.Unlock()
	var r *Role
	for _, ro := range s.acct.Roles {
		if s.roleARN(ro) == roleArn {
			r = ro
		}
	}
	if r == nil {
		return nil, AccessDenied(q.Caller, s.acct.ID, "sts:AssumeRole", roleArn)
	}
	k := s.acct.MintSession(r, q.Params.Get("RoleSessionName"), lifetime, s.now())
	var out assumeRoleResult
	out.Credentials = stsCredentials{k.ID, k.Secret, k.Token, k.Expires.UTC().Format(time.RFC3339)}
	out.AssumedRoleUser.AssumedRoleID = r.ID + ":" + k.SessionName
	out.AssumedRoleUser.Arn = Caller{Key: k}.ARN(s.acct.ID)
	return out, nil
}
