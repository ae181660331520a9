// Package iam is the emulated Identity and Access Management service:
// users, their access keys, roles and inline policies, which the labs
// teach to read, turn off and tighten. The policy language itself is
// sim/aws/policy.
package iam

import (
	"github.com/sakimori/sakimori/sim/aws/account"

	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/sakimori/sakimori/sim/aws/policy"
)

type iamUser struct {
	Path       string `xml:"Path"`
	UserName   string `xml:"UserName"`
	UserID     string `xml:"UserId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

type iamRole struct {
	Path                     string `xml:"Path"`
	RoleName                 string `xml:"RoleName"`
	RoleID                   string `xml:"RoleId"`
	Arn                      string `xml:"Arn"`
	CreateDate               string `xml:"CreateDate"`
	AssumeRolePolicyDocument string `xml:"AssumeRolePolicyDocument"`
}

type accessKeyMeta struct {
	UserName    string `xml:"UserName"`
	AccessKeyID string `xml:"AccessKeyId"`
	Status      string `xml:"Status"`
	CreateDate  string `xml:"CreateDate"`
}

// Actions are the IAM actions the lab serves.
var Actions = map[string]account.Handler{
	"GetUser": getUser, "ListUsers": listUsers, "ListAccessKeys": listAccessKeys, "ListGroupsForUser": listGroupsForUser,
	"UpdateAccessKey": updateAccessKey, "DeleteAccessKey": deleteAccessKey, "CreateAccessKey": createAccessKey,
	"ListRoles": listRoles, "GetRole": getRole,
	"ListRolePolicies": listRolePolicies, "GetRolePolicy": getRolePolicy,
	"PutRolePolicy": putRolePolicy, "DeleteRolePolicy": deleteRolePolicy,
	"ListUserPolicies": listUserPolicies, "GetUserPolicy": getUserPolicy,
	"PutUserPolicy": putUserPolicy, "DeleteUserPolicy": deleteUserPolicy,
	"ListAttachedRolePolicies": listAttachedRolePolicies, "ListAttachedUserPolicies": listAttachedUserPolicies,
}

func userView(a *account.Account, u *account.User) iamUser {
	return iamUser{"/", u.Name, u.ID, a.UserARN(u), u.Created.UTC().Format(time.RFC3339)}
}

const trustEC2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func roleView(a *account.Account, r *account.Role) iamRole {
	return iamRole{"/", r.Name, r.ID, a.RoleARN(r), r.Created.UTC().Format(time.RFC3339), url.PathEscape(trustEC2)}
}

func noSuchEntity(what, name string) *account.APIError {
	return &account.APIError{Status: http.StatusNotFound, Code: "NoSuchEntity", Message: "The " + what + " with name " + name + " cannot be found."}
}

// targetUser is the user a call names, or the caller's own user.
func targetUser(a *account.Account, q *account.Call) (*account.User, *account.APIError) {
	name := q.Params.Get("UserName")
	if name == "" && q.Caller.Key.User != nil {
		name = q.Caller.Key.User.Name
	}
	u := a.Users[name]
	if u == nil {
		return nil, noSuchEntity("user", name)
	}
	return u, nil
}

// withUser authorises action on the named user and runs f under the lock.
func withUser(a *account.Account, q *account.Call, action string, f func(u *account.User) (any, *account.APIError)) (any, *account.APIError) {
	a.Lock()
	u, e := targetUser(a, q)
	a.Unlock()
	if e != nil {
		return nil, e
	}
	if e := a.Authorize(q, action, a.UserARN(u)); e != nil {
		return nil, e
	}
	a.Lock()
	defer a.Unlock()
	return f(u)
}

func withRole(a *account.Account, q *account.Call, action string, f func(r *account.Role) (any, *account.APIError)) (any, *account.APIError) {
	if e := account.Required(q.Params, "RoleName"); e != nil {
		return nil, e
	}
	name := q.Params.Get("RoleName")
	a.Lock()
	r := a.Roles[name]
	a.Unlock()
	if r == nil {
		return nil, noSuchEntity("role", name)
	}
	if e := a.Authorize(q, action, a.RoleARN(r)); e != nil {
		return nil, e
	}
	a.Lock()
	defer a.Unlock()
	return f(r)
}

func getUser(a *account.Account, q *account.Call) (any, *account.APIError) {
	return withUser(a, q, "iam:GetUser", func(u *account.User) (any, *account.APIError) {
		return struct {
			User iamUser `xml:"User"`
		}{userView(a, u)}, nil
	})
}

func listUsers(a *account.Account, q *account.Call) (any, *account.APIError) {
	if e := a.Authorize(q, "iam:ListUsers", "arn:aws:iam::"+a.ID+":user/"); e != nil {
		return nil, e
	}
	a.Lock()
	defer a.Unlock()
	var out struct {
		Users       []iamUser `xml:"Users>member"`
		IsTruncated bool      `xml:"IsTruncated"`
	}
	for _, name := range account.SortedKeys(a.Users) {
		out.Users = append(out.Users, userView(a, a.Users[name]))
	}
	return out, nil
}

func listAccessKeys(a *account.Account, q *account.Call) (any, *account.APIError) {
	return withUser(a, q, "iam:ListAccessKeys", func(u *account.User) (any, *account.APIError) {
		var out struct {
			Keys        []accessKeyMeta `xml:"AccessKeyMetadata>member"`
			IsTruncated bool            `xml:"IsTruncated"`
		}
		for _, id := range account.SortedKeys(a.Keys) {
			if k := a.Keys[id]; k.User == u && k.Token == "" { // long-term keys, not sessions
				out.Keys = append(out.Keys, accessKeyMeta{u.Name, k.ID, status(k.Active), k.Created.UTC().Format(time.RFC3339)})
			}
		}
		return out, nil
	})
}

func status(active bool) string {
	if active {
		return "Active"
	}
	return "Inactive"
}

func ownedKey(a *account.Account, u *account.User, id string) (*account.AccessKey, *account.APIError) {
	k := a.Keys[id]
	if k == nil || k.User != u || k.Token != "" {
		return nil, &account.APIError{Status: http.StatusNotFound, Code: "NoSuchEntity", Message: "The Access Key with id " + id + " cannot be found."}
	}
	return k, nil
}

func updateAccessKey(a *account.Account, q *account.Call) (any, *account.APIError) {
	if e := account.Required(q.Params, "AccessKeyId", "Status"); e != nil {
		return nil, e
	}
	st := q.Params.Get("Status")
	if st != "Active" && st != "Inactive" {
		return nil, &account.APIError{Status: http.StatusBadRequest, Code: "ValidationError", Message: "Status must be Active or Inactive"}
	}
	return withUser(a, q, "iam:UpdateAccessKey", func(u *account.User) (any, *account.APIError) {
		k, e := ownedKey(a, u, q.Params.Get("AccessKeyId"))
		if e != nil {
			return nil, e
		}
		k.Active = st == "Active"
		return nil, nil
	})
}

func deleteAccessKey(a *account.Account, q *account.Call) (any, *account.APIError) {
	if e := account.Required(q.Params, "AccessKeyId"); e != nil {
		return nil, e
	}
	return withUser(a, q, "iam:DeleteAccessKey", func(u *account.User) (any, *account.APIError) {
		k, e := ownedKey(a, u, q.Params.Get("AccessKeyId"))
		if e != nil {
			return nil, e
		}
		delete(a.Keys, k.ID)
		return nil, nil
	})
}

type createdKey struct {
	AccessKey struct {
		UserName        string `xml:"UserName"`
		AccessKeyID     string `xml:"AccessKeyId"`
		Status          string `xml:"Status"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		CreateDate      string `xml:"CreateDate"`
	} `xml:"AccessKey"`
}

