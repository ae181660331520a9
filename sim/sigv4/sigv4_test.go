package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	keyID  = "AKIAIOSFODNN7EXAMPLE"
	secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	token  = "IQoJb3JpZ2luX2VjEXAMPLETOKEN"
)

// signedAt is when every request here is signed.
var signedAt = time.Date(2026, 11, 3, 14, 5, 9, 0, time.UTC)

// verifier is a server that checks each request's signature as the
// emulated cloud does, at the time now returns, and answers with what it
// found: "ok", or the error.
func verifier(t *testing.T, now func() time.Time) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := Parse(r)
		if err == nil {
			if req.AccessKeyID != keyID {
				err = errors.New("wrong key id " + req.AccessKeyID)
			} else {
				err = Verify(r, req, secret, body, now())
			}
		}
		if err != nil {
			_, _ = io.WriteString(w, err.Error())
			return
		}
		_, _ = io.WriteString(w, "ok token="+req.SecurityToken)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func send(t *testing.T, r *http.Request) string {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func at(t time.Time) func() time.Time { return func() time.Time { return t } }

// request makes a query-protocol call (or an S3 one) to srv, unsigned.
func request(t *testing.T, srv *httptest.Server, method, path string, body []byte) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	return r
}

var form = []byte("Action=GetCallerIdentity&Version=2011-06-15")

// The range's own signer and verifier agree, in the header form, for a
// service that signs its body (STS) and for S3, which declares its hash.
func TestSignThenVerify(t *testing.T) {
	srv := verifier(t, at(signedAt.Add(time.Minute)))
	r := request(t, srv, http.MethodPost, "/", form)
	Sign(r, form, keyID, secret, "", "us-east-1", "sts", signedAt)
	if got := send(t, r); got != "ok token=" {
		t.Fatalf("sts: %s", got)
	}
	obj := []byte("hello")
	r = request(t, srv, http.MethodPut, "/acme-site/notes/a b+c.txt?x-id=PutObject", obj)
	Sign(r, obj, keyID, secret, token, "us-east-1", "s3", signedAt)
	if got := send(t, r); got != "ok token="+token {
		t.Fatalf("s3: %s", got)
	}
}

func TestVerifyRefuses(t *testing.T) {
	srv := verifier(t, at(signedAt))
	cases := []struct {
		name string
		edit func(r *http.Request) // after signing
		sign func(r *http.Request)
		now  time.Time
		want error
	}{
		{name: "unsigned", sign: func(*http.Request) {}, want: ErrMissing},
		{name: "wrong secret", sign: func(r *http.Request) {
			Sign(r, form, keyID, "not-the-secret", "", "us-east-1", "sts", signedAt)
		}, want: ErrMismatch},
		{name: "body changed after signing", edit: func(r *http.Request) {
			changed := bytes.Replace(form, []byte("GetCallerIdentity"), []byte("CreateAccessKeys!"), 1)
			r.Body, r.GetBody = io.NopCloser(bytes.NewReader(changed)), nil
		}, want: ErrMismatch},
		{name: "session token left out", edit: func(r *http.Request) {
			r.Header.Del("X-Amz-Security-Token")
		}, sign: func(r *http.Request) {
			Sign(r, form, keyID, secret, token, "us-east-1", "sts", signedAt)
		}, want: ErrMismatch},
		{name: "header added to the signed list", edit: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", signedAt.Add(time.Second).Format(TimeFormat))
		}, want: ErrMismatch},
		{name: "malformed credential", edit: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/aws4_request", "/aws5_request", 1))
		}, want: ErrMalformed},
		{name: "another algorithm", edit: func(r *http.Request) {
			r.Header.Set("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=")
		}, want: ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := request(t, srv, http.MethodPost, "/", form)
			if tc.sign != nil {
				tc.sign(r)
			} else {
				Sign(r, form, keyID, secret, "", "us-east-1", "sts", signedAt)
			}
			if tc.edit != nil {
				tc.edit(r)
			}
			if got := send(t, r); !strings.HasPrefix(got, tc.want.Error()) {
				t.Fatalf("want %v, got %s", tc.want, got)
			}
		})
	}
}

