// Package account is the emulated cloud account every service of the lab
// shares: its starting state (the World a scenario's manifest writes, so
// an author shapes the account without touching Go), who is calling
// (SigV4 keys and sessions), what they may do (IAM policy), and the audit
// record each call leaves. The services (sim/aws/sts, iam, ec2, s3) work
// on one Account; sim/aws serves them behind one endpoint.
package account

import (
	"bytes"
	"fmt"
	"net/netip"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sakimori/sakimori/sim/aws/policy"
	"github.com/sakimori/sakimori/sim/labkit"
)

// World is the account a lab starts with.
type World struct {
	Account string `yaml:"account"` // 12 digits
	Region  string `yaml:"region"`
	// Addresses maps a lab host's address to the address the cloud sees
	// and logs for it, so logs read like a real incident (an attacker on
	// the internet, an Instance in its VPC) and are the same in every
	// trainee's lab.
	Addresses map[string]string `yaml:"addresses"`
	Users     []UserDef         `yaml:"users"`
	Roles     []RoleDef         `yaml:"roles"`
	Instances []InstanceDef     `yaml:"instances"`
	Buckets   []BucketDef       `yaml:"buckets"`
	// TrailBucket receives the audit log as CloudTrail delivers it.
	TrailBucket string `yaml:"trail_bucket"`
}

// UserDef is an IAM user with access keys and inline policies.
type UserDef struct {
	Name     string      `yaml:"name"`
	Keys     []KeyDef    `yaml:"keys"`
	Policies []PolicyDef `yaml:"policies"`
	// Ago is how long before the lab's start the user was made (21d,
	// 400d): list-users and list-access-keys then tell an old identity
	// from one an intruder made minutes ago, as they do in a real account.
	Ago string `yaml:"ago"`
}

// KeyDef is an access key pair.
type KeyDef struct {
	ID     string `yaml:"id"`
	Secret string `yaml:"secret"`
	Ago    string `yaml:"ago"` // how long before the lab's start it was made; the user's age by default
}

// PolicyDef is a named inline policy; Document is JSON.
type PolicyDef struct {
	Name     string `yaml:"name"`
	Document string `yaml:"document"`
}

// RoleDef is an IAM role that instances and callers can take on.
type RoleDef struct {
	Name     string      `yaml:"name"`
	Policies []PolicyDef `yaml:"policies"`
}

// InstanceDef is a compute instance with a role and a metadata service.
type InstanceDef struct {
	ID         string `yaml:"id"`
	Type       string `yaml:"type"`
	Image      string `yaml:"image"`
	Region     string `yaml:"region"` // the world's region unless given
	Role       string `yaml:"role"`
	Address    string `yaml:"address"`     // the lab host that is this instance; none: control plane only
	HTTPTokens string `yaml:"http_tokens"` // optional (IMDSv1 allowed) or required
}

// BucketDef is a bucket and its first objects.
type BucketDef struct {
	Name   string `yaml:"name"`
	ACL    string `yaml:"acl"`    // private (default) or public-read
	Policy string `yaml:"policy"` // bucket policy, JSON
	// Website is the index document of a bucket set up for static website
	// hosting (index.html); none for a bucket that is not.
	Website string `yaml:"website"`
	// Versioned buckets keep every version; an object listed twice has
	// two versions, the later one current.
	Versioned bool        `yaml:"versioned"`
	Objects   []ObjectDef `yaml:"objects"`
	// GitFolder publishes a repository's .git folder under this prefix
	// (e.g. ".git/"), built from History: a site deployed with its history.
	GitFolder string      `yaml:"git_folder"`
	History   []CommitDef `yaml:"history"`
}

// CommitDef is one commit of a published history; a file set to null is
// removed by it.
type CommitDef struct {
	Author  string             `yaml:"author"`
	When    time.Time          `yaml:"when"`
	Message string             `yaml:"message"`
	Files   map[string]*string `yaml:"files"`
}

// ObjectDef is one object.
type ObjectDef struct {
	Key  string `yaml:"key"`
	Body string `yaml:"body"`
	Ago  string `yaml:"ago"` // how long before the lab's start it was written
}

// ParseWorld reads a world strictly and checks that it hangs together.
func ParseWorld(text string) (*World, error) {
	var w World
	dec := yaml.NewDecoder(bytes.NewReader([]byte(text)))
	dec.KnownFields(true)
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("world: %v", err)
	}
	if len(w.Account) != 12 {
		return nil, fmt.Errorf("world: account must be 12 digits")
	}
	if w.Region == "" {
		w.Region = "us-east-1"
	}
	for from, to := range w.Addresses {
		if _, err := netip.ParseAddr(from); err != nil {
			return nil, fmt.Errorf("world: addresses: %q is not an address", from)
		}
		if _, err := netip.ParseAddr(to); err != nil {
			return nil, fmt.Errorf("world: addresses: %q is not an address", to)
		}
	}
	roles := map[string]bool{}
	for _, r := range w.Roles {
		roles[r.Name] = true
		if err := checkPolicies("role "+r.Name, r.Policies); err != nil {
			return nil, err
		}
	}
	for _, u := range w.Users {
		if err := checkPolicies("user "+u.Name, u.Policies); err != nil {
			return nil, err
		}
		if _, err := labkit.Ago(orNone(u.Ago)); err != nil {
			return nil, fmt.Errorf("world: user %s: %v", u.Name, err)
		}
		for _, k := range u.Keys {
			if k.ID == "" || k.Secret == "" {
				return nil, fmt.Errorf("world: user %s: a key needs id and secret", u.Name)
			}
			if _, err := labkit.Ago(orNone(k.Ago)); err != nil {
				return nil, fmt.Errorf("world: user %s: key %s: %v", u.Name, k.ID, err)
			}
		}
	}
	for _, i := range w.Instances {
		if i.Role != "" && !roles[i.Role] {
			return nil, fmt.Errorf("world: instance %s: no role %q", i.ID, i.Role)
		}
		if i.HTTPTokens != "" && i.HTTPTokens != "optional" && i.HTTPTokens != "required" {
			return nil, fmt.Errorf("world: instance %s: http_tokens is optional or required", i.ID)
		}
	}
	for _, b := range w.Buckets {
		if b.ACL != "" && b.ACL != "private" && b.ACL != "public-read" {
			return nil, fmt.Errorf("world: bucket %s: acl is private or public-read", b.Name)
		}
		if (b.GitFolder == "") != (len(b.History) == 0) {
			return nil, fmt.Errorf("world: bucket %s: git_folder and history go together", b.Name)
		}
		if b.Policy != "" {
			if _, err := policy.Parse(b.Policy); err != nil {
				return nil, fmt.Errorf("world: bucket %s: policy: %v", b.Name, err)
			}
		}
		for _, o := range b.Objects {
			if _, err := labkit.Ago(orNone(o.Ago)); err != nil {
				return nil, fmt.Errorf("world: bucket %s: object %s: %v", b.Name, o.Key, err)
			}
		}
	}
	return &w, nil
}

// orNone reads an unset age as none: made as the lab starts.
func orNone(ago string) string {
	if ago == "" {
		return "0s"
	}
	return ago
}

// Age is how long before the lab's start an ago says; ParseWorld has
// checked it.
func Age(ago string) time.Duration {
	d, _ := labkit.Ago(orNone(ago))
	return d
}

func checkPolicies(owner string, ps []PolicyDef) error {
	for _, p := range ps {
		if _, err := policy.Parse(p.Document); err != nil {
			return fmt.Errorf("world: %s: policy %s: %v", owner, p.Name, err)
		}
	}
	return nil
}
