package warehouse

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// The network policy: which role may sign in from where, and which must
// show its second factor. It starts as the scenario sets it and is then
// the account's own, kept in the table security.user_policies, which its
// admins edit with SQL as a cloud warehouse's admins alter its network and
// authentication policies. The warehouse writes it to pg_hba.conf, so the
// server itself enforces it.

// Rule is one role's policy. Allowed is in the story's addresses.
type Rule struct {
	User     string
	Anywhere bool // no allow-list: from anywhere
	Allowed  []netip.Prefix
	// MFA asks for the second factor: a client certificate for this role,
	// signed by the account's authority, besides the password.
	MFA bool
}

// Policy is every role's rule, in the order of the scenario's roles.
type Policy []Rule

// StartPolicy is the policy as the scenario sets it.
func (w *World) StartPolicy() Policy {
	var p Policy
	for _, r := range w.Roles {
		rule := Rule{User: r.Name, Anywhere: len(r.Allow) == 0, MFA: r.MFA}
		for _, a := range r.Allow {
			n, _ := network(a) // ParseWorld checked it
			rule.Allowed = append(rule.Allowed, n)
		}
		p = append(p, rule)
	}
	return p
}

// HBA is pg_hba.conf for a policy. The server's own account signs in on
// its socket. Each role is then let in from the lab hosts whose story
// address its allow-list holds (with a client certificate over TLS when
// it needs its second factor), refused from every other lab host the
// story names, let in from what the allow-list holds as it is (a lab host
// the story does not name shows its own address), and refused from
// anywhere else; anyone else is refused. The first line that matches a
// connection decides it.
func (w *World) HBA(p Policy) string {
	var b strings.Builder
	b.WriteString("# TYPE  DATABASE  USER  ADDRESS  METHOD\n")
	b.WriteString("local   all       postgres         peer\n")
	labs := make([]string, 0, len(w.Addresses))
	for lab := range w.Addresses {
		labs = append(labs, lab)
	}
	slices.Sort(labs)
	for _, r := range p {
		kind, method := "host   ", "scram-sha-256"
		if r.MFA {
			kind, method = "hostssl", "scram-sha-256 clientcert=verify-full"
		}
		if r.Anywhere {
			fmt.Fprintf(&b, "%s all       %s  0.0.0.0/0  %s\n", kind, r.User, method)
			fmt.Fprintf(&b, "%s all       %s  ::/0       %s\n", kind, r.User, method)
			continue
		}
		for _, lab := range labs {
			a := netip.MustParseAddr(lab) // ParseWorld checked it
			if r.allows(netip.MustParseAddr(w.Addresses[lab])) {
				fmt.Fprintf(&b, "%s all       %s  %s  %s\n", kind, r.User, netip.PrefixFrom(a, a.BitLen()), method)
			} else {
				fmt.Fprintf(&b, "host    all       %s  %s  reject\n", r.User, netip.PrefixFrom(a, a.BitLen()))
			}
		}
		for _, n := range r.Allowed {
			fmt.Fprintf(&b, "%s all       %s  %s  %s\n", kind, r.User, n, method)
		}
		fmt.Fprintf(&b, "host    all       %s  all  reject\n", r.User)
	}
	b.WriteString("host    all       all   all  reject\n")
	return b.String()
}

func (r Rule) allows(a netip.Addr) bool {
	if r.Anywhere {
		return true
	}
	for _, n := range r.Allowed {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// policyQuery reads security.user_policies: one line a role, its name, "*"
// for no allow-list or the list space-separated, and t or f for MFA, the
// fields split by fieldSep, which no name an admin types holds.
const fieldSep = "\x1f"

const policyQuery = `SELECT user_name, coalesce(array_to_string(allowed_ip_list, ' '), '*'), mfa_required FROM security.user_policies ORDER BY user_name`

// parsePolicy reads policyQuery's output (psql -At -F fieldSep)
// into the policy of the world's roles. A role without a row may sign in
// from anywhere without a second factor, as one without a policy may in a
// cloud warehouse; rows for roles the scenario did not make are no one's.
func (w *World) parsePolicy(out string) (Policy, error) {
	rows := map[string]Rule{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, fieldSep)
		if len(f) != 3 {
			return nil, fmt.Errorf("security.user_policies: unreadable row %q", line)
		}
		r := Rule{User: f[0], Anywhere: f[1] == "*", MFA: f[2] == "t"}
		if !r.Anywhere {
			for _, n := range strings.Fields(f[1]) {
				p, err := netip.ParsePrefix(n)
				if err != nil {
					return nil, fmt.Errorf("security.user_policies: %s: %v", f[0], err)
				}
				r.Allowed = append(r.Allowed, p)
			}
		}
		rows[r.User] = r
	}
	var p Policy
	for _, role := range w.Roles {
		r, ok := rows[role.Name]
		if !ok {
			r = Rule{User: role.Name, Anywhere: true}
		}
		p = append(p, r)
	}
	return p, nil
}

// policySetup is the SQL, run in the database as the server's own account,
// that makes the policy's table and fills it with the starting policy.
func (w *World) policySetup(admin string) string {
	var b strings.Builder
	b.WriteString("CREATE SCHEMA security;\n")
	b.WriteString(`CREATE TABLE security.user_policies (
  user_name name PRIMARY KEY,
  allowed_ip_list cidr[],
  mfa_required boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE security.user_policies IS 'Who may sign in from where. allowed_ip_list NULL: from anywhere. mfa_required: a client certificate too.';
`)
	for _, r := range w.StartPolicy() {
		list := "NULL"
		if !r.Anywhere {
			var ns []string
			for _, n := range r.Allowed {
				ns = append(ns, n.String())
			}
			list = literal("{"+strings.Join(ns, ",")+"}") + "::cidr[]"
		}
		fmt.Fprintf(&b, "INSERT INTO security.user_policies VALUES (%s, %s, %t);\n", literal(r.User), list, r.MFA)
	}
	if admin != "" {
		fmt.Fprintf(&b, "GRANT USAGE ON SCHEMA security TO %s;\n", ident(admin))
		fmt.Fprintf(&b, "GRANT SELECT, INSERT, UPDATE, DELETE ON security.user_policies TO %s;\n", ident(admin))
	}
	return b.String()
}
