package k8s

import (
	"fmt"
	"strings"
	"time"
)

// What kube-apiserver adds to an object on its way into storage: the
// defaults of the API types and what the admission plugins a kubeadm
// cluster runs write into a pod. A trainee who compares the emulator's
// `kubectl get -o yaml` with a real cluster's sees the same fields.

// metaOf is an object's metadata, made if it has none.
func metaOf(obj map[string]any) map[string]any {
	meta, _ := obj["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		obj["metadata"] = meta
	}
	return meta
}

func nameOf(obj map[string]any) string {
	n, _ := metaOf(obj)["name"].(string)
	return n
}

func uidOf(obj map[string]any) string {
	u, _ := metaOf(obj)["uid"].(string)
	return u
}

// intOf reads a number however it was decoded: JSON gives float64, the
// world's YAML int.
func intOf(v any, def int) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	case int64:
		return int(n)
	}
	return def
}

// stamp is a metav1.Time as the API writes it: seconds, UTC.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// microStamp is a metav1.MicroTime, as events.k8s.io writes eventTime.
func microStamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00") }

// createdAt is when an object was made.
func createdAt(obj map[string]any) time.Time {
	t, err := time.Parse(time.RFC3339, fmt.Sprint(metaOf(obj)["creationTimestamp"]))
	if err != nil {
		return time.Time{}
	}
	return t
}

func setDefault(m map[string]any, key string, v any) {
	if _, ok := m[key]; !ok {
		m[key] = v
	}
}

// defaultPodSpec is the API types' defaulting of a pod spec, in a pod or
// in a workload's template.
func defaultPodSpec(spec map[string]any) {
	if spec == nil {
		return
	}
	setDefault(spec, "restartPolicy", "Always")
	setDefault(spec, "terminationGracePeriodSeconds", 30.0)
	setDefault(spec, "dnsPolicy", "ClusterFirst")
	setDefault(spec, "securityContext", map[string]any{})
	setDefault(spec, "schedulerName", "default-scheduler")
	for _, key := range []string{"initContainers", "containers"} {
		for _, c := range list(spec[key]) {
			if cm, ok := c.(map[string]any); ok {
				defaultContainer(cm)
			}
		}
	}
}

func defaultContainer(c map[string]any) {
	image, _ := c["image"].(string)
	policy := "IfNotPresent"
	if imageTag(image) == "latest" {
		policy = "Always"
	}
	setDefault(c, "imagePullPolicy", policy)
	setDefault(c, "terminationMessagePath", "/dev/termination-log")
	setDefault(c, "terminationMessagePolicy", "File")
	setDefault(c, "resources", map[string]any{})
	for _, p := range list(c["ports"]) {
		if pm, ok := p.(map[string]any); ok {
			setDefault(pm, "protocol", "TCP")
		}
	}
}

// imageTag is an image reference's tag: "latest" when it names none and
// no digest either, as the kubelet reads it.
func imageTag(image string) string {
	if strings.Contains(image, "@") {
		return ""
	}
	last := image[strings.LastIndex(image, "/")+1:]
	if _, tag, ok := strings.Cut(last, ":"); ok {
		return tag
	}
	return "latest"
}

// defaultPod adds to a pod what defaulting and admission add to a pod
// but not to a template: service links, requests from limits, the
// service account, the priority, and the tolerations of a node that stops
// answering.
func defaultPod(pod map[string]any) {
	spec, _ := pod["spec"].(map[string]any)
	if spec == nil {
		spec = map[string]any{}
		pod["spec"] = spec
	}
	defaultPodSpec(spec)
	setDefault(spec, "enableServiceLinks", true)
	for _, c := range list(spec["containers"]) {
		cm, _ := c.(map[string]any)
		res, _ := cm["resources"].(map[string]any)
		limits, _ := res["limits"].(map[string]any)
		if len(limits) == 0 {
			continue
		}
		requests, _ := res["requests"].(map[string]any)
		if requests == nil {
			requests = map[string]any{}
			res["requests"] = requests
		}
		for k, v := range limits {
			setDefault(requests, k, v)
		}
	}
	if _, ok := spec["serviceAccountName"]; !ok {
		sa, _ := spec["serviceAccount"].(string)
		if sa == "" {
			sa = "default"
		}
		spec["serviceAccountName"] = sa
	}
	spec["serviceAccount"] = spec["serviceAccountName"]
	setDefault(spec, "priority", 0.0)
	setDefault(spec, "preemptionPolicy", "PreemptLowerPriority")
	if _, ok := spec["tolerations"]; !ok {
		var tolerations []any
		for _, taint := range []string{"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"} {
			tolerations = append(tolerations, map[string]any{"key": taint, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300.0})
		}
		spec["tolerations"] = tolerations
	}
}

// defaultWorkload is the defaulting of a deployment or a replica set: a
// replica count, a deployment's rollout settings, and its template's pod
// spec. A selector left out is taken from the template's labels, as
// extensions/v1beta1 did, so a short manifest in a lab's world still works.
func defaultWorkload(resource string, obj map[string]any) {
	spec, _ := obj["spec"].(map[string]any)
	if spec == nil {
		spec = map[string]any{}
		obj["spec"] = spec
	}
	setDefault(spec, "replicas", 1.0)
	template, _ := spec["template"].(map[string]any)
	if template != nil {
		tspec, _ := template["spec"].(map[string]any)
		defaultPodSpec(tspec)
		if _, ok := spec["selector"]; !ok {
			tmeta, _ := template["metadata"].(map[string]any)
			if labels, ok := tmeta["labels"].(map[string]any); ok {
				spec["selector"] = map[string]any{"matchLabels": clone(labels)}
			}
		}
	}
	if resource == "deployments" {
		setDefault(spec, "revisionHistoryLimit", 10.0)
		setDefault(spec, "progressDeadlineSeconds", 600.0)
		setDefault(spec, "strategy", map[string]any{"type": "RollingUpdate", "rollingUpdate": map[string]any{"maxSurge": "25%", "maxUnavailable": "25%"}})
	}
}

// qosClass is the class the API server gives a pod from its resources.
func qosClass(spec map[string]any) string {
	some, all := false, true
	for _, c := range list(spec["containers"]) {
		cm, _ := c.(map[string]any)
		res, _ := cm["resources"].(map[string]any)
		limits, _ := res["limits"].(map[string]any)
		requests, _ := res["requests"].(map[string]any)
		if len(limits) > 0 || len(requests) > 0 {
			some = true
		}
		for _, r := range []string{"cpu", "memory"} {
			l, ok := limits[r]
			if !ok || (requests[r] != nil && fmt.Sprint(requests[r]) != fmt.Sprint(l)) {
				all = false
			}
		}
	}
	switch {
	case !some:
		return "BestEffort"
	case all:
		return "Guaranteed"
	}
	return "Burstable"
}
