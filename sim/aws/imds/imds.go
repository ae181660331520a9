// Package imds is the instance metadata service an instance host serves
// at 169.254.169.254, inside its own network namespace only: IMDSv1
// (plain GET) and IMDSv2 (a session token from PUT /latest/api/token),
// with the paths, headers, bounds and refusals of the real service, and
// the "tokens required" setting the cloud's ModifyInstanceMetadataOptions
// turns on. What the instance is and its role's credentials come from the
// lab's cloud endpoint, which records every delivery and its version.
package imds

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"
)

// Address is where instances find their metadata.
const Address = "169.254.169.254"

// Header names of IMDSv2.
const (
	TokenHeader = "X-aws-ec2-metadata-token"
	TTLHeader   = "X-aws-ec2-metadata-token-ttl-seconds"
)

// MaxTTL is the longest a token may live (six hours), as on EC2.
const MaxTTL = 21600

// Cloud is the control plane the service asks about its instance.
type Cloud interface {
	Instance() (Instance, error)
	Credentials(version, path string) ([]byte, error)
}

// Instance is what the service tells about its instance.
type Instance struct {
	ID, Type, Image, Role, HTTPTokens, Address, Account, Region string
	ProfileID                                                   string // empty from an older cloud: made up from ID
}

// Service is one instance's metadata service.
type Service struct {
	cloud  Cloud
	mu     sync.Mutex
	tokens map[string]time.Time
	now    func() time.Time
}

// New makes the service for the instance cloud describes.
func New(cloud Cloud) *Service {
	return &Service{cloud: cloud, tokens: map[string]time.Time{}, now: time.Now}
}

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/latest/api/token" {
		s.issueToken(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	inst, err := s.cloud.Instance()
	if err != nil {
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return
	}
	version := "v1"
	if tok := r.Header.Get(TokenHeader); tok != "" {
		if !s.validToken(tok) {
			unauthorized(w)
			return
		}
		version = "v2"
	} else if inst.HTTPTokens == "required" {
		unauthorized(w)
		return
	}
	s.serveMetadata(w, r, inst, version)
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = io.WriteString(w, "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<html><head><title>401 - Unauthorized</title></head><body><h1>401 - Unauthorized</h1></body></html>\n")
}

// issueToken is PUT /latest/api/token. A request that carries
// X-Forwarded-For came through a proxy, and EC2 refuses it: that is what
// keeps an open proxy from fetching IMDSv2 tokens.
func (s *Service) issueToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("X-Forwarded-For") != "" {
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	ttl, err := strconv.Atoi(r.Header.Get(TTLHeader))
	if err != nil || ttl < 1 || ttl > MaxTTL {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	b := make([]byte, 42)
	_, _ = rand.Read(b)
	tok := base64.StdEncoding.EncodeToString(b)
	s.mu.Lock()
	now := s.now()
	for t, exp := range s.tokens {
		if now.After(exp) {
			delete(s.tokens, t)
		}
	}
	s.tokens[tok] = now.Add(time.Duration(ttl) * time.Second)
	s.mu.Unlock()
	w.Header().Set(TTLHeader, strconv.Itoa(ttl))
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, tok)
}

func (s *Service) validToken(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[tok]
	return ok && s.now().Before(exp)
}

// versions is what the service's root lists: the API versions it serves,
// as EC2's does (abridged), latest last.
const versions = "1.0\n2007-01-19\n2007-03-01\n2008-02-01\n2009-04-04\n2011-01-01\n2012-01-12\n2014-02-25\n2016-09-02\n2018-09-24\n2019-10-01\n2020-10-27\n2021-01-03\n2021-03-23\n2021-07-15\n2022-09-24\nlatest\n"

func (s *Service) serveMetadata(w http.ResponseWriter, r *http.Request, inst Instance, version string) {
	zone := inst.Region + "a"
	hostname := "ip-" + strings.ReplaceAll(inst.Address, ".", "-") + ".ec2.internal"
	text := map[string]string{
		"":                                              versions,
		"/latest":                                       "dynamic\nmeta-data\n",
		"/latest/meta-data":                             "ami-id\nhostname\niam/\ninstance-id\ninstance-type\nlocal-hostname\nlocal-ipv4\nplacement/\n",
		"/latest/meta-data/ami-id":                      inst.Image,
		"/latest/meta-data/hostname":                    hostname,
		"/latest/meta-data/local-hostname":              hostname,
		"/latest/meta-data/instance-id":                 inst.ID,
		"/latest/meta-data/instance-type":               inst.Type,
		"/latest/meta-data/local-ipv4":                  inst.Address,
		"/latest/meta-data/placement":                   "availability-zone\nregion\n",
		"/latest/meta-data/placement/region":            inst.Region,
		"/latest/meta-data/placement/availability-zone": zone,
		"/latest/dynamic":                               "instance-identity/\n",
		"/latest/dynamic/instance-identity":             "document\n",
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	if inst.Role != "" {
		text["/latest/meta-data/iam"] = "info\nsecurity-credentials/\n"
		text["/latest/meta-data/iam/security-credentials"] = inst.Role
	}
	if body, ok := text[path]; ok {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, strings.TrimSuffix(body, "\n"))
		return
	}
	switch {
	case path == "/latest/dynamic/instance-identity/document":
		writeJSON(w, map[string]any{"accountId": inst.Account, "architecture": "x86_64", "availabilityZone": zone,
			"imageId": inst.Image, "instanceId": inst.ID, "instanceType": inst.Type, "privateIp": inst.Address,
			"region": inst.Region, "version": "2017-09-30"})
	case inst.Role != "" && path == "/latest/meta-data/iam/info":
		profileID := inst.ProfileID
		if profileID == "" {
			profileID = "AIPA" + strings.ToUpper(inst.ID[2:])
		}
		writeJSON(w, map[string]any{"Code": "Success", "LastUpdated": s.now().UTC().Format(time.RFC3339),
			"InstanceProfileArn": fmt.Sprintf("arn:aws:iam::%s:instance-profile/%s", inst.Account, inst.Role),
			"InstanceProfileId":  profileID})
	case inst.Role != "" && path == "/latest/meta-data/iam/security-credentials/"+inst.Role:
		body, err := s.cloud.Credentials(version, path)
		if err != nil {
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write(body)
	default:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<html><head><title>404 - Not Found</title></head><body><h1>404 - Not Found</h1></body></html>\n")
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "text/plain") // as EC2 serves it
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// Remote is the Cloud reached over the lab network with the simulator key.
type Remote struct {
	Endpoint   string // http://address of the cloud host
	SimKey     string
	InstanceID string
	Client     *http.Client
}

func (c *Remote) Instance() (Instance, error) {
	var info struct {
		ID, Type, Image, Role, HTTPTokens, Address, Account, Region string
		ProfileID                                                   string
	}
	body, err := c.call(http.MethodGet, "/_sim/instances/"+url.PathEscape(c.InstanceID))
	if err != nil {
		return Instance{}, err
	}
	if err := json.Unmarshal(body, &info); err != nil {
		return Instance{}, err
	}
	return Instance(info), nil
}

func (c *Remote) Credentials(version, path string) ([]byte, error) {
	return c.call(http.MethodPost, "/_sim/instances/"+url.PathEscape(c.InstanceID)+"/credentials?imds="+version+"&path="+url.QueryEscape(path))
}

func (c *Remote) call(method, path string) ([]byte, error) {
	req, err := http.NewRequest(method, c.Endpoint+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(labkit.SimKeyHeader, c.SimKey)
	client := c.Client
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("cloud: %s %s: %s", method, path, resp.Status)
	}
	return body, nil
}
