// Package sigv4 verifies and makes AWS Signature Version 4 signatures, the
// way the emulated cloud's services tell who is calling. Both sides share
// one canonicalisation, so what the range's own scripted traffic signs is
// checked by the same code that checks the AWS CLI and SDKs.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm accepted.
const Algorithm = "AWS4-HMAC-SHA256"

// TimeFormat is the shape of X-Amz-Date.
const TimeFormat = "20060102T150405Z"

// UnsignedPayload stands for the body hash when the body is not signed.
const UnsignedPayload = "UNSIGNED-PAYLOAD"

// MaxSkew is how far a request's time may be from the server's, as AWS allows.
const MaxSkew = 15 * time.Minute

// Request is what a signature claims, parsed from the Authorization header
// or from a presigned URL's query.
type Request struct {
	AccessKeyID   string
	Date          string // yyyymmdd of the credential scope
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
	Time          time.Time
	SecurityToken string
	Presigned     bool
	Expires       time.Duration // presigned only
}

// Errors a caller maps to each service's error codes.
var (
	ErrMissing   = errors.New("sigv4: request is not signed")
	ErrMalformed = errors.New("sigv4: malformed authorization")
	ErrSkewed    = errors.New("sigv4: request time too skewed")
	ErrExpired   = errors.New("sigv4: presigned request expired")
	ErrMismatch  = errors.New("sigv4: signature does not match")
)

// Parse reads the signature claims of r without checking them.
func Parse(r *http.Request) (*Request, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		return parseHeader(r, auth)
	}
	if r.URL.Query().Get("X-Amz-Algorithm") != "" {
		return parseQuery(r)
	}
	return nil, ErrMissing
}

func parseHeader(r *http.Request, auth string) (*Request, error) {
	rest, ok := strings.CutPrefix(auth, Algorithm+" ")
	if !ok {
		return nil, fmt.Errorf("%w: only %s is supported", ErrMalformed, Algorithm)
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, ErrMalformed
		}
		fields[k] = v
	}
	req := &Request{Signature: fields["Signature"], SecurityToken: r.Header.Get("X-Amz-Security-Token")}
	if err := req.setScope(fields["Credential"]); err != nil {
		return nil, err
	}
	req.SignedHeaders = strings.Split(fields["SignedHeaders"], ";")
	stamp := r.Header.Get("X-Amz-Date")
	if stamp == "" {
		stamp = r.Header.Get("Date")
	}
	t, err := time.Parse(TimeFormat, stamp)
	if err != nil {
		return nil, fmt.Errorf("%w: X-Amz-Date missing or not like %s", ErrMalformed, TimeFormat)
	}
	req.Time = t
	if req.Signature == "" || fields["SignedHeaders"] == "" {
		return nil, ErrMalformed
	}
	return req, nil
}

func parseQuery(r *http.Request) (*Request, error) {
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") != Algorithm {
		return nil, fmt.Errorf("%w: only %s is supported", ErrMalformed, Algorithm)
	}
	req := &Request{Signature: q.Get("X-Amz-Signature"), SecurityToken: q.Get("X-Amz-Security-Token"), Presigned: true}
	if err := req.setScope(q.Get("X-Amz-Credential")); err != nil {
		return nil, err
	}
	req.SignedHeaders = strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
	t, err := time.Parse(TimeFormat, q.Get("X-Amz-Date"))
	if err != nil {
		return nil, ErrMalformed
	}
	req.Time = t
	var secs int
	if _, err := fmt.Sscanf(q.Get("X-Amz-Expires"), "%d", &secs); err != nil || secs < 1 || secs > 604800 {
		return nil, fmt.Errorf("%w: X-Amz-Expires must be 1 to 604800 seconds", ErrMalformed)
	}
	req.Expires = time.Duration(secs) * time.Second
	return req, nil
}

