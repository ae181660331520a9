package account

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/sakimori/sakimori/sim/aws/policy"
)

// Call is one call of the query protocol (STS, IAM, EC2): form-encoded
// Action and parameters, answered in XML by sim/aws.
type Call struct {
	Service string // sts, iam, ec2
	Action  string
	Params  url.Values
	Caller  Caller
}

// Handler is one action of a query-protocol service: its result, encoded
// as the action's XML answer, or an error.
type Handler func(a *Account, q *Call) (any, *APIError)

// Audited is a result that says what the audit record keeps of it: for
// calls that hand out credentials, the access key id, never the secret.
type Audited interface{ AuditResponse() map[string]any }

// Authorize applies the caller's identity policies to one action.
func (a *Account) Authorize(q *Call, action, resource string) *APIError {
	a.Lock()
	docs := a.IdentityPolicies(q.Caller.Key)
	a.Unlock()
	req := policy.Request{Action: action, Resource: resource, Principal: q.Caller.ARN(a.ID), SourceIP: q.Caller.SourceIP,
		TokenIssued: q.Caller.Key.Issued(), Now: a.Now(), Context: q.Caller.ConditionContext(a.ID)}
	if policy.Evaluate(req, docs...) != policy.Allowed {
		apiErr := AccessDenied(q.Caller, a.ID, action, resource)
		if q.Service == "ec2" {
			apiErr.Code = "UnauthorizedOperation"
			apiErr.Message = "You are not authorized to perform this operation. User: " + q.Caller.ARN(a.ID) + " is not authorized to perform: " + action
		}
		return apiErr
	}
	return nil
}

// ListParam reads a query-protocol list (Name.1, Name.2, ...).
func ListParam(p url.Values, name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := p[name+"."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

// Required refuses a call that lacks any of the named parameters.
func Required(p url.Values, names ...string) *APIError {
	for _, n := range names {
		if p.Get(n) == "" {
			return &APIError{Status: http.StatusBadRequest, Code: "ValidationError", Message: "1 validation error detected: Value null at '" + n + "' failed to satisfy constraint: Member must not be null"}
		}
	}
	return nil
}
