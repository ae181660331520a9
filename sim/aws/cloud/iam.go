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

func (s *Server) userARN(u *user) string { return "arn:aws:iam::" + s.acct.id + ":user/" + u.name }
func (s *Server) roleARN(r *role) string { return "arn:aws:iam::" + s.acct.id + ":role/" + r.name }

func (s *Server) userView(u *user) iamUser {
	return iamUser{"/", u.name, u.id, s.userARN(u), u.created.UTC().Format(time.RFC3339)}
}

const trustEC2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func (s *Server) roleView(r *role) iamRole {
	return iamRole{"/", r.name, r.id, s.roleARN(r), r.created.UTC().Format(time.RFC3339), url.PathEscape(trustEC2)}
}

func noSuchEntity(what, name string) *apiError {
	return &apiError{http.StatusNotFound, "NoSuchEntity", "The " + what + " with name " + name + " cannot be found."}
}

// targetUser is the user a call names, or the caller's own user.
func (s *Server) targetUser(q *queryCall) (*user, *apiError) {
	name := q.params.Get("UserName")
	if name == "" && q.caller.key.user != nil {
		name = q.caller.key.user.name
	}
	u := s.acct.users[name]
	if u == nil {
		return nil, noSuchEntity("user", name)
	}
	return u, nil
}

