package account

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"

	"github.com/sakimori/sakimori/sim/aws/trail"
	"github.com/sakimori/sakimori/sim/labkit"
	"github.com/sakimori/sakimori/sim/sigv4"
)

// caller is who made a request: a user's key, a session's key, or nobody.
type Caller struct {
	Key       *AccessKey // nil when anonymous
	SourceIP  netip.Addr // as the cloud sees it (after the world's address map)
	UserAgent string
	// Region is the region the request was signed for: where a regional
	// service (EC2, STS) acts and where its record lands. Anonymous
	// requests are the account's home region.
	Region string
	// Platform marks a request that carried the lab's simulator key: one
	// of the platform's checks, answered as any other but not recorded.
	Platform bool
}

func (c Caller) Anonymous() bool { return c.Key == nil }

// arn is the caller's ARN, or "*" for anonymous callers (the principal a
// resource policy must name to let them in).
func (c Caller) ARN(account string) string {
	switch {
	case c.Key == nil:
		return "*"
	case c.Key.User != nil:
		return fmt.Sprintf("arn:aws:iam::%s:user/%s", account, c.Key.User.Name)
	default:
		return fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", account, c.Key.Role.Name, c.Key.SessionName)
	}
}

func (c Caller) Identity(account string) trail.Identity {
	switch {
	case c.Key == nil:
		return trail.Identity{Type: "AWSAccount", AccountID: "ANONYMOUS_PRINCIPAL"}
	case c.Key.User != nil:
		return trail.Identity{Type: "IAMUser", PrincipalID: c.Key.User.ID, ARN: c.ARN(account), AccountID: account,
			AccessKeyID: c.Key.ID, UserName: c.Key.User.Name}
	default:
		return trail.Identity{Type: "AssumedRole", PrincipalID: c.Key.Role.ID + ":" + c.Key.SessionName, ARN: c.ARN(account),
			AccountID: account, AccessKeyID: c.Key.ID}
	}
}

// ConditionContext is what the caller brings to a policy's string
// conditions: aws:username for a user, aws:PrincipalArn, aws:PrincipalType
// and aws:userid for anyone signed in (keys by lower-case name).
func (c Caller) ConditionContext(account string) map[string]string {
	if c.Key == nil {
		return map[string]string{}
	}
	id := c.Identity(account)
	ctx := map[string]string{"aws:principalarn": c.ARN(account), "aws:userid": id.PrincipalID}
	if c.Key.User != nil {
		ctx["aws:username"], ctx["aws:principaltype"] = c.Key.User.Name, "User"
	} else {
		// A role session's principal ARN is the role's, as IAM evaluates it.
		ctx["aws:principalarn"], ctx["aws:principaltype"] = "arn:aws:iam::"+account+":role/"+c.Key.Role.Name, "AssumedRole"
	}
	return ctx
}

// apiError is an error in the shape every AWS protocol reports: an HTTP
// status, a code clients switch on, and a message.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func AccessDenied(c Caller, account, action, resource string) *APIError {
	who := c.ARN(account)
	if c.Anonymous() {
		who = "anonymous"
	}
	return &APIError{Status: http.StatusForbidden, Code: "AccessDenied",
		Message: fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s", who, action, resource)}
}

// IsPlatform reports whether r carries the lab's simulator key: one of the
// platform's requests (a check, the grader, an instance's metadata
// service), never a trainee's, whose hosts do not hold the key.
func (a *Account) IsPlatform(r *http.Request) bool {
	return a.simKey != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get(labkit.SimKeyHeader)), []byte(a.simKey)) == 1
}

// Regions are the regions a request may be signed for: those enabled by
// default, which DescribeRegions lists.
var Regions = []string{"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
	"ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
	"us-east-1", "us-east-2", "us-west-1", "us-west-2"}

// unknownKeyMessage is what each service says of a key that does not
// exist or is inactive: the same words for both, as on AWS, so a caller
// cannot tell a deactivated key from one never made.
var unknownKeyMessage = map[string]string{
	"InvalidAccessKeyId":   "The AWS Access Key Id you provided does not exist in our records.",
	"AuthFailure":          "AWS was not able to validate the provided access credentials",
	"InvalidClientTokenId": "The security token included in the request is invalid.",
}

