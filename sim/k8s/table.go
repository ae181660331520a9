package k8s

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// wantsTable reports whether kubectl asked for server-side printing, as
// `kubectl get` does; a real server answers with a meta.k8s.io Table.
func wantsTable(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "as=Table")
}

// column is a Table column as the API server's printers define it.
// Priority 1 columns are the ones kubectl shows only with -o wide; the
// server always sends them.
type column struct {
	name, typ string
	wide      bool
}

// columns are each kind's columns after its name, in the printers' order.
var columns = map[string][]column{
	"pods": {{"Ready", "string", false}, {"Status", "string", false}, {"Restarts", "string", false}, {"Age", "string", false},
		{"IP", "string", true}, {"Node", "string", true}, {"Nominated Node", "string", true}, {"Readiness Gates", "string", true}},
	"deployments": {{"Ready", "string", false}, {"Up-to-date", "integer", false}, {"Available", "integer", false}, {"Age", "string", false},
		{"Containers", "string", true}, {"Images", "string", true}, {"Selector", "string", true}},
	"replicasets": {{"Desired", "integer", false}, {"Current", "integer", false}, {"Ready", "integer", false}, {"Age", "string", false},
		{"Containers", "string", true}, {"Images", "string", true}, {"Selector", "string", true}},
	"nodes": {{"Status", "string", false}, {"Roles", "string", false}, {"Age", "string", false}, {"Version", "string", false},
		{"Internal-IP", "string", true}, {"External-IP", "string", true}, {"OS-Image", "string", true}, {"Kernel-Version", "string", true},
		{"Container-Runtime", "string", true}},
	"events": {{"Last Seen", "string", false}, {"Type", "string", false}, {"Reason", "string", false}, {"Object", "string", false},
		{"Subobject", "string", true}, {"Source", "string", true}, {"Message", "string", false}, {"First Seen", "string", true},
		{"Count", "string", true}, {"Name", "string", true}},
	"namespaces":      {{"Status", "string", false}, {"Age", "string", false}},
	"leases":          {{"Holder", "string", false}, {"Age", "string", false}},
	"secrets":         {{"Type", "string", false}, {"Data", "string", false}, {"Age", "string", false}},
	"configmaps":      {{"Data", "string", false}, {"Age", "string", false}},
	"serviceaccounts": {{"Secrets", "string", false}, {"Age", "string", false}},
	"roles":           {{"Created At", "date", false}},
	"clusterroles":    {{"Created At", "date", false}},
	"rolebindings": {{"Role", "string", false}, {"Age", "string", false},
		{"Users", "string", true}, {"Groups", "string", true}, {"ServiceAccounts", "string", true}},
	"clusterrolebindings": {{"Role", "string", false}, {"Age", "string", false},
		{"Users", "string", true}, {"Groups", "string", true}, {"ServiceAccounts", "string", true}},
}

// table prints objects the way the API server's own printers do.
func (s *Server) table(k kind, objs []any) map[string]any {
	defs := []any{map[string]any{"name": "Name", "type": "string", "format": "name", "description": "", "priority": 0}}
	for _, c := range columns[k.resource] {
		priority := 0
		if c.wide {
			priority = 1
		}
		defs = append(defs, map[string]any{"name": c.name, "type": c.typ, "format": "", "description": "", "priority": priority})
	}
	if _, ok := columns[k.resource]; !ok {
		defs = append(defs, map[string]any{"name": "Age", "type": "string", "format": "", "description": "", "priority": 0})
	}
	rows := []any{}
	for _, o := range objs {
		obj := o.(map[string]any)
		meta := metaOf(obj)
		cells := append([]any{meta["name"]}, s.cells(k.resource, obj)...)
		rows = append(rows, map[string]any{"cells": cells, "object": map[string]any{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta}})
	}
	return map[string]any{"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": map[string]any{"resourceVersion": fmt.Sprint(s.rev)}, "columnDefinitions": defs, "rows": rows}
}

