package cloud

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/aws/trail"
)

// The simulator's own control channel: for the instance metadata service
// that runs inside each instance host (what an instance is, and Role
// credentials for it), and for the platform, which grades detections on
// the trail. It stands for the hypervisor's link to the control
// plane, so it takes the lab's shared simulator key, which trainees'
// hosts are never given.

const simKeyHeader = "X-Sakimori-Sim-Key"

// InstanceInfo is what the metadata service serves about its instance.
type InstanceInfo struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Image      string `json:"image"`
	Role       string `json:"role"`
	HTTPTokens string `json:"httpTokens"`
	Address    string `json:"address"`
	Account    string `json:"account"`
	Region     string `json:"region"`
}

// RoleCredentials is the metadata service's credentials document.
type RoleCredentials struct {
	Code            string `json:"Code"`
	LastUpdated     string `json:"LastUpdated"`
	Type            string `json:"Type"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token"`
	Expiration      string `json:"Expiration"`
}

// instanceCredentialLifetime is what EC2 gives instance credentials.
const instanceCredentialLifetime = 6 * time.Hour

func (s *Server) serveInternal(w http.ResponseWriter, r *http.Request) {
	if s.simKey == "" || subtle.ConstantTimeCompare([]byte(r.Header.Get(simKeyHeader)), []byte(s.simKey)) != 1 {
		http.Error(w, "not found", http.StatusNotFound) // nothing to see for anyone else
		return
	}
	if r.URL.Path == "/_sim/trail" && r.Method == http.MethodGet {
		// The whole trail, a record a line: what detections are graded on.
		records, _ := s.events.Since(0)
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		for _, rec := range records {
			_ = enc.Encode(rec)
		}
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, "/_sim/instances/")
	id, what, _ := strings.Cut(rest, "/")
	s.acct.Lock()
	inst := s.acct.Instances[id]
	s.acct.Unlock()
	if inst == nil || inst.Simulated {
		http.Error(w, "no such instance", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case what == "" && r.Method == http.MethodGet:
		s.acct.Lock()
		info := InstanceInfo{ID: inst.ID, Type: inst.Type, Image: inst.Image, HTTPTokens: inst.HTTPTokens,
			Account: s.acct.ID, Region: s.acct.Region}
		if inst.Role != nil {
			info.Role = inst.Role.Name
		}
		info.Address, _ = s.shownAddress(inst.Address)
		s.acct.Unlock()
		_ = json.NewEncoder(w).Encode(info)
	case what == "credentials" && r.Method == http.MethodPost:
		creds, ok := s.instanceCredentials(inst, r.URL.Query().Get("imds"), r.URL.Query().Get("path"))
		if !ok {
			http.Error(w, "the instance has no role", http.StatusNotFound)
			return
		}
		_ = json.NewEncoder(w).Encode(creds)
	default:
		http.Error(w, "not found", http.StatusNotFound)
	}
}

// instanceCredentials hands the instance its role's session, reusing it
// until close to expiry as EC2 does, and records the delivery with the
// metadata protocol version: what tells a defender that IMDSv1 (the one
// an SSRF can reach) gave the key out.
func (s *Server) instanceCredentials(inst *Instance, version, path string) (RoleCredentials, bool) {
	s.acct.Lock()
	if inst.Role == nil {
		s.acct.Unlock()
		return RoleCredentials{}, false
	}
	now := s.now()
	k := s.instanceSessions[inst.ID]
	if k == nil || now.After(k.Expires.Add(-15*time.Minute)) {
		k = s.acct.MintSession(inst.Role, inst.ID, instanceCredentialLifetime, now)
		s.instanceSessions[inst.ID] = k
	}
	roleName, address := inst.Role.Name, inst.Address
	s.acct.Unlock()
	shown, _ := s.shownAddress(address)
	s.events.Add(trail.Record{
		EventSource: "ec2.amazonaws.com", EventName: "InstanceMetadataCredentials", EventType: "AwsServiceEvent",
		AWSRegion: s.acct.Region, SourceIPAddress: shown, UserAgent: "ec2-instance-metadata",
		UserIdentity:        trail.Identity{Type: "AWSService", PrincipalID: "ec2.amazonaws.com"},
		RequestParameters:   map[string]any{"instanceId": inst.ID, "roleName": roleName, "path": path},
		ResponseElements:    map[string]any{"accessKeyId": k.ID, "expiration": k.Expires.UTC().Format(time.RFC3339)},
		AdditionalEventData: map[string]any{"imdsVersion": version},
		RecipientAccountID:  s.acct.ID, ReadOnly: true,
	}, now)
	return RoleCredentials{Code: "Success", LastUpdated: k.Created.UTC().Format(time.RFC3339), Type: "AWS-HMAC",
		AccessKeyID: k.ID, SecretAccessKey: k.Secret, Token: k.Token, Expiration: k.Expires.UTC().Format(time.RFC3339)}, true
}
