package aws

import (
	"sort"
	"time"
)

// State is what the platform's state checks read of the account, on the
// simulator's own channel (GET /_sim/state): the facts a check compares
// with what the lab asked for, read without a caller, so no check needs
// an identity in the account (an "auditor" user a trainee would list)
// and none leaves a record in the trail.
type State struct {
	Account   string                          `json:"account"`
	Trail     TrailState                      `json:"trail"`
	Keys      []KeyState                      `json:"keys"`
	Policies  map[string]string               `json:"policies"` // bucket → its policy, when it has one
	Instances []InstanceState                 `json:"instances"`
	Objects   map[string]map[string]ObjectSum `json:"objects"` // bucket → key → sums, for the objects the world began with
}

// TrailState is the lab's trail as its control calls left it.
type TrailState struct {
	Exists    bool            `json:"exists"`
	Logging   bool            `json:"logging"`
	Bucket    string          `json:"bucket"`
	Selectors []eventSelector `json:"selectors"`
}

// KeyState is one user's long-term access key.
type KeyState struct {
	User    string    `json:"user"`
	ID      string    `json:"id"`
	Active  bool      `json:"active"`
	Created time.Time `json:"created"`
}

// InstanceState is one instance and its state.
type InstanceState struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	State string `json:"state"`
}

// ObjectSum is an original object's MD5 sum when the lab began and its
// current version's now; Now is empty when it has no current version.
type ObjectSum struct {
	Was string `json:"was"`
	Now string `json:"now"`
}

func (s *Server) state() (State, error) {
	t := s.trail
	t.mu.Lock()
	st := State{Account: s.acct.ID, Trail: TrailState{Exists: t.exists, Logging: t.logging, Bucket: t.delivery.Bucket(), Selectors: t.selectors},
		Policies: map[string]string{}, Objects: map[string]map[string]ObjectSum{}}
	t.mu.Unlock()

	a := s.acct
	a.Lock()
	for _, k := range a.Keys {
		if k.User != nil {
			st.Keys = append(st.Keys, KeyState{User: k.User.Name, ID: k.ID, Active: k.Active, Created: k.Created})
		}
	}
	for name, b := range a.Buckets {
		if b.Policy != "" {
			st.Policies[name] = b.Policy
		}
	}
	for _, i := range a.Instances {
		st.Instances = append(st.Instances, InstanceState{ID: i.ID, Type: i.Type, State: i.State})
	}
	a.Unlock()
	sort.Slice(st.Keys, func(i, j int) bool { return st.Keys[i].ID < st.Keys[j].ID })
	sort.Slice(st.Instances, func(i, j int) bool { return st.Instances[i].ID < st.Instances[j].ID })

	for bucket, sums := range s.objects.Originals() {
		now, err := s.objects.Current(bucket, sums)
		if err != nil {
			return State{}, err
		}
		st.Objects[bucket] = map[string]ObjectSum{}
		for key, was := range sums {
			st.Objects[bucket][key] = ObjectSum{Was: was, Now: now[key]}
		}
	}
	return st, nil
}
