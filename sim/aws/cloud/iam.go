package cloud

import (
	"net/http"
	"net/url"
	"sort"
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

func (s *Server) userARN(u *User) string { return "arn:aws:iam::" + s.acct.ID + ":user/" + u.Name }
func (s *Server) roleARN(r *Role) string { return "arn:aws:iam::" + s.acct.ID + ":role/" + r.Name }

func (s *Server) userView(u *User) iamUser {
	return iamUser{"/", u.Name, u.ID, s.userARN(u), u.Created.UTC().Format(time.RFC3339)}
}

const trustEC2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func (s *Server) roleView(r *Role) iamRole {
	return iamRole{"/", r.Name, r.ID, s.roleARN(r), r.Created.UTC().Format(time.RFC3339), url.PathEscape(trustEC2)}
}

func noSuchEntity(what, name string) *APIError {
	return &APIError{http.StatusNotFound, "NoSuchEntity", "The " + what + " with name " + name + " cannot be found."}
}

// targetUser is the user a call names, or the caller's own user.
func (s *Server) targetUser(q *Call) (*User, *APIError) {
	name := q.Params.Get("UserName")
	if name == "" && q.Caller.Key.User != nil {
		name = q.Caller.Key.User.Name
	}
	u := s.acct.Users[name]
	if u == nil {
		return nil, noSuchEntity("user", name)
	}
	return u, nil
}

// withUser authorises action on the named user and runs f under the lock.
func withUser(s *Server, q *Call, action string, f func(u *User) (any, *APIError)) (any, *APIError) {
	s.acct.Lock()
	u, e := s.targetUser(q)
	s.acct.Unlock()
	if e != nil {
		return nil, e
	}
	if e := s.authorize(q, action, s.userARN(u)); e != nil {
		return nil, e
	}
	s.acct.Lock()
	defer s.acct.Unlock()
	return f(u)
}

func withRole(s *Server, q *Call, action string, f func(r *Role) (any, *APIError)) (any, *APIError) {
	if e := required(q.Params, "RoleName"); e != nil {
		return nil, e
	}
	name := q.Params.Get("RoleName")
	s.acct.Lock()
	r := s.acct.Roles[name]
	s.acct.Unlock()
	if r == nil {
		return nil, noSuchEntity("role", name)
	}
	if e := s.authorize(q, action, s.roleARN(r)); e != nil {
		return nil, e
	}
	s.acct.Lock()
	defer s.acct.Unlock()
	return f(r)
}

func iamGetUser(s *Server, q *Call) (any, *APIError) {
	return withUser(s, q, "iam:GetUser", func(u *User) (any, *APIError) {
		return struct {
			User iamUser `xml:"User"`
		}{s.userView(u)}, nil
	})
}

func iamListUsers(s *Server, q *Call) (any, *APIError) {
	if e := s.authorize(q, "iam:ListUsers", "arn:aws:iam::"+s.acct.ID+":user/"); e != nil {
		return nil, e
	}
	s.acct.Lock()
	defer s.acct.Unlock()
	var out struct {
		Users       []iamUser `xml:"Users>member"`
		IsTruncated bool      `xml:"IsTruncated"`
	}
	for _, name := range sortedKeys(s.acct.Users) {
		out.Users = append(out.Users, s.userView(s.acct.Users[name]))
	}
	return out, nil
}

func iamListAccessKeys(s *Server, q *Call) (any, *APIError) {
	return withUser(s, q, "iam:ListAccessKeys", func(u *User) (any, *APIError) {
		var out struct {
			Keys        []accessKeyMeta `xml:"AccessKeyMetadata>member"`
			IsTruncated bool            `xml:"IsTruncated"`
		}
		for _, id := range sortedKeys(s.acct.Keys) {
			if k := s.acct.Keys[id]; k.User == u {
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

func ownedKey(s *Server, u *User, id string) (*AccessKey, *APIError) {
	k := s.acct.Keys[id]
	if k == nil || k.User != u {
		return nil, &APIError{http.StatusNotFound, "NoSuchEntity", "The Access Key with id " + id + " cannot be found."}
	}
	return k, nil
}

func iamUpdateAccessKey(s *Server, q *Call) (any, *APIError) {
	if e := required(q.Params, "AccessKeyId", "Status"); e != nil {
		return nil, e
	}
	st := q.Params.Get("Status")
	if st != "Active" && st != "Inactive" {
		return nil, &APIError{http.StatusBadRequest, "ValidationError", "Status must be Active or Inactive"}
	}
	return withUser(s, q, "iam:UpdateAccessKey", func(u *User) (any, *APIError) {
		k, e := ownedKey(s, u, q.Params.Get("AccessKeyId"))
		if e != nil {
			return nil, e
		}
		k.Active = st == "Active"
		return nil, nil
	})
}

func iamDeleteAccessKey(s *Server, q *Call) (any, *APIError) {
	if e := required(q.Params, "AccessKeyId"); e != nil {
		return nil, e
	}
	return withUser(s, q, "iam:DeleteAccessKey", func(u *User) (any, *APIError) {
		k, e := ownedKey(s, u, q.Params.Get("AccessKeyId"))
		if e != nil {
			return nil, e
		}
		delete(s.acct.Keys, k.ID)
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

func (c createdKey) auditResponse() map[string]any {
	return map[string]any{"accessKey": map[string]any{"accessKeyId": c.AccessKey.AccessKeyID, "userName": c.AccessKey.UserName, "status": "Active"}}
}

func iamCreateAccessKey(s *Server, q *Call) (any, *APIError) {
	return withUser(s, q, "iam:CreateAccessKey", func(u *User) (any, *APIError) {
		now := s.now()
		k := &AccessKey{ID: "AKIA" + randomID(16), Secret: randomSecret(), Active: true, Created: now, User: u}
		s.acct.Keys[k.ID] = k
		var out createdKey
		out.AccessKey.UserName, out.AccessKey.AccessKeyID, out.AccessKey.Status = u.Name, k.ID, "Active"
		out.AccessKey.SecretAccessKey, out.AccessKey.CreateDate = k.Secret, now.UTC().Format(time.RFC3339)
		return out, nil
	})
}

func iamListRoles(s *Server, q *Call) (any, *APIError) {
	if e := s.authorize(q, "iam:ListRoles", "arn:aws:iam::"+s.acct.ID+":role/"); e != nil {
		return nil, e
	}
	s.acct.Lock()
	defer s.acct.Unlock()
	var out struct {
		Roles       []iamRole `xml:"Roles>member"`
		IsTruncated bool      `xml:"IsTruncated"`
	}
	for _, name := range sortedKeys(s.acct.Roles) {
		out.Roles = append(out.Roles, s.roleView(s.acct.Roles[name]))
	}
	return out, nil
}

func iamGetRole(s *Server, q *Call) (any, *APIError) {
	return withRole(s, q, "iam:GetRole", func(r *Role) (any, *APIError) {
		return struct {
			Role iamRole `xml:"Role"`
		}{s.roleView(r)}, nil
	})
}

type policyNames struct {
	PolicyNames []string `xml:"PolicyNames>member"`
	IsTruncated bool     `xml:"IsTruncated"`
}

func iamListRolePolicies(s *Server, q *Call) (any, *APIError) {
	return withRole(s, q, "iam:ListRolePolicies", func(r *Role) (any, *APIError) {
		return policyNames{PolicyNames: sortedKeys(r.Policies)}, nil
	})
}

func iamListUserPolicies(s *Server, q *Call) (any, *APIError) {
	return withUser(s, q, "iam:ListUserPolicies", func(u *User) (any, *APIError) {
		return policyNames{PolicyNames: sortedKeys(u.Policies)}, nil
	})
}

func getPolicy(owner, ownerName string, policies map[string]string, q *Call) (any, *APIError) {
	if e := required(q.Params, "PolicyName"); e != nil {
		return nil, e
	}
	name := q.Params.Get("PolicyName")
	doc, ok := policies[name]
	if !ok {
		return nil, &APIError{http.StatusNotFound, "NoSuchEntity", "The " + owner + " policy with name " + name + " cannot be found."}
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

func iamGetRolePolicy(s *Server, q *Call) (any, *APIError) {
	return withRole(s, q, "iam:GetRolePolicy", func(r *Role) (any, *APIError) { return getPolicy("role", r.Name, r.Policies, q) })
}

func iamGetUserPolicy(s *Server, q *Call) (any, *APIError) {
	return withUser(s, q, "iam:GetUserPolicy", func(u *User) (any, *APIError) { return getPolicy("user", u.Name, u.Policies, q) })
}

func putPolicy(policies map[string]string, q *Call) (any, *APIError) {
	if e := required(q.Params, "PolicyName", "PolicyDocument"); e != nil {
		return nil, e
	}
	doc := q.Params.Get("PolicyDocument")
	if _, err := policy.Parse(doc); err != nil {
		return nil, &APIError{http.StatusBadRequest, "MalformedPolicyDocument", err.Error()}
	}
	policies[q.Params.Get("PolicyName")] = doc
	return nil, nil
}

func iamPutRolePolicy(s *Server, q *Call) (any, *APIError) {
	return withRole(s, q, "iam:PutRolePolicy", func(r *Role) (any, *APIError) { return putPolicy(r.Policies, q) })
}

func iamPutUserPolicy(s *Server, q *Call) (any, *APIError) {
	return withUser(s, q, "iam:PutUserPolicy", func(u *User) (any, *APIError) { return putPolicy(u.Policies, q) })
}

func deletePolicy(owner string, policies map[string]string, q *Call) (any, *APIError) {
	if e := required(q.Params, "PolicyName"); e != nil {
		return nil, e
	}
	name := q.Params.Get("PolicyName")
	if _, ok := policies[name]; !ok {
		return nil, &APIError{http.StatusNotFound, "NoSuchEntity", "The " + owner + " policy with name " + name + " cannot be found."}
	}
	delete(policies, name)
	return nil, nil
}

func iamDeleteRolePolicy(s *Server, q *Call) (any, *APIError) {
	return withRole(s, q, "iam:DeleteRolePolicy", func(r *Role) (any, *APIError) { return deletePolicy("role", r.Policies, q) })
}

func iamDeleteUserPolicy(s *Server, q *Call) (any, *APIError) {
	return withUser(s, q, "iam:DeleteUserPolicy", func(u *User) (any, *APIError) { return deletePolicy("user", u.Policies, q) })
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
