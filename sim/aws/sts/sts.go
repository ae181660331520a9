// Package sts is the emulated Security Token Service: who a key belongs
// to, and sessions of a role for those its policy lets take it on.
package sts

import (
	"github.com/sakimori/sakimori/sim/aws/account"

	"net/http"
	"strconv"
	"time"
)

// Actions are the STS actions the lab serves.
var Actions = map[string]account.Handler{"GetCallerIdentity": getCallerIdentity, "AssumeRole": assumeRole,
	"GetSessionToken": getSessionToken}

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
func getCallerIdentity(a *account.Account, q *account.Call) (any, *account.APIError) {
	id := q.Caller.Identity(a.ID)
	return callerIdentity{Arn: id.ARN, UserID: id.PrincipalID, Account: a.ID}, nil
}

type assumeRoleResult struct {
	Credentials     stsCredentials `xml:"Credentials"`
	AssumedRoleUser struct {
		AssumedRoleID string `xml:"AssumedRoleId"`
		Arn           string `xml:"Arn"`
	} `xml:"AssumedRoleUser"`
}

func (r assumeRoleResult) AuditResponse() map[string]any {
	return map[string]any{"credentials": map[string]any{"accessKeyId": r.Credentials.AccessKeyID, "expiration": r.Credentials.Expiration},
		"assumedRoleUser": map[string]any{"arn": r.AssumedRoleUser.Arn}}
}

func assumeRole(a *account.Account, q *account.Call) (any, *account.APIError) {
	if e := account.Required(q.Params, "RoleArn", "RoleSessionName"); e != nil {
		return nil, e
	}
	roleArn := q.Params.Get("RoleArn")
	if e := a.Authorize(q, "sts:AssumeRole", roleArn); e != nil {
		return nil, e
	}
	lifetime := time.Hour
	if d := q.Params.Get("DurationSeconds"); d != "" {
		secs, err := strconv.Atoi(d)
		if err != nil || secs < 900 || secs > 43200 {
			return nil, &account.APIError{Status: http.StatusBadRequest, Code: "ValidationError", Message: "DurationSeconds must be between 900 and 43200"}
		}
		lifetime = time.Duration(secs) * time.Second
	}
	a.Lock()
	defer a.Unlock()
	var r *account.Role
	for _, ro := range a.Roles {
		if a.RoleARN(ro) == roleArn {
			r = ro
		}
	}
	if r == nil {
		return nil, account.AccessDenied(q.Caller, a.ID, "sts:AssumeRole", roleArn)
	}
	k := a.MintSession(r, q.Params.Get("RoleSessionName"), lifetime, a.Now())
	var out assumeRoleResult
	out.Credentials = stsCredentials{k.ID, k.Secret, k.Token, k.Expires.UTC().Format(time.RFC3339)}
	out.AssumedRoleUser.AssumedRoleID = r.ID + ":" + k.SessionName
	out.AssumedRoleUser.Arn = account.Caller{Key: k}.ARN(a.ID)
	return out, nil
}
