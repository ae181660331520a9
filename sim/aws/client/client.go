// Package client is the range's own small AWS client, for the lab's
// scripted traffic and the platform's state checks. It signs with the
// same SigV4 code the emulated services verify, and keeps sakimori-sim
// free of a full SDK; trainees use the real AWS CLI.
package client

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/aws/imds"
	"github.com/sakimori/sakimori/sim/sigv4"
)

// Credentials are an access key pair and, for sessions, a token.
type Credentials struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token"`
}

// Client calls one cloud endpoint.
type Client struct {
	Endpoint  string // http://address
	Region    string
	UserAgent string
	Creds     *Credentials // nil: unsigned (anonymous)
	HTTP      *http.Client
	Header    http.Header // sent with every request, unsigned
}

// Result is a call's outcome: the status, the error code if any, the body.
type Result struct {
	Status int
	Code   string
	Body   []byte
}

// OK reports a 2xx answer.
func (r Result) OK() bool { return r.Status >= 200 && r.Status < 300 }

func (r Result) String() string {
	if r.OK() {
		return fmt.Sprintf("%d OK", r.Status)
	}
	return fmt.Sprintf("%d %s", r.Status, r.Code)
}

// Query calls a query-protocol action (STS, IAM, EC2).
func (c *Client) Query(service, action string, params url.Values) (Result, error) {
	form := url.Values{"Action": {action}, "Version": {map[string]string{"sts": "2011-06-15", "iam": "2010-05-08", "ec2": "2016-11-15"}[service]}}
	for k, v := range params {
		form[k] = v
	}
	body := []byte(form.Encode())
	req, err := http.NewRequest(http.MethodPost, c.Endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return Result{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return c.do(req, body, service)
}

// S3 calls the object store: method and path ("/bucket/key?query").
func (c *Client) S3(method, path string, body []byte) (Result, error) {
	req, err := http.NewRequest(method, c.Endpoint+path, bytes.NewReader(body))
	if err != nil {
		return Result{}, err
	}
	return c.do(req, body, "s3")
}

// JSON calls a JSON-protocol action (CloudTrail's): target is the
// X-Amz-Target header, body the request, marshalled.
func (c *Client) JSON(service, target string, body any) (Result, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return Result{}, err
	}
	req, err := http.NewRequest(http.MethodPost, c.Endpoint+"/", bytes.NewReader(b))
	if err != nil {
		return Result{}, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	return c.do(req, b, service)
}

func (c *Client) do(req *http.Request, body []byte, service string) (Result, error) {
	ua := c.UserAgent
	if ua == "" {
		ua = "sakimori-sim"
	}
	req.Header.Set("User-Agent", ua)
	for k, v := range c.Header {
		req.Header[k] = v
	}
	if c.Creds != nil {
		region := c.Region
		if region == "" {
			region = "us-east-1"
		}
		sigv4.Sign(req, body, c.Creds.AccessKeyID, c.Creds.SecretAccessKey, c.Creds.Token, region, service, time.Now())
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Result{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return Result{}, err
	}
	res := Result{Status: resp.StatusCode, Body: data}
	if !res.OK() {
		res.Code = errorCode(data)
	}
	return res, nil
}

// errorCode finds <Code> in any of the XML error shapes, or __type in JSON.
func errorCode(body []byte) string {
	var js struct {
		Type string `json:"__type"`
	}
	if json.Unmarshal(body, &js) == nil && js.Type != "" {
		return js.Type
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Code" {
			var code string
			if dec.DecodeElement(&code, &se) == nil {
				return strings.TrimSpace(code)
			}
		}
	}
}

// FromMetadata fetches the instance role's credentials from the metadata
// service at base (http://169.254.169.254), with an IMDSv2 token.
func FromMetadata(base string) (*Credentials, error) {
	hc := &http.Client{Timeout: 5 * time.Second}
	req, _ := http.NewRequest(http.MethodPut, base+"/latest/api/token", nil)
	req.Header.Set(imds.TTLHeader, "300")
	token, err := fetch(hc, req)
	if err != nil {
		return nil, fmt.Errorf("metadata token: %w", err)
	}
	get := func(path string) ([]byte, error) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set(imds.TokenHeader, string(token))
		return fetch(hc, req)
	}
	role, err := get("/latest/meta-data/iam/security-credentials/")
	if err != nil {
		return nil, fmt.Errorf("metadata role: %w", err)
	}
	doc, err := get("/latest/meta-data/iam/security-credentials/" + strings.TrimSpace(string(role)))
	if err != nil {
		return nil, fmt.Errorf("metadata credentials: %w", err)
	}
	var creds Credentials
	if err := json.Unmarshal(doc, &creds); err != nil {
		return nil, err
	}
	return &creds, nil
}

func fetch(hc *http.Client, req *http.Request) ([]byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s", resp.Status)
	}
	return body, nil
}
