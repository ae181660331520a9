package labs

import (
	"net/netip"
	"regexp"
	"time"

	"github.com/sakimori/sakimori/labs/driver"
)

// firstHostOffset leaves the start of each subnet (network address,
// gateway) free; host i of a scenario takes offset + i on every network.
const firstHostOffset = 10

var ref = regexp.MustCompile(`\$\{(var|host)\.([A-Za-z0-9_-]+)\}`)

// buildSpec turns a scenario and an instance into the driver's spec: every
// host at a fixed address, per-instance values substituted into its env.
func buildSpec(s *Scenario, inst Instance, vars map[string]string) driver.InstanceSpec {
	subnets := map[string]netip.Prefix{}
	for _, n := range inst.Networks {
		subnets[n.Name] = n.Subnet
	}
	addrOf := map[string]netip.Addr{} // host → address on its first network
	for i, h := range s.Hosts {
		addrOf[h.Name] = hostAddr(subnets[h.Networks[0]], i)
	}
	spec := driver.InstanceSpec{
		ID: inst.ID, Trainee: inst.TraineeID, Scenario: inst.ScenarioID, Expires: inst.ExpiresAt,
	}
	for _, n := range inst.Networks {
		spec.Networks = append(spec.Networks, driver.NetworkSpec{Name: n.Name, Subnet: n.Subnet})
	}
	for i, h := range s.Hosts {
		hs := driver.HostSpec{
			Name: h.Name, Image: h.Image, Command: h.Command, ReadOnly: !h.Writable, CapAdd: h.Capabilities,
			Env: map[string]string{},
			Limits: driver.Limits{
				MemoryBytes: int64(h.Resources.Memory), NanoCPUs: int64(h.Resources.CPUs * 1e9), Pids: h.Resources.Pids,
			},
		}
		for _, a := range h.LoopbackAddresses {
			hs.LoopbackAddrs = append(hs.LoopbackAddrs, netip.MustParseAddr(a)) // validated
		}
		for k, v := range h.Env {
			hs.Env[k] = substitute(v, vars, addrOf)
		}
		hs.Files = hostFiles(s, h, vars, addrOf)
		if len(h.Tmpfs) > 0 {
			hs.Tmpfs = map[string]int64{}
			for path, size := range h.Tmpfs {
				hs.Tmpfs[path] = int64(size)
			}
		}
		for _, n := range h.Networks {
			hs.Networks = append(hs.Networks, driver.HostNetwork{Network: n, IP: hostAddr(subnets[n], i), Aliases: h.Aliases})
		}
		spec.Hosts = append(spec.Hosts, hs)
	}
	return spec
}

func hostAddr(subnet netip.Prefix, index int) netip.Addr {
	a := subnet.Addr()
	for range firstHostOffset + index {
		a = a.Next()
	}
	return a
}

func substitute(v string, vars map[string]string, addrs map[string]netip.Addr) string {
	return ref.ReplaceAllStringFunc(v, func(m string) string {
		parts := ref.FindStringSubmatch(m)
		if parts[1] == "var" {
			return vars[parts[2]]
		}
		return addrs[parts[2]].String()
	})
}

// timeLimit is the scenario's time limit as a duration.
func (s *Scenario) timeLimit() time.Duration { return time.Duration(s.TimeLimit) }

// Demand is what a scenario's hosts ask of the engine together: memory in
// bytes and cores, each host that leaves a limit unset counted at the
// driver's default for it.
func (s *Scenario) Demand() (memory int64, cpus float64) {
	for _, h := range s.Hosts {
		l := driver.Limits{MemoryBytes: int64(h.Resources.Memory), NanoCPUs: int64(h.Resources.CPUs * 1e9)}.OrDefaults()
		memory += l.MemoryBytes
		cpus += float64(l.NanoCPUs) / 1e9
	}
	return memory, cpus
}
