package k8s

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"
)

// The cluster's machines, and what the scheduler and the kubelets do
// with a pod: a kubeadm cluster of one control-plane node (where the
// control plane runs, at controllerAddress) and two workers. A pod is
// bound to the worker with the fewest pods, gets an address from that
// node's pod range, and runs at once; its events and status say so.

const (
	kubeletVersion   = "v1.32.4"
	controlPlaneNode = "k8s-cp-1"
	controlPlaneRole = "node-role.kubernetes.io/control-plane"
)

type machine struct {
	name, address, podCIDR string
	controlPlane           bool
}

var machines = []machine{
	{controlPlaneNode, controllerAddress, "10.244.0.0/24", true},
	{"k8s-worker-1", "10.0.0.21", "10.244.1.0/24", false},
	{"k8s-worker-2", "10.0.0.22", "10.244.2.0/24", false},
}

// nodeObject is a node as its kubelet registered it at the time at.
func nodeObject(m machine, at time.Time) map[string]any {
	labels := map[string]any{
		"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
		"kubernetes.io/arch": "amd64", "kubernetes.io/hostname": m.name, "kubernetes.io/os": "linux",
	}
	spec := map[string]any{"podCIDR": m.podCIDR, "podCIDRs": []any{m.podCIDR}}
	if m.controlPlane {
		labels[controlPlaneRole] = ""
		labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
		spec["taints"] = []any{map[string]any{"key": controlPlaneRole, "effect": "NoSchedule"}}
	}
	id := func(salt string) string {
		sum := sha256.Sum256([]byte(m.name + salt))
		return hex.EncodeToString(sum[:16])
	}
	uuidOf := func(h string) string { return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32] }
	resources := func(memory, storage string) map[string]any {
		return map[string]any{"cpu": "4", "ephemeral-storage": storage, "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": memory, "pods": "110"}
	}
	return map[string]any{
		"apiVersion": "v1", "kind": "Node",
		"metadata": map[string]any{"name": m.name, "labels": labels, "creationTimestamp": stamp(at), "annotations": map[string]any{
			"kubeadm.alpha.kubernetes.io/cri-socket":                 "unix:///var/run/containerd/containerd.sock",
			"node.alpha.kubernetes.io/ttl":                           "0",
			"volumes.kubernetes.io/controller-managed-attach-detach": "true",
		}},
		"spec": spec,
		"status": map[string]any{
			"addresses":       []any{map[string]any{"type": "InternalIP", "address": m.address}, map[string]any{"type": "Hostname", "address": m.name}},
			"capacity":        resources("16365708Ki", "101430960Ki"),
			"allocatable":     resources("16263308Ki", "93478772582"),
			"conditions":      nodeConditions(at, at),
			"daemonEndpoints": map[string]any{"kubeletEndpoint": map[string]any{"Port": 10250.0}},
			"nodeInfo": map[string]any{
				"architecture": "amd64", "bootID": uuidOf(id("boot")), "machineID": id("machine"), "systemUUID": uuidOf(id("system")),
				"containerRuntimeVersion": "containerd://1.7.24", "kernelVersion": nodeKernel(),
				"kubeProxyVersion": "", "kubeletVersion": kubeletVersion, "operatingSystem": "linux", "osImage": "Ubuntu 22.04.5 LTS",
			},
		},
	}
}

func nodeConditions(since, heartbeat time.Time) []any {
	cond := func(typ, status, reason, message string) any {
		return map[string]any{"type": typ, "status": status, "reason": reason, "message": message,
			"lastHeartbeatTime": stamp(heartbeat), "lastTransitionTime": stamp(since)}
	}
	return []any{
		cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
		cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
		cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
		cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
	}
}

// heartbeat brings a node's conditions up to the kubelet's last report,
// which it makes every five minutes while nothing changes; s.mu is held.
func (s *Server) heartbeat(node map[string]any) {
	status, _ := node["status"].(map[string]any)
	if status == nil {
		return
	}
	since := createdAt(node)
	if since.IsZero() {
		return
	}
	beat := since.Add(s.now().Sub(since).Truncate(5 * time.Minute))
	status["conditions"] = nodeConditions(since, beat)
}

// nodeLease is the lease in kube-node-lease a node's kubelet renews every
// ten seconds, its heartbeat between status reports.
func nodeLease(node map[string]any) map[string]any {
	name := nameOf(node)
	return map[string]any{
		"metadata": map[string]any{"name": name, "namespace": "kube-node-lease", "creationTimestamp": metaOf(node)["creationTimestamp"],
			"ownerReferences": []any{map[string]any{"apiVersion": "v1", "kind": "Node", "name": name, "uid": uidOf(node)}}},
		"spec": map[string]any{"holderIdentity": name, "leaseDurationSeconds": 40.0, "renewTime": microStamp(createdAt(node))},
	}
}

