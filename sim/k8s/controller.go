package k8s

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The controllers of a real cluster, as far as a lab needs them. The
// deployment controller gives each pod template of a deployment a replica
// set (NAME-HASH) and scales the current one up and the others down; the
// replica set controller makes and removes pods (NAME-HASH-SUFFIX) to
// match; the garbage collector removes what a deleted object owned. What
// they write is in the audit log under their own service accounts, from
// the control-plane node, as in a real cluster, so a trainee sees who made
// a pod as well as who asked for it; what they do is in the events.

const (
	deploymentController = "system:serviceaccount:kube-system:deployment-controller"
	replicaSetController = "system:serviceaccount:kube-system:replicaset-controller"
	garbageCollector     = "system:serviceaccount:kube-system:generic-garbage-collector"
	scheduler            = "system:kube-scheduler"
	componentVersion     = kubeletVersion + " (linux/amd64) kubernetes/59526cd"
	// controllerAddress is the control-plane node's, where the controller
	// manager and the scheduler run beside the API server.
	controllerAddress = "10.0.0.10"

	revisionAnnotation = "deployment.kubernetes.io/revision"
)

// write is a request a control-plane component makes, in the audit log;
// s.mu is held. kube-controller-manager runs each controller with its
// own service account and names it in its user agent.
func (s *Server) write(by, verb, uri string, ref map[string]any, code int, body map[string]any) {
	u := user{Username: by, Groups: []string{"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"}}
	agent := "kube-controller-manager/" + componentVersion + "/" + by
	if by == scheduler {
		u.Groups = []string{"system:authenticated"}
		agent = "kube-scheduler/" + componentVersion + "/scheduler"
	}
	e := Event{RequestURI: uri, Verb: verb, User: u, SourceIPs: []string{controllerAddress}, UserAgent: agent,
		ObjectRef: ref, ResponseStatus: map[string]any{"metadata": map[string]any{}, "code": code}}
	if body != nil {
		e.RequestObject = body
	}
	s.appendEvent(e)
}

// hashAlphabet is the one Kubernetes draws generated names from: no vowels,
// so no words.
const hashAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// templateHash is a pod template's pod-template-hash. Kubernetes takes the
// FNV-32a hash of the template and spells its decimal digits in the
// generated-name alphabet, one character a digit, so a real hash is nine
// or ten characters of 4-9, b, c, d and f; a hash of any other shape
// would give the emulator away.
func templateHash(template map[string]any) string {
	b, _ := json.Marshal(template) // map keys sorted: the same template, the same hash
	h := fnv.New32a()
	h.Write(b)
	digits := strconv.FormatUint(uint64(h.Sum32()), 10)
	out := make([]byte, len(digits))
	for i := range digits {
		out[i] = hashAlphabet[int(digits[i])%len(hashAlphabet)]
	}
	return string(out)
}

// suffix is a generated name's random part, as the API server makes it
// for generateName.
func suffix() string {
	b := make([]byte, 5)
	for i := range b {
		b[i] = hashAlphabet[rand.IntN(len(hashAlphabet))]
	}
	return string(b)
}

// when is the time a controller acts on obj: now, or, while the world is
// seeded (not audited), when obj was made.
func (s *Server) when(obj map[string]any, audited bool) time.Time {
	if t := createdAt(obj); !audited && !t.IsZero() {
		return t
	}
	return s.now()
}

// touch records an in-place change of a stored object; s.mu is held.
func (s *Server) touch(obj map[string]any) {
	s.rev++
	metaOf(obj)["resourceVersion"] = strconv.Itoa(s.rev)
}

// controllerOf is the uid of the object that controls obj, and its kind.
func controllerOf(obj map[string]any) (uid, kind, name string) {
	for _, o := range list(metaOf(obj)["ownerReferences"]) {
		om, _ := o.(map[string]any)
		if om["controller"] == true {
			uid, _ = om["uid"].(string)
			kind, _ = om["kind"].(string)
			name, _ = om["name"].(string)
			return
		}
	}
	return "", "", ""
}

