package k8s

// kind describes one resource type the emulated server serves: enough for
// kubectl's legacy discovery to map a name (pods, deploy) to a path.
type kind struct {
	group      string // "" for the core group
	version    string
	resource   string // plural, the path segment
	kind       string
	short      []string
	namespaced bool
}

func (k kind) apiVersion() string {
	if k.group == "" {
		return k.version
	}
	return k.group + "/" + k.version
}

var kinds = []kind{
	{"", "v1", "namespaces", "Namespace", []string{"ns"}, false},
	{"", "v1", "nodes", "Node", []string{"no"}, false},
	{"", "v1", "pods", "Pod", []string{"po"}, true},
	{"", "v1", "events", "Event", []string{"ev"}, true},
	{"", "v1", "secrets", "Secret", nil, true},
	{"", "v1", "configmaps", "ConfigMap", []string{"cm"}, true},
	{"", "v1", "serviceaccounts", "ServiceAccount", []string{"sa"}, true},
	{"apps", "v1", "deployments", "Deployment", []string{"deploy"}, true},
	{"apps", "v1", "replicasets", "ReplicaSet", []string{"rs"}, true},
	{"coordination.k8s.io", "v1", "leases", "Lease", nil, true},
	{"rbac.authorization.k8s.io", "v1", "roles", "Role", nil, true},
	{"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", nil, true},
	{"rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", nil, false},
	{"rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", nil, false},
}

func lookupKind(group, resource string) (kind, bool) {
	for _, k := range kinds {
		if k.group == group && k.resource == resource {
			return k, true
		}
	}
	return kind{}, false
}

func resourceList(groupVersion string) map[string]any {
	var res []map[string]any
	for _, k := range kinds {
		if k.apiVersion() != groupVersion {
			continue
		}
		r := map[string]any{
			"name": k.resource, "singularName": "", "namespaced": k.namespaced, "kind": k.kind,
			"verbs": []string{"create", "delete", "get", "list", "patch", "update"},
		}
		if k.short != nil {
			r["shortNames"] = k.short
		}
		res = append(res, r)
		if generational[k.resource] {
			res = append(res, map[string]any{"name": k.resource + "/scale", "singularName": "", "namespaced": true, "group": "autoscaling", "version": "v1",
				"kind": "Scale", "verbs": []string{"get", "patch", "update"}})
		}
		if k.resource == "pods" {
			res = append(res, map[string]any{"name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": []string{"get"}})
			res = append(res, map[string]any{"name": "pods/exec", "singularName": "", "namespaced": true, "kind": "PodExecOptions", "verbs": []string{"create", "get"}})
		}
	}
	if groupVersion == "authentication.k8s.io/v1" {
		res = append(res, map[string]any{"name": "selfsubjectreviews", "singularName": "", "namespaced": false, "kind": "SelfSubjectReview", "verbs": []string{"create"}})
	}
	if groupVersion == "authorization.k8s.io/v1" {
		res = append(res, map[string]any{"name": "selfsubjectaccessreviews", "singularName": "", "namespaced": false, "kind": "SelfSubjectAccessReview", "verbs": []string{"create"}},
			map[string]any{"name": "selfsubjectrulesreviews", "singularName": "", "namespaced": true, "kind": "SelfSubjectRulesReview", "verbs": []string{"create"}})
	}
	return map[string]any{"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": groupVersion, "resources": res}
}

// servedGroupVersions are the API groups' versions, each with its list of
// resources at /apis/GROUP/VERSION.
var servedGroupVersions = map[string]bool{"apps/v1": true, "authentication.k8s.io/v1": true, "authorization.k8s.io/v1": true,
	"coordination.k8s.io/v1": true, "rbac.authorization.k8s.io/v1": true}

func groupList() map[string]any {
	group := func(name string) map[string]any {
		gv := map[string]any{"groupVersion": name + "/v1", "version": "v1"}
		return map[string]any{"name": name, "versions": []any{gv}, "preferredVersion": gv}
	}
	return map[string]any{"kind": "APIGroupList", "apiVersion": "v1", "groups": []any{group("apps"), group("authentication.k8s.io"), group("authorization.k8s.io"), group("coordination.k8s.io"), group("rbac.authorization.k8s.io")}}
}
