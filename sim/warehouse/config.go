// Package warehouse sets up and runs a lab's data warehouse: a real
// PostgreSQL server (Debian's, in the sakimori-lab/warehouse image), made
// afresh when the lab starts from the scenario's roles, their network
// allow-lists and its data, and logging every connection and statement
// as JSON (PostgreSQL's own jsonlog), the warehouse's login and query
// history. Trainees reach it with the real psql.
package warehouse

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// World is WAREHOUSE: the warehouse as a scenario sets it up.
type World struct {
	// Database is the one database the roles use.
	Database string `yaml:"database"`
	Roles    []Role `yaml:"roles"`
	// Data is SQL run in Database by its owner once the roles exist: the
	// tables, their rows and the roles' grants.
	Data string `yaml:"data"`
	// Addresses maps a lab host's address to the one the histories show,
	// as the other emulators' do, so a story's addresses stay fixed. The
	// network policy is written in the story's addresses too.
	Addresses map[string]string `yaml:"addresses"`
	// Authenticator is the secret the second factor's issuer is made
	// from: the certificate authority that signs users' client
	// certificates, and the server's own certificate (see Authority).
	Authenticator string `yaml:"authenticator"`
}

// Show is the address the histories give a lab address.
func (w *World) Show(addr string) string {
	if to, ok := w.Addresses[addr]; ok {
		return to
	}
	return addr
}

// Role is an account that signs in with a password.
type Role struct {
	Name     string `yaml:"name"`
	Password string `yaml:"password"`
	// Owner owns Database (and so what Data creates).
	Owner bool `yaml:"owner"`
	// Admin administers the account: it makes and alters roles and edits
	// the network policy (security.user_policies).
	Admin bool `yaml:"admin"`
	// Unload lets the role copy data out to a program (COPY … TO
	// PROGRAM), the warehouse's unload to an external stage.
	Unload bool `yaml:"unload"`
	// Allow lists the networks (CIDR, or one address) it may sign in
	// from, in the story's addresses; empty, anywhere. MFA asks for its
	// second factor too. Both are where the network policy starts; the
	// account's admins change it in security.user_policies.
	Allow []string `yaml:"allow"`
	MFA   bool     `yaml:"mfa"`
}

var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// ParseWorld reads WAREHOUSE and refuses what could not run.
func ParseWorld(text string) (*World, error) {
	var w World
	if err := yaml.Unmarshal([]byte(text), &w); err != nil {
		return nil, fmt.Errorf("WAREHOUSE: %v", err)
	}
	if !identifier.MatchString(w.Database) || w.Database == CheckDatabase {
		return nil, fmt.Errorf("WAREHOUSE: database %q is not a lower-case SQL name of its own (%s is the checks')", w.Database, CheckDatabase)
	}
	for from, to := range w.Addresses {
		if _, err := netip.ParseAddr(from); err != nil {
			return nil, fmt.Errorf("WAREHOUSE: addresses: %v", err)
		}
		if _, err := netip.ParseAddr(to); err != nil {
			return nil, fmt.Errorf("WAREHOUSE: addresses: %v", err)
		}
	}
	if w.Authenticator == "" {
		return nil, fmt.Errorf("WAREHOUSE: authenticator (the second factor's secret) is missing")
	}
	owners, admins := 0, 0
	seen := map[string]bool{"postgres": true}
	for _, r := range w.Roles {
		if !identifier.MatchString(r.Name) || seen[r.Name] || r.Name == "all" || r.Name == "public" || strings.HasPrefix(r.Name, "pg_") {
			return nil, fmt.Errorf("WAREHOUSE: role %q needs a lower-case SQL name of its own (not postgres, all, public or pg_…)", r.Name)
		}
		seen[r.Name] = true
		if r.Password == "" {
			return nil, fmt.Errorf("WAREHOUSE: role %s has no password", r.Name)
		}
		if r.Owner {
			owners++
		}
		if r.Admin {
			admins++
		}
		for _, a := range r.Allow {
			if _, err := network(a); err != nil {
				return nil, fmt.Errorf("WAREHOUSE: role %s: allow: %v", r.Name, err)
			}
		}
	}
	if owners != 1 {
		return nil, fmt.Errorf("WAREHOUSE: one role owns the database; %d do", owners)
	}
	if admins > 1 {
		return nil, fmt.Errorf("WAREHOUSE: one role at most administers the account; %d do", admins)
	}
	return &w, nil
}

// network reads an allow-list entry: a CIDR, or one address.
func network(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an address or a CIDR", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