// renew brings a node lease up to its kubelet's last renewal; s.mu is held.
func (s *Server) renew(lease map[string]any) {
	spec, _ := lease["spec"].(map[string]any)
	since := createdAt(lease)
	if spec == nil || since.IsZero() {
		return
	}
	spec["renewTime"] = microStamp(since.Add(s.now().Sub(since).Truncate(10 * time.Second)))
}

// schedulable lists the nodes a pod may go to, by name: those without a
// NoSchedule taint.
func (s *Server) schedulable() []string {
	var out []string
	for _, n := range s.objects["nodes"] {
		spec, _ := n["spec"].(map[string]any)
		tainted := spec["unschedulable"] == true
		for _, t := range list(spec["taints"]) {
			if tm, _ := t.(map[string]any); tm["effect"] == "NoSchedule" {
				tainted = true
			}
		}
		if !tainted {
			out = append(out, nameOf(n))
		}
	}
	sort.Strings(out)
	return out
}

// schedule binds a pod that names no node to the schedulable node with
// the fewest pods, as kube-scheduler's spreading does, and has its
// kubelet start it; s.mu is held.
func (s *Server) schedule(pod map[string]any, at time.Time, audited bool) {
	spec, _ := pod["spec"].(map[string]any)
	if node, _ := spec["nodeName"].(string); node == "" {
		load := map[string]int{}
		for _, p := range s.objects["pods"] {
			if ps, _ := p["spec"].(map[string]any); ps != nil {
				load[fmt.Sprint(ps["nodeName"])]++
			}
		}
		best := ""
		for _, n := range s.schedulable() {
			if best == "" || load[n] < load[best] {
				best = n
			}
		}
		if best == "" {
			return // Pending: nowhere to run
		}
		spec["nodeName"] = best
		ns, name := namespaceOf(pod), nameOf(pod)
		if audited {
			s.write(scheduler, "create", "/api/v1/namespaces/"+ns+"/pods/"+name+"/binding",
				map[string]any{"resource": "pods", "namespace": ns, "name": name, "apiVersion": "v1", "subresource": "binding"}, 201,
				map[string]any{"kind": "Binding", "apiVersion": "v1",
					"metadata": map[string]any{"name": name, "namespace": ns, "uid": uidOf(pod), "creationTimestamp": nil},
					"target":   map[string]any{"kind": "Node", "name": best}})
		}
		s.event(at, pod, "", "Scheduled", fmt.Sprintf("Successfully assigned %s/%s to %s", ns, name, best), schedulerReporter())
	}
	s.start(pod, at)
}

// start is the kubelet running a bound pod: images pulled, containers
// made and started, and the status it reports; s.mu is held.
func (s *Server) start(pod map[string]any, at time.Time) {
	spec, _ := pod["spec"].(map[string]any)
	nodeName, _ := spec["nodeName"].(string)
	node, ok := s.objects["nodes"]["/"+nodeName]
	if !ok {
		return // bound to a node that does not exist: Pending, as on a real cluster
	}
	kubelet := kubeletReporter(nodeName)
	var statuses []any
	for _, c := range list(spec["containers"]) {
		cm, _ := c.(map[string]any)
		name, _ := cm["name"].(string)
		image, _ := cm["image"].(string)
		field := "spec.containers{" + name + "}"
		if s.nodeImages[nodeName][image] && cm["imagePullPolicy"] != "Always" {
			s.event(at, pod, field, "Pulled", fmt.Sprintf("Container image %q already present on machine", image), kubelet)
		} else {
			took := pullTime(image)
			s.event(at, pod, field, "Pulling", fmt.Sprintf("Pulling image %q", image), kubelet)
			s.event(at, pod, field, "Pulled", fmt.Sprintf("Successfully pulled image %q in %v (%v including waiting). Image size: %d bytes.",
				image, took, took, imageSize(image)), kubelet)
			if s.nodeImages[nodeName] == nil {
				s.nodeImages[nodeName] = map[string]bool{}
			}
			s.nodeImages[nodeName][image] = true
		}
		s.event(at, pod, field, "Created", "Created container: "+name, kubelet)
		s.event(at, pod, field, "Started", "Started container "+name, kubelet)
		repo, _ := normalImage(image)
		statuses = append(statuses, map[string]any{
			"name": name, "image": canonicalImage(image), "imageID": repo + "@sha256:" + digestOf(image),
			"containerID": "containerd://" + randomHex(32), "ready": true, "started": true, "restartCount": 0.0,
			"state": map[string]any{"running": map[string]any{"startedAt": stamp(at)}}, "lastState": map[string]any{},
		})
	}
	hostIP := ""
	for _, a := range list(node["status"].(map[string]any)["addresses"]) {
		if am, _ := a.(map[string]any); am["type"] == "InternalIP" {
			hostIP, _ = am["address"].(string)
		}
	}
	podIP := s.podIP(node)
	cond := func(typ string) any {
		return map[string]any{"type": typ, "status": "True", "lastProbeTime": nil, "lastTransitionTime": stamp(at)}
	}
	pod["status"] = map[string]any{
		"phase": "Running",
		"conditions": []any{cond("PodReadyToStartContainers"), cond("Initialized"), cond("Ready"), cond("ContainersReady"),
			cond("PodScheduled")},
		"hostIP": hostIP, "hostIPs": []any{map[string]any{"ip": hostIP}},
		"podIP": podIP, "podIPs": []any{map[string]any{"ip": podIP}},
		"startTime": stamp(at), "containerStatuses": statuses, "qosClass": qosClass(spec),
	}
	s.touch(pod)
}

