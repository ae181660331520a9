package iam

import "github.com/sakimori/sakimori/sim/aws/account"

// The labs' identities carry inline policies only; managed policies are
// not emulated, so each identity has none attached. The calls still
// answer, as they do on AWS, so that a responder who lists both kinds
// sees that the inline ones are all there is.

type attachedPolicies struct {
	Policies    []struct{} `xml:"AttachedPolicies>member"`
	IsTruncated bool       `xml:"IsTruncated"`
}

func listAttachedRolePolicies(a *account.Account, q *account.Call) (any, *account.APIError) {
	return withRole(a, q, "iam:ListAttachedRolePolicies", func(*account.Role) (any, *account.APIError) {
		return attachedPolicies{}, nil
	})
}

func listAttachedUserPolicies(a *account.Account, q *account.Call) (any, *account.APIError) {
	return withUser(a, q, "iam:ListAttachedUserPolicies", func(*account.User) (any, *account.APIError) {
		return attachedPolicies{}, nil
	})
}