func (c createdKey) AuditResponse() map[string]any {
	return map[string]any{"accessKey": map[string]any{"accessKeyId": c.AccessKey.AccessKeyID, "userName": c.AccessKey.UserName, "status": "Active"}}
}

func createAccessKey(a *account.Account, q *account.Call) (any, *account.APIError) {
	return withUser(a, q, "iam:CreateAccessKey", func(u *account.User) (any, *account.APIError) {
		held := 0
		for _, k := range a.Keys {
			if k.User == u {
				held++
			}
		}
		if held >= keysPerUser {
			return nil, &account.APIError{Status: http.StatusConflict, Code: "LimitExceeded",
				Message: fmt.Sprintf("Cannot exceed quota for AccessKeysPerUser: %d", keysPerUser)}
		}
		now := a.Now()
		k := &account.AccessKey{ID: "AKIA" + account.RandomID(16), Secret: account.RandomSecret(), Active: true, Created: now, User: u}
		a.Keys[k.ID] = k
		var out createdKey
		out.AccessKey.UserName, out.AccessKey.AccessKeyID, out.AccessKey.Status = u.Name, k.ID, "Active"
		out.AccessKey.SecretAccessKey, out.AccessKey.CreateDate = k.Secret, now.UTC().Format(time.RFC3339)
		return out, nil
	})
}

// keysPerUser is IAM's quota of access keys a user may hold, active or
// not: an intruder who wants a second key for someone who has two must
// delete one, and that shows.
const keysPerUser = 2

// listGroupsForUser answers for an account with no groups, as the labs'
// accounts are: an empty list, once the user is known.
func listGroupsForUser(a *account.Account, q *account.Call) (any, *account.APIError) {
	return withUser(a, q, "iam:ListGroupsForUser", func(*account.User) (any, *account.APIError) {
		return struct {
			Groups      []struct{} `xml:"Groups"`
			IsTruncated bool       `xml:"IsTruncated"`
		}{}, nil
	})
}

func listRoles(a *account.Account, q *account.Call) (any, *account.APIError) {
	if e := a.Authorize(q, "iam:ListRoles", "arn:aws:iam::"+a.ID+":role/"); e != nil {
		return nil, e
	}
	a.Lock()
	defer a.Unlock()
	var out struct {
		Roles       []iamRole `xml:"Roles>member"`
		IsTruncated bool      `xml:"IsTruncated"`
	}
	for _, name := range account.SortedKeys(a.Roles) {
		out.Roles = append(out.Roles, roleView(a, a.Roles[name]))
	}
	return out, nil
}