// stop is the kubelet ending a deleted pod's containers; s.mu is held.
func (s *Server) stop(pod map[string]any) {
	spec, _ := pod["spec"].(map[string]any)
	nodeName, _ := spec["nodeName"].(string)
	if nodeName == "" {
		return
	}
	for _, c := range list(spec["containers"]) {
		name := fmt.Sprint(c.(map[string]any)["name"])
		s.event(s.now(), pod, "spec.containers{"+name+"}", "Killing", "Stopping container "+name, kubeletReporter(nodeName))
	}
}

// podIP is the next free address in a node's pod range; s.mu is held.
func (s *Server) podIP(node map[string]any) string {
	spec, _ := node["spec"].(map[string]any)
	prefix, err := netip.ParsePrefix(fmt.Sprint(spec["podCIDR"]))
	if err != nil {
		return ""
	}
	used := map[string]bool{}
	for _, p := range s.objects["pods"] {
		if st, _ := p["status"].(map[string]any); st != nil {
			used[fmt.Sprint(st["podIP"])] = true
		}
	}
	name := nameOf(node)
	for range 256 {
		s.podIPNext[name]++
		addr := prefix.Addr()
		for range s.podIPNext[name] + 1 { // .1 is the bridge's
			addr = addr.Next()
		}
		if !prefix.Contains(addr.Next()) {
			s.podIPNext[name] = 0 // the range's end: start again from its first address
			continue
		}
		if !used[addr.String()] {
			return addr.String()
		}
	}
	return ""
}

// normalImage is an image reference as containerd names it: the
// registry spelled out (docker.io, library/ for official images), and
// the tag, latest if none.
func normalImage(image string) (repo, tag string) {
	repo, tag = image, "latest"
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		repo, tag = image[:i], image[i+1:]
	}
	first, _, hasSlash := strings.Cut(repo, "/")
	switch {
	case !hasSlash:
		repo = "docker.io/library/" + repo
	case !strings.ContainsAny(first, ".:") && first != "localhost":
		repo = "docker.io/" + repo
	}
	return repo, tag
}

func canonicalImage(image string) string {
	repo, tag := normalImage(image)
	return repo + ":" + tag
}

// digestOf, imageSize and pullTime are an image's stable particulars: the
// same image has the same digest and size on every node.
func digestOf(image string) string {
	sum := sha256.Sum256([]byte(canonicalImage(image)))
	return hex.EncodeToString(sum[:])
}

func imageSize(image string) int {
	sum := sha256.Sum256([]byte("size " + canonicalImage(image)))
	return 18_000_000 + int(sum[0])<<18 + int(sum[1])<<10 + int(sum[2])
}

func pullTime(image string) time.Duration {
	sum := sha256.Sum256([]byte("pull " + canonicalImage(image)))
	return time.Duration(900+int(sum[0])*12+int(sum[1])%10) * time.Millisecond
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// nodeKernel is the kernel the nodes report: the one the lab's hosts run
// on, which a shell in a played pod sees, or an Ubuntu LTS kernel's.
func nodeKernel() string {
	if k := hostKernel(); k != "" {
		return k
	}
	return "5.15.0-130-generic"
}