// withUser authorises action on the named user and runs f under the lock.
func withUser(s *Server, q *queryCall, action string, f func(u *user) (any, *apiError)) (any, *apiError) {
	s.acct.mu.Lock()
	u, e := s.targetUser(q)
	s.acct.mu.Unlock()
	if e != nil {
		return nil, e
	}
	if e := s.authorize(q, action, s.userARN(u)); e != nil {
		return nil, e
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	return f(u)
}

func withRole(s *Server, q *queryCall, action string, f func(r *role) (any, *apiError)) (any, *apiError) {
	if e := required(q.params, "RoleName"); e != nil {
		return nil, e
	}
	name := q.params.Get("RoleName")
	s.acct.mu.Lock()
	r := s.acct.roles[name]
	s.acct.mu.Unlock()
	if r == nil {
		return nil, noSuchEntity("role", name)
	}
	if e := s.authorize(q, action, s.roleARN(r)); e != nil {
		return nil, e
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	return f(r)
}

func iamGetUser(s *Server, q *queryCall) (any, *apiError) {
	return withUser(s, q, "iam:GetUser", func(u *user) (any, *apiError) {
		return struct {
			User iamUser `xml:"User"`
		}{s.userView(u)}, nil
	})
}

func iamListUsers(s *Server, q *queryCall) (any, *apiError) {
	if e := s.authorize(q, "iam:ListUsers", "arn:aws:iam::"+s.acct.id+":user/"); e != nil {
		return nil, e
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	var out struct {
		Users       []iamUser `xml:"Users>member"`
		IsTruncated bool      `xml:"IsTruncated"`
	}
	for _, name := range sortedKeys(s.acct.users) {
		out.Users = append(out.Users, s.userView(s.acct.users[name]))
	}
	return out, nil
}

func iamListAccessKeys(s *Server, q *queryCall) (any, *apiError) {
	return withUser(s, q, "iam:ListAccessKeys", func(u *user) (any, *apiError) {
		var out struct {
			Keys        []accessKeyMeta `xml:"AccessKeyMetadata>member"`
			IsTruncated bool            `xml:"IsTruncated"`
		}
		for _, id := range sortedKeys(s.acct.keys) {
			if k := s.acct.keys[id]; k.user == u {
				out.Keys = append(out.Keys, accessKeyMeta{u.name, k.id, status(k.active), k.created.UTC().Format(time.RFC3339)})
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

func ownedKey(s *Server, u *user, id string) (*accessKey, *apiError) {
	k := s.acct.keys[id]
	if k == nil || k.user != u {
		return nil, &apiError{http.StatusNotFound, "NoSuchEntity", "The Access Key with id " + id + " cannot be found."}
	}
	return k, nil
}

func iamUpdateAccessKey(s *Server, q *queryCall) (any, *apiError) {
	if e := required(q.params, "AccessKeyId", "Status"); e != nil {
		return nil, e
	}
	st := q.params.Get("Status")
	if st != "Active" && st != "Inactive" {
		return nil, &apiError{http.StatusBadRequest, "ValidationError", "Status must be Active or Inactive"}
	}
	return withUser(s, q, "iam:UpdateAccessKey", func(u *user) (any, *apiError) {
		k, e := ownedKey(s, u, q.params.Get("AccessKeyId"))
		if e != nil {
			return nil, e
		}
		k.active = st == "Active"
		return nil, nil
	})
}

func iamDeleteAccessKey(s *Server, q *queryCall) (any, *apiError) {
	if e := required(q.params, "AccessKeyId"); e != nil {
		return nil, e
	}
	return withUser(s, q, "iam:DeleteAccessKey", func(u *user) (any, *apiError) {
		k, e := ownedKey(s, u, q.params.Get("AccessKeyId"))
		if e != nil {
			return nil, e
		}
		delete(s.acct.keys, k.id)
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

func iamCreateAccessKey(s *Server, q *queryCall) (any, *apiError) {
	return withUser(s, q, "iam:CreateAccessKey", func(u *user) (any, *apiError) {
		now := s.now()
		k := &accessKey{id: "AKIA" + randomID(16), secret: randomSecret(), active: true, created: now, user: u}
		s.acct.keys[k.id] = k
		var out createdKey
		out.AccessKey.UserName, out.AccessKey.AccessKeyID, out.AccessKey.Status = u.name, k.id, "Active"
		out.AccessKey.SecretAccessKey, out.AccessKey.CreateDate = k.secret, now.UTC().Format(time.RFC3339)
		return out, nil
	})
}

func iamListRoles(s *Server, q *queryCall) (any, *apiError) {
	if e := s.authorize(q, "iam:ListRoles", "arn:aws:iam::"+s.acct.id+":role/"); e != nil {
		return nil, e
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	var out struct {
		Roles       []iamRole `xml:"Roles>member"`
		IsTruncated bool      `xml:"IsTruncated"`
	}
	for _, name := range sortedKeys(s.acct.roles) {
		out.Roles = append(out.Roles, s.roleView(s.acct.roles[name]))
	}
	return out, nil
}

func iamGetRole(s *Server, q *queryCall) (any, *apiError) {
	return withRole(s, q, "iam:GetRole", func(r *role) (any, *apiError) {
		return struct {
			Role iamRole `xml:"Role"`
		}{s.roleView(r)}, nil
	})
}

type policyNames struct {
	PolicyNames []string `xml:"PolicyNames>member"`
	IsTruncated bool     `xml:"IsTruncated"`
}

func iamListRolePolicies(s *Server, q *queryCall) (any, *apiError) {
	return withRole(s, q, "iam:ListRolePolicies", func(r *role) (any, *apiError) {
		return policyNames{PolicyNames: sortedKeys(r.policies)}, nil
	})
}

func iamListUserPolicies(s *Server, q *queryCall) (any, *apiError) {
	return withUser(s, q, "iam:ListUserPolicies", func(u *user) (any, *apiError) {
		return policyNames{PolicyNames: sortedKeys(u.policies)}, nil
	})
}

func getPolicy(owner, ownerName string, policies map[string]string, q *queryCall) (any, *apiError) {
	if e := required(q.params, "PolicyName"); e != nil {
		return nil, e
	}
	name := q.params.Get("PolicyName")
	doc, ok := policies[name]
	if !ok {
		return nil, &apiError{http.StatusNotFound, "NoSuchEntity", "The " + owner + " policy with name " + name + " cannot be found."}
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

func iamGetRolePolicy(s *Server, q *queryCall) (any, *apiError) {
	return withRole(s, q, "iam:GetRolePolicy", func(r *role) (any, *apiError) { return getPolicy("role", r.name, r.policies, q) })
}

func iamGetUserPolicy(s *Server, q *queryCall) (any, *apiError) {
	return withUser(s, q, "iam:GetUserPolicy", func(u *user) (any, *apiError) { return getPolicy("user", u.name, u.policies, q) })
}

func putPolicy(policies map[string]string, q *queryCall) (any, *apiError) {
	if e := required(q.params, "PolicyName", "PolicyDocument"); e != nil {
		return nil, e
	}
	doc := q.params.Get("PolicyDocument")
	if _, err := policy.Parse(doc); err != nil {
		return nil, &apiError{http.StatusBadRequest, "MalformedPolicyDocument", err.Error()}
	}
	policies[q.params.Get("PolicyName")] = doc
	return nil, nil
}

func iamPutRolePolicy(s *Server, q *queryCall) (any, *apiError) {
	return withRole(s, q, "iam:PutRolePolicy", func(r *role) (any, *apiError) { return putPolicy(r.policies, q) })
}

func iamPutUserPolicy(s *Server, q *queryCall) (any, *apiError) {
	return withUser(s, q, "iam:PutUserPolicy", func(u *user) (any, *apiError) { return putPolicy(u.policies, q) })
}

func deletePolicy(owner string, policies map[string]string, q *queryCall) (any, *apiError) {
	if e := required(q.params, "PolicyName"); e != nil {
		return nil, e
	}
	name := q.params.Get("PolicyName")
	if _, ok := policies[name]; !ok {
		return nil, &apiError{http.StatusNotFound, "NoSuchEntity", "The " + owner + " policy with name " + name + " cannot be found."}
	}
	delete(policies, name)
	return nil, nil
}

func iamDeleteRolePolicy(s *Server, q *queryCall) (any, *apiError) {
	return withRole(s, q, "iam:DeleteRolePolicy", func(r *role) (any, *apiError) { return deletePolicy("role", r.policies, q) })
}

func iamDeleteUserPolicy(s *Server, q *queryCall) (any, *apiError) {
	return withUser(s, q, "iam:DeleteUserPolicy", func(u *user) (any, *apiError) { return deletePolicy("user", u.policies, q) })
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
