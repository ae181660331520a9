package cloud

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"sort"
	"sync"
	"time"

	"github.com/sakimori/sakimori/sim/aws/policy"
)

// account is the mutable state of the emulated account. One mutex guards
// it: a lab's account sees a handful of calls a second.
type account struct {
	mu        sync.Mutex
	id        string
	region    string
	users     map[string]*user
	roles     map[string]*role
	keys      map[string]*accessKey // by key id: users' keys and sessions' keys
	instances map[string]*instance
	buckets   map[string]*bucketMeta
	created   time.Time
	parsed    map[string]*policy.Document // policy text → parsed, so a call parses none
}

type user struct {
	name     string
	id       string
	policies map[string]string // name → document
	created  time.Time
}

type role struct {
	name     string
	id       string
	policies map[string]string
	created  time.Time
}

// accessKey is a long-term user key or a session's temporary key.
type accessKey struct {
	id, secret string
	active     bool
	created    time.Time
	user       *user // long-term keys
	// Sessions: the role taken on, the session's name (an instance id for
	// instance credentials), its token and expiry.
	role        *role
	sessionName string
	token       string
	expires     time.Time
}

type instance struct {
	id, typ, image string
	role           *role
	address        string
	httpTokens     string
	state          string // running, terminated
	launched       time.Time
	simulated      bool // made by RunInstances: exists only in the control plane
}

type bucketMeta struct {
	publicACL bool
	policy    string
	block     publicAccessBlock
}

type publicAccessBlock struct {
	BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets bool
}

func newAccount(w *World, now time.Time) *account {
	a := &account{
		id: w.Account, region: w.Region, users: map[string]*user{}, roles: map[string]*role{},
		keys: map[string]*accessKey{}, instances: map[string]*instance{}, buckets: map[string]*bucketMeta{}, created: now,
		parsed: map[string]*policy.Document{},
	}
	for _, r := range w.Roles {
		ro := &role{name: r.Name, id: "AROA" + randomID(16), policies: map[string]string{}, created: now}
		for _, p := range r.Policies {
			ro.policies[p.Name] = p.Document
		}
		a.roles[r.Name] = ro
	}
	for _, u := range w.Users {
		us := &user{name: u.Name, id: "AIDA" + randomID(16), policies: map[string]string{}, created: now}
		for _, p := range u.Policies {
			us.policies[p.Name] = p.Document
		}
		a.users[u.Name] = us
		for _, k := range u.Keys {
			a.keys[k.ID] = &accessKey{id: k.ID, secret: k.Secret, active: true, created: now, user: us}
		}
	}
	for _, i := range w.Instances {
		tokens := i.HTTPTokens
		if tokens == "" {
			tokens = "optional"
		}
		typ, image := i.Type, i.Image
		if typ == "" {
			typ = "t3.micro"
		}
		if image == "" {
			image = "ami-0c55b159cbfafe1f0"
		}
		// An instance with no lab host behind it exists in the control
		// plane only, like those RunInstances makes (an intruder's miners).
		a.instances[i.ID] = &instance{id: i.ID, typ: typ, image: image, role: a.roles[i.Role], address: i.Address,
			httpTokens: tokens, state: "running", launched: now, simulated: i.Address == ""}
	}
	for _, b := range w.Buckets {
		a.buckets[b.Name] = &bucketMeta{publicACL: b.ACL == "public-read", policy: b.Policy}
	}
	return a
}

// document parses a policy once; the caller holds a.mu.
func (a *account) document(text string) *policy.Document {
	if d, ok := a.parsed[text]; ok {
		return d
	}
	d, err := policy.Parse(text) // stored policies were checked when stored
	if err != nil {
		return nil
	}
	a.parsed[text] = d
	return d
}

// identityPolicies are the parsed inline policies of a caller; the
// caller holds a.mu.
func (a *account) identityPolicies(k *accessKey) []*policy.Document {
	src := map[string]string{}
	if k.user != nil {
		src = k.user.policies
	} else if k.role != nil {
		src = k.role.policies
	}
	names := make([]string, 0, len(src))
	for n := range src {
		names = append(names, n)
	}
	sort.Strings(names)
	docs := make([]*policy.Document, 0, len(names))
	for _, n := range names {
		if d := a.document(src[n]); d != nil {
			docs = append(docs, d)
		}
	}
	return docs
}

// mintSession makes temporary credentials for a role, as STS and the
// instance metadata service hand out.
func (a *account) mintSession(r *role, sessionName string, lifetime time.Duration, now time.Time) *accessKey {
	k := &accessKey{
		id: "ASIA" + randomID(16), secret: randomSecret(), active: true, created: now,
		role: r, sessionName: sessionName, token: randomToken(), expires: now.Add(lifetime),
	}
	a.keys[k.id] = k
	return k
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base32.StdEncoding.EncodeToString(b)[:n]
}

func randomSecret() string {
	b := make([]byte, 30)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)[:40]
}

func randomToken() string {
	b := make([]byte, 180)
	_, _ = rand.Read(b)
	return "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString(b)
}
