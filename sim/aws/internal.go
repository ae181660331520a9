package aws

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/sakimori/sakimori/sim/aws/ec2"
	"github.com/sakimori/sakimori/sim/telemetry"
)

// The simulator's own control channel: for the instance metadata service
// that runs inside each instance host (what an instance is, and Role
// credentials for it), and for the platform, which grades detections on
// the trail. It stands for the hypervisor's link to the control
// plane, so it takes the lab's shared simulator key, which trainees'
// hosts are never given.

func (s *Server) serveInternal(w http.ResponseWriter, r *http.Request) {
	if !s.acct.IsPlatform(r) {
		http.Error(w, "not found", http.StatusNotFound) // nothing to see for anyone else
		return
	}
	if r.URL.Path == "/_sim/state" && r.Method == http.MethodGet {
		st, err := s.state()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(st)
		return
	}
	if r.URL.Path == "/_sim/trail" && r.Method == http.MethodGet {
		// The whole trail, a record a line: what detections are graded on.
		records, _ := s.acct.Trail.Since(0)
		w.Header().Set("Content-Type", telemetry.ContentType)
		_ = telemetry.WriteAll(w, records)
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
		info := ec2.InstanceInfo{ID: inst.ID, Type: inst.Type, Image: inst.Image, HTTPTokens: inst.HTTPTokens,
			Account: s.acct.ID, Region: inst.Region}
		if inst.Role != nil {
			info.Role, info.ProfileID = inst.Role.Name, ec2.ProfileID(inst.Role)
		}
		info.Address, _ = s.acct.ShownAddress(inst.Address)
		s.acct.Unlock()
		_ = json.NewEncoder(w).Encode(info)
	case what == "credentials" && r.Method == http.MethodPost:
		creds, ok := ec2.Credentials(s.acct, inst, r.URL.Query().Get("imds"), r.URL.Query().Get("path"))
		if !ok {
			http.Error(w, "the instance has no role", http.StatusNotFound)
			return
		}
		_ = json.NewEncoder(w).Encode(creds)
	default:
		http.Error(w, "not found", http.StatusNotFound)
	}
}