// cells are an object's cells after its name.
func (s *Server) cells(resource string, obj map[string]any) []any {
	meta := metaOf(obj)
	spec, _ := obj["spec"].(map[string]any)
	status, _ := obj["status"].(map[string]any)
	age := s.since(createdAt(obj))
	switch resource {
	case "pods":
		containers := list(spec["containers"])
		ready, restarts := 0, 0
		for _, c := range list(status["containerStatuses"]) {
			cm, _ := c.(map[string]any)
			if cm["ready"] == true {
				ready++
			}
			restarts += intOf(cm["restartCount"], 0)
		}
		return []any{fmt.Sprintf("%d/%d", ready, len(containers)), orNone(status["phase"]), fmt.Sprint(restarts), age,
			orNone(status["podIP"]), orNone(spec["nodeName"]), orNone(status["nominatedNodeName"]), readinessGates(spec, status)}
	case "deployments":
		return []any{fmt.Sprintf("%d/%d", intOf(status["readyReplicas"], 0), intOf(spec["replicas"], 1)),
			intOf(status["updatedReplicas"], 0), intOf(status["availableReplicas"], 0), age,
			containerField(spec, "name"), containerField(spec, "image"), formatSelector(spec["selector"])}
	case "replicasets":
		return []any{intOf(spec["replicas"], 1), intOf(status["replicas"], 0), intOf(status["readyReplicas"], 0), age,
			containerField(spec, "name"), containerField(spec, "image"), formatSelector(spec["selector"])}
	case "nodes":
		info, _ := status["nodeInfo"].(map[string]any)
		internal, external := "<none>", "<none>"
		for _, a := range list(status["addresses"]) {
			am, _ := a.(map[string]any)
			switch am["type"] {
			case "InternalIP":
				internal = fmt.Sprint(am["address"])
			case "ExternalIP":
				external = fmt.Sprint(am["address"])
			}
		}
		return []any{nodeState(spec, status), nodeRoles(meta), age, info["kubeletVersion"], internal, external,
			info["osImage"], info["kernelVersion"], info["containerRuntimeVersion"]}
	case "events":
		return s.eventCells(obj)
	case "namespaces":
		return []any{status["phase"], age}
	case "leases":
		return []any{orNone(spec["holderIdentity"]), age}
	case "secrets":
		data, _ := obj["data"].(map[string]any)
		return []any{obj["type"], fmt.Sprint(len(data)), age}
	case "configmaps":
		data, _ := obj["data"].(map[string]any)
		binary, _ := obj["binaryData"].(map[string]any)
		return []any{fmt.Sprint(len(data) + len(binary)), age}
	case "serviceaccounts":
		return []any{fmt.Sprint(len(list(obj["secrets"]))), age}
	case "roles", "clusterroles":
		return []any{stamp(createdAt(obj))}
	case "rolebindings", "clusterrolebindings":
		ref, _ := obj["roleRef"].(map[string]any)
		subjects := map[string][]string{}
		for _, sub := range list(obj["subjects"]) {
			sm, _ := sub.(map[string]any)
			name := fmt.Sprint(sm["name"])
			if sm["kind"] == "ServiceAccount" {
				name = fmt.Sprint(sm["namespace"]) + "/" + name
			}
			subjects[fmt.Sprint(sm["kind"])] = append(subjects[fmt.Sprint(sm["kind"])], name)
		}
		joined := func(kind string) string { return strings.Join(subjects[kind], ", ") }
		return []any{fmt.Sprintf("%v/%v", ref["kind"], ref["name"]), age, joined("User"), joined("Group"), joined("ServiceAccount")}
	}
	return []any{age}
}

// eventCells print an event as the server's event printer does: the
// events.k8s.io ones (the scheduler's) have an eventTime, a reporting
// controller and no count.
func (s *Server) eventCells(ev map[string]any) []any {
	involved, _ := ev["involvedObject"].(map[string]any)
	at := func(key string) time.Time {
		t, _ := time.Parse(time.RFC3339, fmt.Sprint(ev[key]))
		return t
	}
	first, last := at("firstTimestamp"), at("lastTimestamp")
	if first.IsZero() {
		first = at("eventTime")
	}
	if last.IsZero() {
		last = first
	}
	count := intOf(ev["count"], 0)
	if count == 0 {
		count = 1
	}
	target := strings.ToLower(fmt.Sprint(involved["kind"]))
	if name, _ := involved["name"].(string); name != "" {
		target += "/" + name
	}
	source, _ := ev["source"].(map[string]any)
	component, _ := source["component"].(string)
	host, _ := source["host"].(string)
	if component == "" {
		component, _ = ev["reportingComponent"].(string)
	}
	if host == "" {
		host, _ = ev["reportingInstance"].(string)
	}
	from := component
	if host != "" {
		from += ", " + host
	}
	fieldPath, _ := involved["fieldPath"].(string)
	return []any{s.since(last), ev["type"], ev["reason"], target, fieldPath, from, strings.TrimSpace(fmt.Sprint(ev["message"])),
		s.since(first), count, nameOf(ev)}
}