func (req *Request) setScope(credential string) error {
	parts := strings.Split(credential, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[0] == "" {
		return fmt.Errorf("%w: credential must be KEY/DATE/REGION/SERVICE/aws4_request", ErrMalformed)
	}
	req.AccessKeyID, req.Date, req.Region, req.Service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

// Verify checks req's signature over r with the caller's secret key. body
// is the request body when the payload hash must be computed (services
// other than S3 sign the body's hash without sending it).
func Verify(r *http.Request, req *Request, secret string, body []byte, now time.Time) error {
	if req.Presigned {
		if now.Before(req.Time.Add(-MaxSkew)) {
			return ErrSkewed
		}
		if now.After(req.Time.Add(req.Expires)) {
			return ErrExpired
		}
	} else if d := now.Sub(req.Time); d > MaxSkew || d < -MaxSkew {
		return ErrSkewed
	}
	if req.Time.Format("20060102") != req.Date {
		return fmt.Errorf("%w: credential date does not match the request time", ErrMalformed)
	}
	payload := payloadHash(r, req, body)
	canonical := canonicalRequest(r, req.SignedHeaders, payload, req.Service == "s3", req.Presigned)
	want := signature(secret, req.Date, req.Region, req.Service, req.Time, canonical)
	if !hmac.Equal([]byte(want), []byte(req.Signature)) {
		return ErrMismatch
	}
	return nil
}

func payloadHash(r *http.Request, req *Request, body []byte) string {
	if req.Presigned {
		return UnsignedPayload
	}
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" {
		return h // S3 signs whatever hash the client declares; streaming uploads declare a marker
	}
	return hashHex(body)
}

// Sign adds a SigV4 Authorization header (and X-Amz-Date, and the session
// token if any) to r, whose body is body.
func Sign(r *http.Request, body []byte, keyID, secret, token, region, service string, now time.Time) {
	now = now.UTC()
	r.Header.Set("X-Amz-Date", now.Format(TimeFormat))
	payload := hashHex(body)
	if service == "s3" {
		r.Header.Set("X-Amz-Content-Sha256", payload)
	}
	if token != "" {
		r.Header.Set("X-Amz-Security-Token", token)
	}
	if r.Host == "" {
		r.Host = r.URL.Host
	}
	signed := []string{"host"}
	for k := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-") || lk == "content-type" {
			signed = append(signed, lk)
		}
	}
	sort.Strings(signed)
	canonical := canonicalRequest(r, signed, payload, service == "s3", false)
	date := now.Format("20060102")
	sig := signature(secret, date, region, service, now, canonical)
	r.Header.Set("Authorization", fmt.Sprintf("%s Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
		Algorithm, keyID, date, region, service, strings.Join(signed, ";"), sig))
}

func canonicalRequest(r *http.Request, signed []string, payload string, s3, presigned bool) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(canonicalURI(r, s3) + "\n")
	b.WriteString(canonicalQuery(r.URL.RawQuery, presigned) + "\n")
	for _, h := range signed {
		b.WriteString(h + ":" + headerValue(r, h) + "\n")
	}
	b.WriteString("\n" + strings.Join(signed, ";") + "\n" + payload)
	return b.String()
}

func canonicalURI(r *http.Request, s3 bool) string {
	path := r.URL.EscapedPath()
	if raw, _, _ := strings.Cut(r.RequestURI, "?"); raw != "" && !strings.Contains(raw, "://") {
		path = raw // the path exactly as the client encoded it
	}
	if path == "" {
		return "/"
	}
	if s3 {
		return path
	}
	// Other services encode each segment a second time.
	segments := strings.Split(path, "/")
	for i, s := range segments {
		dec, err := url.PathUnescape(s)
		if err != nil {
			dec = s
		}
		segments[i] = encode(encode(dec))
	}
	return strings.Join(segments, "/")
}

func canonicalQuery(raw string, presigned bool) string {
	type pair struct{ k, v string }
	var pairs []pair
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			dk, dv = k, v
		}
		if presigned && dk == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, pair{encode(dk), encode(dv)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

func headerValue(r *http.Request, name string) string {
	if name == "host" {
		return r.Host
	}
	values := r.Header.Values(name)
	for i, v := range values {
		values[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(values, ",")
}

// encode is AWS's URI encoding: everything but unreserved characters.
func encode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func signature(secret, date, region, service string, t time.Time, canonical string) string {
	scope := date + "/" + region + "/" + service + "/aws4_request"
	toSign := Algorithm + "\n" + t.UTC().Format(TimeFormat) + "\n" + scope + "\n" + hashHex([]byte(canonical))
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, "aws4_request")
	return hex.EncodeToString(hmacSHA256(k, toSign))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
