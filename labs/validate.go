package labs

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/sakimori/sakimori/scoring"
)

// Platform limits on what one scenario may ask for.
const (
	MaxHosts        = 8
	MaxNetworks     = 4
	MaxHostMemory   = 1 << 30
	MaxHostCPUs     = 2.0
	MaxHostPids     = 1024
	MinTimeLimit    = 5 * time.Minute
	MaxTimeLimit    = 8 * time.Hour
	maxTmpfsPerHost = 256 << 20
)

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,40}$`)
	namePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,15}$`)
	techniqueID = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)
	envName     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	varRef      = regexp.MustCompile(`\$\{var\.([A-Za-z0-9_-]+)\}`)
	// dnsName is a host alias: lower-case labels of a-z, 0-9 and '-',
	// dot-separated, at least two of them, at most 253 characters.
	dnsName       = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$`)
	hostRef       = regexp.MustCompile(`\$\{host\.([a-z0-9-]+)\}`)
	imageName     = regexp.MustCompile(`^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?$`)
	difficulties  = []string{"beginner", "intermediate", "advanced", "expert"}
	variableKinds = []string{"flag", "password", "access_key_id", "secret_key", "session_id"}
)

// Capabilities a scenario may add back. Everything else (SYS_ADMIN,
// NET_ADMIN, SYS_PTRACE, SYS_MODULE, DAC_READ_SEARCH…) reaches past the
// container and is refused.
var allowedCapabilities = map[string]bool{
	"CHOWN": true, "DAC_OVERRIDE": true, "FOWNER": true, "FSETID": true, "KILL": true,
	"SETGID": true, "SETUID": true, "NET_BIND_SERVICE": true, "NET_RAW": true,
}

// knownCapabilities are Linux capabilities that exist but are refused.
var knownCapabilities = map[string]bool{
	"AUDIT_CONTROL": true, "AUDIT_READ": true, "AUDIT_WRITE": true, "BLOCK_SUSPEND": true, "BPF": true,
	"CHECKPOINT_RESTORE": true, "DAC_READ_SEARCH": true, "IPC_LOCK": true, "IPC_OWNER": true, "LEASE": true,
	"LINUX_IMMUTABLE": true, "MAC_ADMIN": true, "MAC_OVERRIDE": true, "MKNOD": true, "NET_ADMIN": true,
	"NET_BROADCAST": true, "PERFMON": true, "SETFCAP": true, "SETPCAP": true, "SYS_ADMIN": true, "SYS_BOOT": true,
	"SYS_CHROOT": true, "SYS_MODULE": true, "SYS_NICE": true, "SYS_PACCT": true, "SYS_PTRACE": true,
	"SYS_RAWIO": true, "SYS_RESOURCE": true, "SYS_TIME": true, "SYS_TTY_CONFIG": true, "SYSLOG": true, "WAKE_ALARM": true,
}

// problems collects what is wrong, each at its field path.
type problems []Problem

func (p *problems) add(path, format string, args ...any) {
	*p = append(*p, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Validate checks a scenario against the manifest rules and the platform's
// isolation rules, and returns every problem found (none: it is valid).
func Validate(s *Scenario) []Problem {
	var p problems
	validateIdentity(s, &p)
	nets := validateNetworks(s, &p)
	vars := validateVariables(s, &p)
	hosts := validateHosts(s, nets, vars, &p)
	validateObjectives(s, hosts, vars, &p)
	validateSolution(s, hosts, &p)
	validateCompetencies(s, &p)
	return p
}

func validateSolution(s *Scenario, hosts map[string]bool, p *problems) {
	kinds := map[string]scoring.Kind{}
	for _, o := range s.Objectives {
		kinds[o.ID] = o.Kind
	}
	for i, st := range s.Solution {
		path := fmt.Sprintf("solution[%d]", i)
		kind, ok := kinds[st.Objective]
		if !ok {
			p.add(path+".objective", "there is no objective %q", st.Objective)
		}
		if st.Run == "" && st.Answer == "" {
			p.add(path, "needs run or answer")
		}
		if kind == scoring.KindCheck && (st.Answer != "" || st.Wrong != "") {
			p.add(path, "a check objective is checked, not answered: give run only")
		}
		if st.Host != "" && !hosts[st.Host] {
			p.add(path+".host", "no such host %q", st.Host)
		}
	}
}

func validateIdentity(s *Scenario, p *problems) {
	if !idPattern.MatchString(s.ID) {
		p.add("id", "must be 2–41 characters of a-z, 0-9 and '-', starting with a letter or digit")
	}
	if s.Version < 1 {
		p.add("version", "must be 1 or more")
	}
	if strings.TrimSpace(s.Title) == "" {
		p.add("title", "is required")
	}
	if !oneOf(s.Difficulty, difficulties) {
		p.add("difficulty", "must be one of %s", strings.Join(difficulties, ", "))
	}
	if tl := time.Duration(s.TimeLimit); tl < MinTimeLimit || tl > MaxTimeLimit {
		p.add("time_limit", "must be between %s and %s", MinTimeLimit, MaxTimeLimit)
	}
	for i, id := range s.Attack {
		if !techniqueID.MatchString(id) {
			p.add(fmt.Sprintf("attack[%d]", i), "%q is not a MITRE ATT&CK technique ID like T1552.005", id)
		}
	}
	for i, inc := range s.Incidents {
		if strings.TrimSpace(inc.Name) == "" {
			p.add(fmt.Sprintf("incidents[%d].name", i), "is required")
		}
		if u, err := url.Parse(inc.Reference); inc.Reference != "" && (err != nil || u.Scheme != "https") {
			p.add(fmt.Sprintf("incidents[%d].reference", i), "must be an https:// link to a public account")
		}
	}
}

func validateNetworks(s *Scenario, p *problems) map[string]bool {
	nets := map[string]bool{}
	if len(s.Networks) == 0 {
		p.add("networks", "at least one network is required")
	}
	if len(s.Networks) > MaxNetworks {
		p.add("networks", "at most %d networks", MaxNetworks)
	}
	for i, n := range s.Networks {
		path := fmt.Sprintf("networks[%d].name", i)
		switch {
		case !namePattern.MatchString(n.Name):
			p.add(path, "must be 1–16 characters of a-z, 0-9 and '-', starting with a letter")
		case nets[n.Name]:
			p.add(path, "%q is used twice", n.Name)
		}
		nets[n.Name] = true
	}
	return nets
}

func validateVariables(s *Scenario, p *problems) map[string]string {
	vars := map[string]string{}
	for i, v := range s.Variables {
		path := fmt.Sprintf("variables[%d]", i)
		if !envName.MatchString(v.Name) {
			p.add(path+".name", "must be letters, digits and '_'")
		} else if _, dup := vars[v.Name]; dup {
			p.add(path+".name", "%q is used twice", v.Name)
		}
		if !oneOf(v.Kind, variableKinds) {
			p.add(path+".kind", "must be one of %s", strings.Join(variableKinds, ", "))
		}
		if v.Format != "" && (v.Kind != "flag" || strings.Count(v.Format, "%s") != 1) {
			p.add(path+".format", "only flags take a format, with exactly one %%s")
		}
		vars[v.Name] = v.Kind
	}
	return vars
}

func validateHosts(s *Scenario, nets map[string]bool, vars map[string]string, p *problems) map[string]bool {
	hosts := map[string]bool{}
	names := map[string]bool{} // aliases: one host each
	terminals := 0
	if len(s.Hosts) == 0 {
		p.add("hosts", "at least one host is required")
	}
	if len(s.Hosts) > MaxHosts {
		p.add("hosts", "at most %d hosts", MaxHosts)
	}
	for i, h := range s.Hosts {
		path := fmt.Sprintf("hosts[%d]", i)
		switch {
		case !namePattern.MatchString(h.Name):
			p.add(path+".name", "must be 1–16 characters of a-z, 0-9 and '-', starting with a letter")
		case hosts[h.Name]:
			p.add(path+".name", "%q is used twice", h.Name)
		}
		hosts[h.Name] = true
		if h.Terminal {
			terminals++
		}
		if !imageName.MatchString(h.Image) {
			p.add(path+".image", "must be an image reference like sakimori-lab/base:latest")
		}
		if len(h.Networks) == 0 {
			p.add(path+".networks", "a host needs at least one network")
		}
		seen := map[string]bool{}
		for j, n := range h.Networks {
			if !nets[n] {
				p.add(fmt.Sprintf("%s.networks[%d]", path, j), "no network named %q", n)
			} else if seen[n] {
				p.add(fmt.Sprintf("%s.networks[%d]", path, j), "%q is listed twice", n)
			}
			seen[n] = true
		}
		for j, a := range h.Aliases {
			switch {
			case len(a) > 253 || !dnsName.MatchString(a):
				p.add(fmt.Sprintf("%s.aliases[%d]", path, j), "must be a lower-case DNS name with a dot, like uploader.vendor.example")
			case names[a]:
				p.add(fmt.Sprintf("%s.aliases[%d]", path, j), "%q is used twice", a)
			}
			names[a] = true
		}
		for name, value := range h.Env {
			if !envName.MatchString(name) {
				p.add(path+".env."+name, "is not a valid variable name")
			}
			for _, m := range varRef.FindAllStringSubmatch(value, -1) {
				if _, ok := vars[m[1]]; !ok {
					p.add(path+".env."+name, "uses ${var.%s}, which is not declared in variables", m[1])
				}
			}
		}
		for j, arg := range h.Command {
			if varRef.MatchString(arg) || hostRef.MatchString(arg) {
				p.add(fmt.Sprintf("%s.command[%d]", path, j), "is passed as written: ${var.…} and ${host.…} are filled in env only, so set an env variable and use it")
			}
		}
		for j, port := range h.Ports {
			if port.Port < 1 || port.Port > 65535 {
				p.add(fmt.Sprintf("%s.ports[%d].port", path, j), "must be 1–65535")
			}
		}
		validateResources(path, h, p)
		validateIsolation(path, h, p)
		validateFiles(path, h, p)
	}
	// ${host.NAME} names another host; checked once every host is known.
	for i, h := range s.Hosts {
		for name, value := range h.Env {
			for _, m := range hostRef.FindAllStringSubmatch(value, -1) {
				if !hosts[m[1]] {
					p.add(fmt.Sprintf("hosts[%d].env.%s", i, name), "uses ${host.%s}, but there is no such host", m[1])
				}
			}
		}
	}
	if len(s.Hosts) > 0 && (terminals < 1 || terminals > MaxTerminalHosts) {
		p.add("hosts", "one to %d hosts must have terminal: true (it has %d)", MaxTerminalHosts, terminals)
	}
	return hosts
}

func validateResources(path string, h HostDef, p *problems) {
	r := h.Resources
	if r.Memory < 0 || r.Memory > MaxHostMemory {
		p.add(path+".resources.memory", "must be at most 1GiB")
	}
	if r.Memory > 0 && r.Memory < 16<<20 {
		p.add(path+".resources.memory", "must be at least 16MiB")
	}
	if r.CPUs < 0 || r.CPUs > MaxHostCPUs {
		p.add(path+".resources.cpus", "must be at most %g", MaxHostCPUs)
	}
	if r.Pids < 0 || r.Pids > MaxHostPids {
		p.add(path+".resources.pids", "must be at most %d", MaxHostPids)
	}
	var tmpfs int64
	for mount, size := range h.Tmpfs {
		if !strings.HasPrefix(mount, "/") || strings.Contains(mount, "..") || mount == "/" {
			p.add(path+".tmpfs", "%q must be an absolute path below /", mount)
		}
		tmpfs += int64(size)
	}
	if tmpfs > maxTmpfsPerHost {
		p.add(path+".tmpfs", "at most 256MiB in all")
	}
}

// validateIsolation refuses, by name, every setting that would let a lab
// reach past its own containers and networks.
func validateIsolation(path string, h HostDef, p *problems) {
	if h.Privileged != nil && *h.Privileged {
		p.add(path+".privileged", "privileged hosts are never allowed: they can take over the machine")
	}
	if len(h.Volumes) > 0 || len(h.Mounts) > 0 {
		field := ".volumes"
		if len(h.Mounts) > 0 {
			field = ".mounts"
		}
		for _, v := range append(h.Volumes, h.Mounts...) {
			if strings.Contains(v, "docker.sock") {
				p.add(path+field, "the container engine's socket is never mounted into a lab")
			}
		}
		p.add(path+field, "host mounts are not allowed; use tmpfs for scratch space and the image for files")
	}
	if h.NetworkMode != "" {
		p.add(path+".network_mode", "labs only join their own internal networks")
	}
	if h.PidMode != "" || h.IpcMode != "" {
		p.add(path+".pid", "sharing the host's or another container's process or IPC namespace is not allowed")
	}
	if len(h.Devices) > 0 {
		p.add(path+".devices", "host devices are not allowed")
	}
	if len(h.SecurityOpt) > 0 {
		p.add(path+".security_opt", "security options are fixed by the platform (seccomp and AppArmor defaults, no-new-privileges)")
	}
	if h.User != "" && (h.User == "0" || h.User == "root" || strings.HasPrefix(h.User, "0:")) {
		p.add(path+".user", "hosts may not run as root; the image's own user is used")
	}
	for j, c := range h.Capabilities {
		name := strings.TrimPrefix(strings.ToUpper(c), "CAP_")
		at := fmt.Sprintf("%s.capabilities[%d]", path, j)
		switch {
		case allowedCapabilities[name]:
		case knownCapabilities[name]:
			p.add(at, "%s is not allowed in labs: it reaches past the container", name)
		default:
			p.add(at, "%q is not a Linux capability", c)
		}
	}
	for j, a := range h.LoopbackAddresses {
		addr, err := netip.ParseAddr(a)
		if err != nil || !addr.Is4() || !linkLocal.Contains(addr) {
			p.add(fmt.Sprintf("%s.loopback_addresses[%d]", path, j), "%q must be an IPv4 link-local address (169.254.0.0/16), such as the metadata address 169.254.169.254", a)
		}
	}
}

// validateObjectives hands the objectives and hints to scoring, which owns
// their schema, with what they may refer to here: the hosts checks and
// live logs run in, and the variables that hold flags.
func validateObjectives(s *Scenario, hosts map[string]bool, vars map[string]string, p *problems) {
	flags, declared := map[string]bool{}, map[string]bool{}
	for name, kind := range vars {
		flags[name] = kind == "flag"
		declared[name] = true
	}
	for _, sp := range scoring.ValidateObjectives(s.Objectives, s.Hints, scoring.Setting{Hosts: hosts, FlagVariables: flags, Variables: declared}) {
		*p = append(*p, Problem{Path: sp.Path, Message: sp.Message})
	}
}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}