func getRole(a *account.Account, q *account.Call) (any, *account.APIError) {
	return withRole(a, q, "iam:GetRole", func(r *account.Role) (any, *account.APIError) {
		return struct {
			Role iamRole `xml:"Role"`
		}{roleView(a, r)}, nil
	})
}

type policyNames struct {
	PolicyNames []string `xml:"PolicyNames>member"`
	IsTruncated bool     `xml:"IsTruncated"`
}

func listRolePolicies(a *account.Account, q *account.Call) (any, *account.APIError) {
	return withRole(a, q, "iam:ListRolePolicies", func(r *account.Role) (any, *account.APIError) {
		return policyNames{PolicyNames: account.SortedKeys(r.Policies)}, nil
	})
}

func listUserPolicies(a *account.Account, q *account.Call) (any, *account.APIError) {
	return withUser(a, q, "iam:ListUserPolicies", func(u *account.User) (any, *account.APIError) {
		return policyNames{PolicyNames: account.SortedKeys(u.Policies)}, nil
	})
}

func getPolicy(owner, ownerName string, policies map[string]string, q *account.Call) (any, *account.APIError) {
	if e := account.Required(q.Params, "PolicyName"); e != nil {
		return nil, e
	}
	name := q.Params.Get("PolicyName")
	doc, ok := policies[name]
	if !ok {
		return nil, &account.APIError{Status: http.StatusNotFound, Code: "NoSuchEntity", Message: "The " + owner + " policy with name " + name + " cannot be found."}
	}
	if owner == "role" {
		return struct {
			RoleName       string `xml:"RoleName"`
			PolicyName     string `xml:"PolicyName"`
			PolicyDocument string `xml:"PolicyDocument"`
		}{ownerName, name, url.PathEscape(doc)}, nil
	}
	return struct {
		UserName       string `xml:"UserName"`
		PolicyName     string `xml:"PolicyName"`
		PolicyDocument string `xml:"PolicyDocument"`
	}{ownerName, name, url.PathEscape(doc)}, nil
}

func getRolePolicy(a *account.Account, q *account.Call) (any, *account.APIError) {
	return withRole(a, q, "iam:GetRolePolicy", func(r *account.Role) (any, *account.APIError) { return getPolicy("role", r.Name, r.Policies, q) })
}

func getUserPolicy(a *account.Account, q *account.Call) (any, *account.APIError) {
	return withUser(a, q, "iam:GetUserPolicy", func(u *account.User) (any, *account.APIError) { return getPolicy("user", u.Name, u.Policies, q) })
}

func putPolicy(policies map[string]string, q *account.Call) (any, *account.APIError) {
	if e := account.Required(q.Params, "PolicyName", "PolicyDocument"); e != nil {
		return nil, e
	}
	doc := q.Params.Get("PolicyDocument")
	if _, err := policy.Parse(doc); err != nil {
		return nil, &account.APIError{Status: http.StatusBadRequest, Code: "MalformedPolicyDocument", Message: err.Error()}
	}
	policies[q.Params.Get("PolicyName")] = doc
	return nil, nil
}

func putRolePolicy(a *account.Account, q *account.Call) (any, *account.APIError) {
	return withRole(a, q, "iam:PutRolePolicy", func(r *account.Role) (any, *account.APIError) {
		out, err := putPolicy(r.Policies, q)
		if err == nil {
			r.PoliciesChanged = a.Now()
		}
		return out, err
	})
}

func putUserPolicy(a *account.Account, q *account.Call) (any, *account.APIError) {
	return withUser(a, q, "iam:PutUserPolicy", func(u *account.User) (any, *account.APIError) { return putPolicy(u.Policies, q) })
}

func deletePolicy(owner string, policies map[string]string, q *account.Call) (any, *account.APIError) {
	if e := account.Required(q.Params, "PolicyName"); e != nil {
		return nil, e
	}
	name := q.Params.Get("PolicyName")
	if _, ok := policies[name]; !ok {
		return nil, &account.APIError{Status: http.StatusNotFound, Code: "NoSuchEntity", Message: "The " + owner + " policy with name " + name + " cannot be found."}
	}
	delete(policies, name)
	return nil, nil
}

func deleteRolePolicy(a *account.Account, q *account.Call) (any, *account.APIError) {
	return withRole(a, q, "iam:DeleteRolePolicy", func(r *account.Role) (any, *account.APIError) {
		out, err := deletePolicy("role", r.Policies, q)
		if err == nil {
			r.PoliciesChanged = a.Now()
		}
		return out, err
	})
}

func deleteUserPolicy(a *account.Account, q *account.Call) (any, *account.APIError) {
	return withUser(a, q, "iam:DeleteUserPolicy", func(u *account.User) (any, *account.APIError) { return deletePolicy("user", u.Policies, q) })
}