// owned lists the stored objects of resource in ns that owner controls,
// by name; s.mu is held.
func (s *Server) owned(resource, ns string, owner map[string]any) []map[string]any {
	var out []map[string]any
	for _, key := range sortedKeys(s.objects[resource]) {
		obj := s.objects[resource][key]
		if uid, _, _ := controllerOf(obj); namespaceOf(obj) == ns && uid != "" && uid == uidOf(owner) {
			out = append(out, obj)
		}
	}
	return out
}

// ownerOf is obj's controlling object of resource, if it is stored.
func (s *Server) ownerOf(obj map[string]any, resource string) map[string]any {
	uid, _, name := controllerOf(obj)
	if o, ok := s.objects[resource][namespaceOf(obj)+"/"+name]; ok && uidOf(o) == uid {
		return o
	}
	return nil
}

func revisionOf(obj map[string]any) int {
	ann, _ := metaOf(obj)["annotations"].(map[string]any)
	n, _ := strconv.Atoi(fmt.Sprint(ann[revisionAnnotation]))
	return n
}

func annotate(obj map[string]any, key, value string) {
	meta := metaOf(obj)
	ann, _ := meta["annotations"].(map[string]any)
	if ann == nil {
		ann = map[string]any{}
		meta["annotations"] = ann
	}
	ann[key] = value
}

// maxSurge is a deployment's 25% surge, rounded up, as the replica
// annotations count it.
func maxSurge(replicas int) int { return (replicas + 3) / 4 }

// rollOut is the deployment controller: the replica set of the current
// template gets every replica, the others none; s.mu is held. audited is
// false while the world is seeded, which happened before the lab's log
// began.
func (s *Server) rollOut(ns string, deploy map[string]any, audited bool) {
	name := nameOf(deploy)
	spec, _ := deploy["spec"].(map[string]any)
	template, _ := spec["template"].(map[string]any)
	if name == "" || template == nil {
		return
	}
	at := s.when(deploy, audited)
	replicas := intOf(spec["replicas"], 1)
	hash := templateHash(template)
	sets := s.owned("replicasets", ns, deploy)
	var current map[string]any
	revision := 0
	for _, rs := range sets {
		revision = max(revision, revisionOf(rs))
		if nameOf(rs) == name+"-"+hash {
			current = rs
		}
	}
	switch {
	case current == nil:
		current = s.newReplicaSet(ns, deploy, hash, revision+1, replicas, at, audited)
	case revisionOf(current) < revision: // back to an earlier template: a rollback is a new revision
		annotate(current, revisionAnnotation, strconv.Itoa(revision+1))
		s.touch(current)
	}
	if revisionOf(deploy) != revisionOf(current) {
		annotate(deploy, revisionAnnotation, strconv.Itoa(revisionOf(current)))
	}
	s.scale(current, replicas, deploy, at, audited)
	for _, rs := range sets {
		if nameOf(rs) != nameOf(current) {
			s.scale(rs, 0, deploy, at, audited)
		}
	}
	s.deploymentStatus(deploy, at)
}

