package k8s

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"
)

// The controllers of a real cluster, as far as a lab needs them: a
// deployment's pods are made from its template and replaced when the
// template changes (the deployment and replica set controllers), and go
// when the deployment goes (the garbage collector). What they do is in
// the audit log under their own service accounts, as in a real cluster,
// so a trainee sees who made a pod as well as who asked for it.

const (
	replicaSetController = "system:serviceaccount:kube-system:replicaset-controller"
	garbageCollector     = "system:serviceaccount:kube-system:generic-garbage-collector"
	controllerAgent      = "kube-controller-manager/v1.32.4 (linux/amd64) kubernetes/59526cd/"
	// controllerAddress is the control-plane node's, where the controller
	// manager runs beside the API server.
	controllerAddress = "10.0.0.10"
)

// hashAlphabet is the one Kubernetes draws generated names from: no vowels,
// so no words.
const hashAlphabet = "bcdfghjklmnpqrstvwxz2456789"

func hashName(n int, parts ...string) string {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	v := h.Sum64()
	b := make([]byte, n)
	for i := range b {
		b[i] = hashAlphabet[v%uint64(len(hashAlphabet))]
		v /= uint64(len(hashAlphabet))
	}
	return string(b)
}

// rollOut makes a deployment's pods match its template; s.mu is held.
// audited is false while the world is seeded, which happened before the
// lab's log began.
func (s *Server) rollOut(ns string, deploy map[string]any, audited bool) {
	meta, _ := deploy["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	spec, _ := deploy["spec"].(map[string]any)
	template, _ := spec["template"].(map[string]any)
	if name == "" || template == nil {
		return
	}
	replicas := 1
	if r, ok := spec["replicas"].(float64); ok {
		replicas = int(r)
	} else if r, ok := spec["replicas"].(int); ok {
		replicas = r
	}
	tb, _ := json.Marshal(template)
	hash := hashName(10, string(tb))
	rs := name + "-" + hash
	var current []string
	for _, key := range sortedKeys(s.objects["pods"]) {
		pod := s.objects["pods"][key]
		owner := ownerOf(pod)
		if namespaceOf(pod) != ns || !ownedBy(owner, name) {
			continue
		}
		if owner == rs && len(current) < replicas {
			current = append(current, key)
			continue
		}
		s.removePod(key, replicaSetController, audited)
	}
	for i := len(current); i < replicas; i++ {
		podMeta := map[string]any{
			"name": rs + "-" + hashName(5, rs, fmt.Sprint(i), fmt.Sprint(s.rev)), "namespace": ns,
			"labels":          withHash(template, hash),
			"ownerReferences": []any{map[string]any{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs, "controller": true, "blockOwnerDeletion": true}},
		}
		if !audited {
			podMeta["creationTimestamp"] = meta["creationTimestamp"]
		}
		tspec, _ := template["spec"].(map[string]any)
		pod := map[string]any{"metadata": podMeta, "spec": clone(tspec)}
		s.store("pods", ns, pod)
		if audited {
			s.appendEvent(Event{
				RequestURI: "/api/v1/namespaces/" + ns + "/pods", Verb: "create",
				User:      user{replicaSetController, []string{"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"}},
				SourceIPs: []string{controllerAddress}, UserAgent: controllerAgent + "replicaset-controller",
				ObjectRef:      map[string]any{"resource": "pods", "namespace": ns, "name": podMeta["name"], "apiVersion": "v1"},
				ResponseStatus: map[string]any{"metadata": map[string]any{}, "code": 201}, RequestObject: clone(pod),
			})
		}
	}
}

// removeDeployment is the garbage collector following a deleted
// deployment: its pods go; s.mu is held.
func (s *Server) removeDeployment(ns, name string) {
	for _, key := range sortedKeys(s.objects["pods"]) {
		pod := s.objects["pods"][key]
		if namespaceOf(pod) == ns && ownedBy(ownerOf(pod), name) {
			s.removePod(key, garbageCollector, true)
		}
	}
}

func (s *Server) removePod(key, by string, audited bool) {
	pod := s.objects["pods"][key]
	delete(s.objects["pods"], key)
	if !audited {
		return
	}
	ns, name, _ := strings.Cut(key, "/")
	s.appendEvent(Event{
		RequestURI: "/api/v1/namespaces/" + ns + "/pods/" + name, Verb: "delete",
		User:      user{by, []string{"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"}},
		SourceIPs: []string{controllerAddress}, UserAgent: controllerAgent + strings.TrimPrefix(by, "system:serviceaccount:kube-system:"),
		ObjectRef:      map[string]any{"resource": "pods", "namespace": namespaceOf(pod), "name": name, "apiVersion": "v1"},
		ResponseStatus: map[string]any{"metadata": map[string]any{}, "code": 200},
	})
}

// ownerOf names the replica set that owns a pod, or "".
func ownerOf(pod map[string]any) string {
	meta, _ := pod["metadata"].(map[string]any)
	for _, o := range list(meta["ownerReferences"]) {
		om, _ := o.(map[string]any)
		if om["kind"] == "ReplicaSet" {
			n, _ := om["name"].(string)
			return n
		}
	}
	return ""
}

// ownedBy reports whether a replica set is one of deployment's: its name is
// the deployment's and a template hash.
func ownedBy(replicaSet, deployment string) bool {
	rest, ok := strings.CutPrefix(replicaSet, deployment+"-")
	return ok && len(rest) == 10 && !strings.Contains(rest, "-")
}

// deploymentOf names the deployment a pod was made for, or "".
func deploymentOf(pod map[string]any) string {
	rs := ownerOf(pod)
	if i := strings.LastIndex(rs, "-"); i > 0 {
		return rs[:i]
	}
	return ""
}

func withHash(template map[string]any, hash string) map[string]any {
	meta, _ := template["metadata"].(map[string]any)
	labels := map[string]any{}
	if l, ok := meta["labels"].(map[string]any); ok {
		for k, v := range l {
			labels[k] = v
		}
	}
	labels["pod-template-hash"] = hash
	return labels
}