func orNone(v any) any {
	if v == nil || v == "" {
		return "<none>"
	}
	return v
}

func readinessGates(spec, status map[string]any) string {
	gates := list(spec["readinessGates"])
	if len(gates) == 0 {
		return "<none>"
	}
	met := 0
	for _, g := range gates {
		gate := fmt.Sprint(g.(map[string]any)["conditionType"])
		for _, c := range list(status["conditions"]) {
			if cm, _ := c.(map[string]any); cm["type"] == gate && cm["status"] == "True" {
				met++
			}
		}
	}
	return fmt.Sprintf("%d/%d", met, len(gates))
}

// containerField lists a field of a workload's containers, comma-joined.
func containerField(spec map[string]any, field string) string {
	template, _ := spec["template"].(map[string]any)
	tspec, _ := template["spec"].(map[string]any)
	var out []string
	for _, c := range list(tspec["containers"]) {
		out = append(out, fmt.Sprint(c.(map[string]any)[field]))
	}
	return strings.Join(out, ",")
}

// formatSelector writes a label selector as kubectl and the printers do:
// its terms sorted by key.
func formatSelector(v any) string {
	sel, _ := v.(map[string]any)
	var terms []string
	if ml, ok := sel["matchLabels"].(map[string]any); ok {
		for k, val := range ml {
			terms = append(terms, fmt.Sprintf("%s=%v", k, val))
		}
	}
	for _, e := range list(sel["matchExpressions"]) {
		em, _ := e.(map[string]any)
		var values []string
		for _, v := range list(em["values"]) {
			values = append(values, fmt.Sprint(v))
		}
		sort.Strings(values)
		switch em["operator"] {
		case "In":
			terms = append(terms, fmt.Sprintf("%v in (%s)", em["key"], strings.Join(values, ",")))
		case "NotIn":
			terms = append(terms, fmt.Sprintf("%v notin (%s)", em["key"], strings.Join(values, ",")))
		case "Exists":
			terms = append(terms, fmt.Sprint(em["key"]))
		case "DoesNotExist":
			terms = append(terms, fmt.Sprintf("!%v", em["key"]))
		}
	}
	if len(terms) == 0 {
		return "<none>"
	}
	sort.Strings(terms)
	return strings.Join(terms, ",")
}

func nodeState(spec, status map[string]any) string {
	state := "Unknown"
	for _, c := range list(status["conditions"]) {
		if cm, _ := c.(map[string]any); cm["type"] == "Ready" {
			state = "NotReady"
			if cm["status"] == "True" {
				state = "Ready"
			}
		}
	}
	if spec["unschedulable"] == true {
		state += ",SchedulingDisabled"
	}
	return state
}

func nodeRoles(meta map[string]any) string {
	labels, _ := meta["labels"].(map[string]any)
	var roles []string
	for k := range labels {
		if role, ok := strings.CutPrefix(k, "node-role.kubernetes.io/"); ok && role != "" {
			roles = append(roles, role)
		}
	}
	if len(roles) == 0 {
		return "<none>"
	}
	sort.Strings(roles)
	return strings.Join(roles, ",")
}

// since is the age of something as kubectl prints it: seconds for the
// first two minutes, then minutes and seconds, minutes, hours and
// minutes, hours, days and hours, days, and years, each finer unit shown
// only while the age is small enough for it to matter.
func (s *Server) since(t time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	d := s.now().Sub(t)
	secs := int(d.Seconds())
	mins, hours := int(d/time.Minute), int(d/time.Hour)
	days := hours / 24
	pair := func(big int, bigUnit string, small int, smallUnit string) string {
		if small == 0 {
			return fmt.Sprintf("%d%s", big, bigUnit)
		}
		return fmt.Sprintf("%d%s%d%s", big, bigUnit, small, smallUnit)
	}
	switch {
	case secs < -1:
		return "<invalid>"
	case secs < 0:
		return "0s"
	case secs < 120:
		return fmt.Sprintf("%ds", secs)
	case mins < 10:
		return pair(mins, "m", secs%60, "s")
	case mins < 180:
		return fmt.Sprintf("%dm", mins)
	case hours < 8:
		return pair(hours, "h", mins%60, "m")
	case hours < 48:
		return fmt.Sprintf("%dh", hours)
	case hours < 24*8:
		return pair(days, "d", hours%24, "h")
	case hours < 24*365*2:
		return fmt.Sprintf("%dd", days)
	case hours < 24*365*8:
		return pair(days/365, "y", days%365, "d")
	}
	return fmt.Sprintf("%dy", days/365)
}