// A request's time may be up to MaxSkew either side of the server's.
func TestClockSkew(t *testing.T) {
	for _, tc := range []struct {
		offset time.Duration
		want   string
	}{
		{MaxSkew - time.Second, "ok"},
		{-MaxSkew + time.Second, "ok"},
		{MaxSkew + time.Second, ErrSkewed.Error()},
		{-MaxSkew - time.Second, ErrSkewed.Error()},
	} {
		srv := verifier(t, at(signedAt.Add(tc.offset)))
		r := request(t, srv, http.MethodPost, "/", form)
		Sign(r, form, keyID, secret, "", "us-east-1", "sts", signedAt)
		if got := send(t, r); !strings.HasPrefix(got, tc.want) {
			t.Errorf("server %v from the request: want %s, got %s", tc.offset, tc.want, got)
		}
	}
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// The AWS SDK's own signer is an independent peer: what it signs, in
// either form, the verifier accepts, and what it signs with another
// secret, the verifier refuses.
func TestAWSSignerIsAccepted(t *testing.T) {
	ctx := context.Background()
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	session := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret, SessionToken: token}
	sdk := v4.NewSigner()
	s3 := func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }

	srv := verifier(t, at(signedAt.Add(2*time.Minute)))
	r := request(t, srv, http.MethodPost, "/", form)
	if err := sdk.SignHTTP(ctx, session, r, hashOf(form), "sts", "us-east-1", signedAt); err != nil {
		t.Fatal(err)
	}
	if got := send(t, r); got != "ok token="+token {
		t.Fatalf("sts signed by the SDK: %s", got)
	}

	// A path with characters the two services encode differently.
	r = request(t, srv, http.MethodGet, "/some%20path/x", nil)
	if err := sdk.SignHTTP(ctx, creds, r, hashOf(nil), "execute-api", "eu-west-1", signedAt); err != nil {
		t.Fatal(err)
	}
	if got := send(t, r); got != "ok token=" {
		t.Fatalf("a non-S3 path signed by the SDK: %s", got)
	}

	obj := []byte("written by the SDK")
	r = request(t, srv, http.MethodPut, "/acme-public/notes/a%20b.txt?x-id=PutObject", obj)
	r.Header.Set("X-Amz-Content-Sha256", hashOf(obj))
	if err := sdk.SignHTTP(ctx, creds, r, hashOf(obj), "s3", "us-east-1", signedAt, s3); err != nil {
		t.Fatal(err)
	}
	if got := send(t, r); got != "ok token=" {
		t.Fatalf("s3 signed by the SDK: %s", got)
	}

	// A signer of its own: the SDK caches signing keys by key id.
	r = request(t, srv, http.MethodPost, "/", form)
	wrong := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: "not-the-secret"}
	if err := v4.NewSigner().SignHTTP(ctx, wrong, r, hashOf(form), "sts", "us-east-1", signedAt); err != nil {
		t.Fatal(err)
	}
	if got := send(t, r); got != ErrMismatch.Error() {
		t.Fatalf("the SDK with a wrong secret: %s", got)
	}
}

// A presigned URL (query form) is good from its time until it expires,
// and only as signed.
func TestPresignedURL(t *testing.T) {
	ctx := context.Background()
	presign := func(srv *httptest.Server, expires string, c aws.Credentials) string {
		r := request(t, srv, http.MethodGet, "/acme-customer-data/flag.txt?X-Amz-Expires="+expires, nil)
		u, _, err := v4.NewSigner().PresignHTTP(ctx, c, r, UnsignedPayload, "s3", "us-east-1", signedAt,
			func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	get := func(u string) string {
		r, _ := http.NewRequest(http.MethodGet, u, nil)
		return send(t, r)
	}
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret, SessionToken: token}

	srv := verifier(t, at(signedAt.Add(10*time.Minute)))
	u := presign(srv, "900", creds)
	if got := get(u); got != "ok token="+token {
		t.Fatalf("a presigned URL within its time: %s", got)
	}
	if got := get(strings.Replace(u, "flag.txt", "other.txt", 1)); got != ErrMismatch.Error() {
		t.Fatalf("a presigned URL for another object: %s", got)
	}
	if got := get(presign(srv, "0", creds)); !strings.HasPrefix(got, ErrMalformed.Error()) {
		t.Fatalf("X-Amz-Expires=0: %s", got)
	}

	late := verifier(t, at(signedAt.Add(16*time.Minute)))
	if got := get(presign(late, "900", creds)); got != ErrExpired.Error() {
		t.Fatalf("a presigned URL past its expiry: %s", got)
	}
	// A presigned URL is good for its whole lifetime, past MaxSkew.
	if got := get(presign(late, "3600", creds)); got != "ok token="+token {
		t.Fatalf("a presigned URL for an hour, 16 minutes on: %s", got)
	}
	early := verifier(t, at(signedAt.Add(-MaxSkew-time.Minute)))
	if got := get(presign(early, "3600", creds)); got != ErrSkewed.Error() {
		t.Fatalf("a presigned URL from the future: %s", got)
	}
}
