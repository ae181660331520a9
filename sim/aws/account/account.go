package account

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sakimori/sakimori/sim/aws/policy"
	"github.com/sakimori/sakimori/sim/aws/trail"
)

// Account is the mutable state of the emulated account. Its mutex guards
// it: a lab's account sees a handful of calls a second.
type Account struct {
	sync.Mutex
	ID        string
	Region    string
	Users     map[string]*User
	Roles     map[string]*Role
	Keys      map[string]*AccessKey // by key id: users' keys and sessions' keys
	Instances map[string]*Instance
	Buckets   map[string]*Bucket
	Created   time.Time
	// InstanceSessions are the role sessions handed to instances, by
	// instance id, reused until close to expiry as EC2 does.
	InstanceSessions map[string]*AccessKey
	Trail            *trail.Trail
	addresses        map[netip.Addr]netip.Addr
	clock            func() time.Time
	parsed           map[string]*policy.Document // policy text → parsed, so a call parses none
	// simKey marks the platform's own requests (its state checks): they
	// are answered as anyone's but never recorded, so the platform is no
	// actor in the evidence trainees read.
	simKey string
}

// SetSimKey sets the lab's simulator key, which the platform's requests
// carry in SimKeyHeader.
func (a *Account) SetSimKey(key string) { a.simKey = key }

// User is an IAM user.
type User struct {
	Name     string
	ID       string
	Policies map[string]string // name → document
	Created  time.Time
}

// Role is an IAM role.
type Role struct {
	Name     string
	ID       string
	Policies map[string]string
	Created  time.Time
	// PoliciesChanged is when its policies last changed: an instance's
	// metadata service hands out fresh credentials after it (see
	// ec2.Credentials).
	PoliciesChanged time.Time
}

// Issued is when a session's credentials were issued (aws:TokenIssueTime);
// zero for a long-term key, which has no such time.
func (k *AccessKey) Issued() time.Time {
	if k == nil || k.Token == "" {
		return time.Time{}
	}
	return k.Created
}

// AccessKey is a long-term user key or a session's temporary key.
type AccessKey struct {
	ID, Secret string
	Active     bool
	Created    time.Time
	User       *User // long-term keys
	// Sessions: the role taken on, the session's name (an Instance id for
	// instance credentials), its token and expiry.
	Role        *Role
	SessionName string
	Token       string
	Expires     time.Time
}

// Instance is an EC2 instance.
type Instance struct {
	ID, Type, Image string
	Region          string // where it runs; the account's home region unless started elsewhere
	Reservation     string // the RunInstances call that made it ("r-…"), shared by the instances it made
	Role            *Role
	Address         string
	HTTPTokens      string
	State           string // running, terminated (shutting down for a while after Ended)
	Launched        time.Time
	Ended           time.Time // when it was terminated
	Simulated       bool      // made by RunInstances: exists only in the control plane
}

// Bucket is what the account keeps of a bucket beside its objects.
type Bucket struct {
	PublicACL bool
	Policy    string
	Block     PublicAccessBlock
	Website   string // the index document of its website configuration; "" for none
	// ObjectACLs are the objects whose ACL was set (PutObjectAcl, or a
	// PutObject with x-amz-acl): key → public-read or not. An object
	// without one reads as the bucket's ACL says.
	ObjectACLs map[string]bool
}

// ObjectPublic reports whether anyone may read the object by its ACL.
func (b *Bucket) ObjectPublic(key string) bool {
	if public, ok := b.ObjectACLs[key]; ok {
		return public
	}
	return b.PublicACL
}

// PublicAccessBlock is a bucket's block public access settings.
type PublicAccessBlock struct {
	BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets bool
}