// newReplicaSet makes the replica set of a deployment's template, sized
// at once, as the deployment controller creates it; s.mu is held.
func (s *Server) newReplicaSet(ns string, deploy map[string]any, hash string, revision, replicas int, at time.Time, audited bool) map[string]any {
	spec := deploy["spec"].(map[string]any)
	template := clone(spec["template"].(map[string]any))
	labels := withHash(template, hash)
	metaOf(template)["labels"] = labels
	selector, _ := clone(map[string]any{"s": spec["selector"]})["s"].(map[string]any)
	if selector == nil {
		selector = map[string]any{}
	}
	matchLabels, _ := selector["matchLabels"].(map[string]any)
	if matchLabels == nil {
		matchLabels = map[string]any{}
		selector["matchLabels"] = matchLabels
	}
	matchLabels["pod-template-hash"] = hash
	rsName := nameOf(deploy) + "-" + hash
	rs := map[string]any{
		"apiVersion": "apps/v1", "kind": "ReplicaSet",
		"metadata": map[string]any{
			"name": rsName, "namespace": ns, "labels": clone(labels),
			"annotations": map[string]any{
				"deployment.kubernetes.io/desired-replicas": strconv.Itoa(replicas),
				"deployment.kubernetes.io/max-replicas":     strconv.Itoa(replicas + maxSurge(replicas)),
				revisionAnnotation:                          strconv.Itoa(revision),
			},
			"ownerReferences": []any{map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": nameOf(deploy), "uid": uidOf(deploy),
				"controller": true, "blockOwnerDeletion": true}},
		},
		"spec": map[string]any{"replicas": float64(replicas), "selector": selector, "template": template},
	}
	if m, ok := spec["minReadySeconds"]; ok {
		rs["spec"].(map[string]any)["minReadySeconds"] = m
	}
	// What the controller sends: its client writes an empty status and
	// no server-owned metadata.
	sent := clone(rs)
	metaOf(sent)["creationTimestamp"] = nil
	sent["status"] = map[string]any{"replicas": 0.0}
	if !audited {
		metaOf(rs)["creationTimestamp"] = stamp(at)
	}
	prepareCreate("replicasets", rs)
	s.store("replicasets", ns, rs)
	if audited {
		s.write(deploymentController, "create", "/apis/apps/v1/namespaces/"+ns+"/replicasets",
			map[string]any{"resource": "replicasets", "namespace": ns, "name": rsName, "apiGroup": "apps", "apiVersion": "v1"}, 201, sent)
	}
	if replicas > 0 {
		s.event(at, deploy, "", "ScalingReplicaSet", fmt.Sprintf("Scaled up replica set %s from 0 to %d", rsName, replicas), deploymentReporter)
	}
	s.syncReplicaSet(rs, at, audited)
	return rs
}

// scale sets a replica set of deploy to n replicas; s.mu is held.
func (s *Server) scale(rs map[string]any, n int, deploy map[string]any, at time.Time, audited bool) {
	spec := rs["spec"].(map[string]any)
	was := intOf(spec["replicas"], 1)
	want := intOf(deploy["spec"].(map[string]any)["replicas"], 1)
	ann, _ := metaOf(rs)["annotations"].(map[string]any)
	desired, surge := strconv.Itoa(want), strconv.Itoa(want+maxSurge(want))
	if was != n || fmt.Sprint(ann["deployment.kubernetes.io/desired-replicas"]) != desired || fmt.Sprint(ann["deployment.kubernetes.io/max-replicas"]) != surge {
		spec["replicas"] = float64(n)
		annotate(rs, "deployment.kubernetes.io/desired-replicas", desired)
		annotate(rs, "deployment.kubernetes.io/max-replicas", surge)
		if was != n {
			metaOf(rs)["generation"] = float64(intOf(metaOf(rs)["generation"], 1) + 1)
		}
		s.touch(rs)
		if audited {
			s.write(deploymentController, "update", "/apis/apps/v1/namespaces/"+namespaceOf(rs)+"/replicasets/"+nameOf(rs),
				map[string]any{"resource": "replicasets", "namespace": namespaceOf(rs), "name": nameOf(rs), "apiGroup": "apps", "apiVersion": "v1"}, 200, clone(rs))
		}
		if was != n {
			way := "up"
			if n < was {
				way = "down"
			}
			s.event(at, deploy, "", "ScalingReplicaSet", fmt.Sprintf("Scaled %s replica set %s from %d to %d", way, nameOf(rs), was, n), deploymentReporter)
		}
	}
	s.syncReplicaSet(rs, at, audited)
}

