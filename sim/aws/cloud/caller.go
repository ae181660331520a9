package cloud

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/sakimori/sakimori/sim/aws/trail"
	"github.com/sakimori/sakimori/sim/sigv4"
)

// caller is who made a request: a user's key, a session's key, or nobody.
type caller struct {
	key       *accessKey // nil when anonymous
	sourceIP  netip.Addr // as the cloud sees it (after the world's address map)
	userAgent string
}

func (c caller) anonymous() bool { return c.key == nil }

// arn is the caller's ARN, or "*" for anonymous callers (the principal a
// resource policy must name to let them in).
func (c caller) arn(account string) string {
	switch {
	case c.key == nil:
		return "*"
	case c.key.user != nil:
		return fmt.Sprintf("arn:aws:iam::%s:user/%s", account, c.key.user.name)
	default:
		return fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", account, c.key.role.name, c.key.sessionName)
	}
}

func (c caller) identity(account string) trail.Identity {
	switch {
	case c.key == nil:
		return trail.Identity{Type: "AWSAccount", AccountID: "ANONYMOUS_PRINCIPAL"}
	case c.key.user != nil:
		return trail.Identity{Type: "IAMUser", PrincipalID: c.key.user.id, ARN: c.arn(account), AccountID: account,
			AccessKeyID: c.key.id, UserName: c.key.user.name}
	default:
		return trail.Identity{Type: "AssumedRole", PrincipalID: c.key.role.id + ":" + c.key.sessionName, ARN: c.arn(account),
			AccountID: account, AccessKeyID: c.key.id}
	}
}

// apiError is an error in the shape every AWS protocol reports: an HTTP
// status, a code clients switch on, and a message.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func accessDenied(c caller, account, action, resource string) *apiError {
	who := c.arn(account)
	if c.anonymous() {
		who = "anonymous"
	}
	return &apiError{http.StatusForbidden, "AccessDenied",
		fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s", who, action, resource)}
}

// authenticate checks a request's signature. An unsigned request is an
// anonymous caller; whether that is enough is the service's call. Codes
// differ by service as they do on AWS.
func (s *Server) authenticate(r *http.Request, body []byte, service string) (caller, *apiError) {
	c := caller{sourceIP: s.sourceIP(r), userAgent: r.UserAgent()}
	req, err := sigv4.Parse(r)
	if errors.Is(err, sigv4.ErrMissing) {
		return c, nil
	}
	badKey := map[string]string{"s3": "InvalidAccessKeyId", "ec2": "AuthFailure"}[service]
	if badKey == "" {
		badKey = "InvalidClientTokenId"
	}
	if err != nil {
		return c, &apiError{http.StatusBadRequest, "IncompleteSignature", err.Error()}
	}
	s.acct.mu.Lock()
	key := s.acct.keys[req.AccessKeyID]
	s.acct.mu.Unlock()
	now := s.now()
	if key == nil || !key.active {
		return c, &apiError{http.StatusForbidden, badKey, "The AWS Access Key Id you provided does not exist in our records."}
	}
	if key.role != nil {
		if req.SecurityToken != key.token {
			return c, &apiError{http.StatusForbidden, badKey, "The security token included in the request is invalid."}
		}
		if now.After(key.expires) {
			return c, &apiError{http.StatusBadRequest, "ExpiredToken", "The security token included in the request is expired"}
		}
	}
	if err := sigv4.Verify(r, req, key.secret, body, now); err != nil {
		switch {
		case errors.Is(err, sigv4.ErrSkewed):
			return c, &apiError{http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."}
		case errors.Is(err, sigv4.ErrExpired):
			return c, &apiError{http.StatusForbidden, "AccessDenied", "Request has expired"}
		case errors.Is(err, sigv4.ErrMismatch):
			return c, &apiError{http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."}
		}
		return c, &apiError{http.StatusBadRequest, "IncompleteSignature", err.Error()}
	}
	c.key = key
	return c, nil
}

// sourceIP is the caller's address as the world presents it.
func (s *Server) sourceIP(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	a = a.Unmap()
	if shown, ok := s.addresses[a]; ok {
		return shown
	}
	return a
}

// record adds an audit record for a call.
func (s *Server) record(c caller, source, name string, params, response map[string]any, apiErr *apiError, data bool) {
	rec := trail.Record{
		EventSource: source, EventName: name, AWSRegion: s.acct.region, SourceIPAddress: c.sourceIP.String(),
		UserAgent: c.userAgent, UserIdentity: c.identity(s.acct.id), RequestParameters: params,
		ResponseElements: response, RecipientAccountID: s.acct.id, ReadOnly: readOnly(name),
	}
	if data {
		rec.EventCategory = "Data"
	}
	if apiErr != nil {
		rec.ErrorCode, rec.ErrorMessage, rec.ResponseElements = apiErr.Code, apiErr.Message, nil
	}
	s.events.Add(rec, s.now())
}

func readOnly(name string) bool {
	for _, p := range []string{"Get", "List", "Describe", "Head", "Lookup"} {
		if len(name) >= len(p) && name[:len(p)] == p {
			return true
		}
	}
	return false
}

func (s *Server) now() time.Time { return s.clock() }