// New makes the account of w, which records its calls in events and reads
// the time from clock.
func New(w *World, events *trail.Trail, clock func() time.Time) *Account {
	now := clock()
	a := &Account{
		ID: w.Account, Region: w.Region, Users: map[string]*User{}, Roles: map[string]*Role{},
		Keys: map[string]*AccessKey{}, Instances: map[string]*Instance{}, Buckets: map[string]*Bucket{}, Created: now,
		InstanceSessions: map[string]*AccessKey{}, Trail: events, addresses: map[netip.Addr]netip.Addr{}, clock: clock,
		parsed: map[string]*policy.Document{},
	}
	for from, to := range w.Addresses {
		a.addresses[netip.MustParseAddr(from)] = netip.MustParseAddr(to)
	}
	for _, r := range w.Roles {
		ro := &Role{Name: r.Name, ID: "AROA" + RandomID(16), Policies: map[string]string{}, Created: now}
		for _, p := range r.Policies {
			ro.Policies[p.Name] = p.Document
		}
		a.Roles[r.Name] = ro
	}
	for _, u := range w.Users {
		us := &User{Name: u.Name, ID: "AIDA" + RandomID(16), Policies: map[string]string{}, Created: now.Add(-Age(u.Ago))}
		for _, p := range u.Policies {
			us.Policies[p.Name] = p.Document
		}
		a.Users[u.Name] = us
		for _, k := range u.Keys {
			made := us.Created
			if k.Ago != "" {
				made = now.Add(-Age(k.Ago))
			}
			a.Keys[k.ID] = &AccessKey{ID: k.ID, Secret: k.Secret, Active: true, Created: made, User: us}
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
		region := i.Region
		if region == "" {
			region = a.Region
		}
		a.Instances[i.ID] = &Instance{ID: i.ID, Type: typ, Image: image, Region: region, Reservation: "r-" + strings.TrimPrefix(i.ID, "i-"), Role: a.Roles[i.Role], Address: i.Address,
			HTTPTokens: tokens, State: "running", Launched: now, Simulated: i.Address == ""}
	}
	for _, b := range w.Buckets {
		a.Buckets[b.Name] = &Bucket{PublicACL: b.ACL == "public-read", Policy: b.Policy, Website: b.Website}
	}
	return a
}

// document parses a policy once; the caller holds a.mu.
func (a *Account) Document(text string) *policy.Document {
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
func (a *Account) IdentityPolicies(k *AccessKey) []*policy.Document {
	src := map[string]string{}
	if k.User != nil {
		src = k.User.Policies
	} else if k.Role != nil {
		src = k.Role.Policies
	}
	names := make([]string, 0, len(src))
	for n := range src {
		names = append(names, n)
	}
	sort.Strings(names)
	docs := make([]*policy.Document, 0, len(names))
	for _, n := range names {
		if d := a.Document(src[n]); d != nil {
			docs = append(docs, d)
		}
	}
	return docs
}

// mintSession makes temporary credentials for a Role, as STS and the
// instance metadata service hand out.
func (a *Account) MintSession(r *Role, sessionName string, lifetime time.Duration, now time.Time) *AccessKey {
	k := &AccessKey{
		ID: "ASIA" + RandomID(16), Secret: RandomSecret(), Active: true, Created: now,
		Role: r, SessionName: sessionName, Token: randomToken(), Expires: now.Add(lifetime),
	}
	a.Keys[k.ID] = k
	return k
}

// MintUserSession makes temporary credentials for a user, as STS's
// GetSessionToken hands out: the user's identity and policies, with a
// session token and an expiry.
func (a *Account) MintUserSession(u *User, lifetime time.Duration, now time.Time) *AccessKey {
	k := &AccessKey{
		ID: "ASIA" + RandomID(16), Secret: RandomSecret(), Active: true, Created: now,
		User: u, Token: randomToken(), Expires: now.Add(lifetime),
	}
	a.Keys[k.ID] = k
	return k
}

// RandomID is n characters of an AWS-style identifier.
func RandomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base32.StdEncoding.EncodeToString(b)[:n]
}

// RandomSecret is a secret access key.
func RandomSecret() string {
	b := make([]byte, 30)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)[:40]
}

func randomToken() string {
	b := make([]byte, 180)
	_, _ = rand.Read(b)
	return "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString(b)
}

// HexID is n random hex digits, as instance and reservation ids have.
func HexID(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// NewRequestID is a request id as AWS services return them.
func NewRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// SortedKeys are a map's keys in order, so listings are stable.
func SortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// UserARN and RoleARN name an identity of the account.
func (a *Account) UserARN(u *User) string { return "arn:aws:iam::" + a.ID + ":user/" + u.Name }
func (a *Account) RoleARN(r *Role) string { return "arn:aws:iam::" + a.ID + ":role/" + r.Name }

// Now is the account's time.
func (a *Account) Now() time.Time { return a.clock() }

// ShownAddress is a lab host's address as the cloud presents it.
func (a *Account) ShownAddress(labAddr string) (string, bool) {
	addr, err := netip.ParseAddr(labAddr)
	if err != nil {
		return "", false
	}
	if shown, ok := a.addresses[addr]; ok {
		return shown.String(), true
	}
	return addr.String(), true
}