// syncReplicaSet is the replica set controller: pods made or removed to
// match the replica count, and the status counted; s.mu is held.
func (s *Server) syncReplicaSet(rs map[string]any, at time.Time, audited bool) {
	ns := namespaceOf(rs)
	spec, _ := rs["spec"].(map[string]any)
	want := intOf(spec["replicas"], 1)
	pods := s.owned("pods", ns, rs)
	for i := len(pods); i < want; i++ {
		pods = append(pods, s.makePod(rs, at, audited))
	}
	if len(pods) > want {
		// The newest go first, as the controller prefers to keep pods
		// that have run longer.
		sort.SliceStable(pods, func(i, j int) bool { return createdAt(pods[i]).Before(createdAt(pods[j])) })
		for _, p := range pods[want:] {
			s.removePod(ns+"/"+nameOf(p), replicaSetController, audited)
			s.event(at, rs, "", "SuccessfulDelete", "Deleted pod: "+nameOf(p), replicaSetReporter)
		}
		pods = pods[:want]
	}
	ready := 0
	for _, p := range pods {
		if st, _ := p["status"].(map[string]any); st["phase"] == "Running" {
			ready++
		}
	}
	status := map[string]any{"replicas": float64(len(pods)), "observedGeneration": float64(intOf(metaOf(rs)["generation"], 1))}
	counts(status, map[string]int{"fullyLabeledReplicas": len(pods), "readyReplicas": ready, "availableReplicas": ready})
	rs["status"] = status
	s.touch(rs)
	if deploy := s.ownerOf(rs, "deployments"); deploy != nil {
		s.deploymentStatus(deploy, at)
	}
}

// counts sets the counters that are not zero: the API omits zero counts.
func counts(status map[string]any, c map[string]int) {
	for k, v := range c {
		if v != 0 {
			status[k] = float64(v)
		}
	}
}

// makePod is the replica set controller creating one pod from its
// template; s.mu is held.
func (s *Server) makePod(rs map[string]any, at time.Time, audited bool) map[string]any {
	ns := namespaceOf(rs)
	template, _ := rs["spec"].(map[string]any)["template"].(map[string]any)
	tmeta, _ := template["metadata"].(map[string]any)
	tspec, _ := template["spec"].(map[string]any)
	prefix := nameOf(rs) + "-"
	if len(prefix) > 58 { // a generated name is at most 63 characters
		prefix = prefix[:58]
	}
	name := prefix + suffix()
	for s.objects["pods"][ns+"/"+name] != nil {
		name = prefix + suffix()
	}
	meta := map[string]any{"generateName": prefix,
		"ownerReferences": []any{map[string]any{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": nameOf(rs), "uid": uidOf(rs),
			"controller": true, "blockOwnerDeletion": true}}}
	for _, key := range []string{"labels", "annotations"} {
		if v, ok := tmeta[key].(map[string]any); ok {
			meta[key] = clone(v)
		}
	}
	// The request as the controller's client sends it: a generateName, no
	// name, no server-owned metadata and an empty status.
	sent := map[string]any{"kind": "Pod", "apiVersion": "v1", "metadata": clone(meta), "spec": clone(tspec), "status": map[string]any{}}
	metaOf(sent)["creationTimestamp"] = nil
	meta["name"], meta["namespace"] = name, ns
	if !audited {
		meta["creationTimestamp"] = stamp(at)
	}
	pod := map[string]any{"metadata": meta, "spec": clone(tspec)}
	prepareCreate("pods", pod)
	s.store("pods", ns, pod)
	if audited {
		// The audit log names no pod: the request had only a generateName.
		s.write(replicaSetController, "create", "/api/v1/namespaces/"+ns+"/pods",
			map[string]any{"resource": "pods", "namespace": ns, "apiVersion": "v1"}, 201, sent)
	}
	s.event(at, rs, "", "SuccessfulCreate", "Created pod: "+name, replicaSetReporter)
	s.schedule(pod, at, audited)
	return pod
}