// Authenticate checks a request's signature. An unsigned request is an
// anonymous caller; whether that is enough is the service's call. Codes
// differ by service as they do on AWS.
func (a *Account) Authenticate(r *http.Request, body []byte, service string) (Caller, *APIError) {
	c := Caller{SourceIP: a.sourceIP(r), UserAgent: r.UserAgent(), Region: a.Region, Platform: a.IsPlatform(r)}
	req, err := sigv4.Parse(r)
	if errors.Is(err, sigv4.ErrMissing) {
		return c, nil
	}
	badKey := map[string]string{"s3": "InvalidAccessKeyId", "ec2": "AuthFailure"}[service]
	if badKey == "" {
		badKey = "InvalidClientTokenId"
	}
	if err != nil {
		return c, &APIError{Status: http.StatusBadRequest, Code: "IncompleteSignature", Message: err.Error()}
	}
	if req.Region != "" {
		c.Region = req.Region
	}
	if !slices.Contains(Regions, c.Region) {
		signed := c.Region
		c.Region = a.Region // recorded in the home region, as a refused call with no region of its own
		switch service {
		case "s3":
			return c, &APIError{Status: http.StatusBadRequest, Code: "AuthorizationHeaderMalformed",
				Message: "The authorization header is malformed; the region '" + signed + "' is wrong; expecting '" + a.Region + "'"}
		case "ec2":
			return c, &APIError{Status: http.StatusUnauthorized, Code: "AuthFailure", Message: "Credential should be scoped to a valid region."}
		}
		return c, &APIError{Status: http.StatusForbidden, Code: "SignatureDoesNotMatch", Message: "Credential should be scoped to a valid region."}
	}
	a.Lock()
	key := a.Keys[req.AccessKeyID]
	a.Unlock()
	now := a.Now()
	if key == nil || !key.Active {
		return c, &APIError{Status: http.StatusForbidden, Code: badKey, Message: unknownKeyMessage[badKey]}
	}
	if key.Token != "" { // a session: a role's, or a user's (GetSessionToken)
		if req.SecurityToken != key.Token {
			return c, &APIError{Status: http.StatusForbidden, Code: badKey, Message: "The security token included in the request is invalid."}
		}
		if now.After(key.Expires) {
			return c, &APIError{Status: http.StatusBadRequest, Code: "ExpiredToken", Message: "The security token included in the request is expired"}
		}
	}
	if err := sigv4.Verify(r, req, key.Secret, body, now); err != nil {
		switch {
		case errors.Is(err, sigv4.ErrSkewed):
			return c, &APIError{Status: http.StatusForbidden, Code: "RequestTimeTooSkewed", Message: "The difference between the request time and the current time is too large."}
		case errors.Is(err, sigv4.ErrExpired):
			return c, &APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Request has expired"}
		case errors.Is(err, sigv4.ErrMismatch):
			return c, &APIError{Status: http.StatusForbidden, Code: "SignatureDoesNotMatch", Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method."}
		}
		return c, &APIError{Status: http.StatusBadRequest, Code: "IncompleteSignature", Message: err.Error()}
	}
	c.Key = key
	return c, nil
}

// sourceIP is the caller's address as the world presents it.
func (a *Account) sourceIP(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, _ := netip.ParseAddr(host)
	addr = addr.Unmap()
	if shown, ok := a.addresses[addr]; ok {
		return shown
	}
	return addr
}

// Record adds an audit record for a call.
func (a *Account) Record(c Caller, source, name string, params, response map[string]any, apiErr *APIError, data bool) {
	if c.Platform {
		return
	}
	rec := trail.Record{
		EventSource: source, EventName: name, AWSRegion: a.recordRegion(c, source), SourceIPAddress: c.SourceIP.String(),
		UserAgent: c.UserAgent, UserIdentity: c.Identity(a.ID), RequestParameters: params,
		ResponseElements: response, RecipientAccountID: a.ID, ReadOnly: readOnly(name),
	}
	if data {
		rec.EventCategory = "Data"
	}
	if apiErr != nil {
		rec.ErrorCode, rec.ErrorMessage, rec.ResponseElements = apiErr.Code, apiErr.Message, nil
	}
	a.Trail.Add(rec, a.Now())
}

// recordRegion is the region a call's record names: the signed region for
// regional services, us-east-1 for IAM (global, recorded there), and the
// account's home region for the rest (its buckets and its trail live there).
func (a *Account) recordRegion(c Caller, source string) string {
	switch source {
	case "ec2.amazonaws.com", "sts.amazonaws.com":
		return c.Region
	case "iam.amazonaws.com":
		return "us-east-1"
	}
	return a.Region
}

func readOnly(name string) bool {
	for _, p := range []string{"Get", "List", "Describe", "Head", "Lookup"} {
		if len(name) >= len(p) && name[:len(p)] == p {
			return true
		}
	}
	return false
}