// deploymentStatus counts a deployment's pods into its status, as the
// deployment controller reports them; s.mu is held.
func (s *Server) deploymentStatus(deploy map[string]any, at time.Time) {
	ns, name := namespaceOf(deploy), nameOf(deploy)
	spec, _ := deploy["spec"].(map[string]any)
	want := intOf(spec["replicas"], 1)
	template, _ := spec["template"].(map[string]any)
	current := name + "-" + templateHash(template)
	total, updated, ready := 0, 0, 0
	for _, rs := range s.owned("replicasets", ns, deploy) {
		for _, p := range s.owned("pods", ns, rs) {
			total++
			if nameOf(rs) == current {
				updated++
			}
			if st, _ := p["status"].(map[string]any); st["phase"] == "Running" {
				ready++
			}
		}
	}
	old, _ := deploy["status"].(map[string]any)
	status := map[string]any{"observedGeneration": float64(intOf(metaOf(deploy)["generation"], 1))}
	counts(status, map[string]int{"replicas": total, "updatedReplicas": updated, "readyReplicas": ready, "availableReplicas": ready,
		"unavailableReplicas": max(0, want-ready)})
	available, availableWhy, availableSays := "True", "MinimumReplicasAvailable", "Deployment has minimum availability."
	if ready < want-want/4 { // maxUnavailable 25%, rounded down
		available, availableWhy, availableSays = "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."
	}
	progressing, progressWhy, progressSays := "True", "NewReplicaSetAvailable", fmt.Sprintf("ReplicaSet %q has successfully progressed.", current)
	if updated < want || total > want {
		progressWhy, progressSays = "ReplicaSetUpdated", fmt.Sprintf("ReplicaSet %q is progressing.", current)
	}
	status["conditions"] = []any{
		condition(old, "Available", available, availableWhy, availableSays, at),
		condition(old, "Progressing", progressing, progressWhy, progressSays, at),
	}
	deploy["status"] = status
	s.touch(deploy)
}

// condition is a deployment condition, keeping the times of the one it
// replaces while nothing about it changed.
func condition(oldStatus map[string]any, typ, status, reason, message string, at time.Time) map[string]any {
	c := map[string]any{"type": typ, "status": status, "reason": reason, "message": message,
		"lastUpdateTime": stamp(at), "lastTransitionTime": stamp(at)}
	for _, o := range list(oldStatus["conditions"]) {
		om, _ := o.(map[string]any)
		if om["type"] != typ {
			continue
		}
		if om["status"] == status {
			c["lastTransitionTime"] = om["lastTransitionTime"]
			if om["reason"] == reason && om["message"] == message {
				c["lastUpdateTime"] = om["lastUpdateTime"]
			}
		}
	}
	return c
}

// removeDeployment is the garbage collector following a deleted
// deployment: its replica sets go, and with them their pods; s.mu is held.
func (s *Server) removeDeployment(ns string, deploy map[string]any) {
	for _, rs := range s.owned("replicasets", ns, deploy) {
		delete(s.objects["replicasets"], ns+"/"+nameOf(rs))
		s.write(garbageCollector, "delete", "/apis/apps/v1/namespaces/"+ns+"/replicasets/"+nameOf(rs),
			map[string]any{"resource": "replicasets", "namespace": ns, "name": nameOf(rs), "apiGroup": "apps", "apiVersion": "v1"}, 200, nil)
		s.removeReplicaSetPods(rs)
	}
}

// removeReplicaSetPods is the garbage collector following a deleted
// replica set; s.mu is held.
func (s *Server) removeReplicaSetPods(rs map[string]any) {
	for _, p := range s.owned("pods", namespaceOf(rs), rs) {
		s.removePod(namespaceOf(p)+"/"+nameOf(p), garbageCollector, true)
	}
}

// removePod deletes a pod for a controller, and its kubelet stops it;
// s.mu is held.
func (s *Server) removePod(key, by string, audited bool) {
	pod, ok := s.objects["pods"][key]
	if !ok {
		return
	}
	delete(s.objects["pods"], key)
	s.stop(pod)
	if !audited {
		return
	}
	ns, name, _ := strings.Cut(key, "/")
	s.write(by, "delete", "/api/v1/namespaces/"+ns+"/pods/"+name,
		map[string]any{"resource": "pods", "namespace": ns, "name": name, "apiVersion": "v1"}, 200, nil)
}

// replicaSetOf names the replica set that owns a pod, or "".
func replicaSetOf(pod map[string]any) string {
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
	return ok && rest != "" && len(rest) <= 10 && strings.Trim(rest, "456789bcdf") == ""
}

// deploymentOf names the deployment a pod was made for, or "".
func deploymentOf(pod map[string]any) string {
	rs := replicaSetOf(pod)
	if i := strings.LastIndex(rs, "-"); i > 0 && ownedBy(rs, rs[:i]) {
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
