package k8s

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"sync"
	"time"
)

// What every kubeadm cluster has that a world need not write: the
// default cluster roles and their bindings, and in each namespace the
// default service account and the kube-root-ca.crt config map (made by
// the service-account controller and the root CA publisher). A cluster
// without them is one nobody ever ran.

// clusterRoles are the default cluster roles a kubectl get clusterroles
// shows first; their rules are the ones authorisation applies for them.
var clusterRoles = []map[string]any{
	clusterRole("cluster-admin", rule([]any{"*"}, []any{"*"}, []any{"*"}), map[string]any{"nonResourceURLs": []any{"*"}, "verbs": []any{"*"}}),
	clusterRole("admin", rule([]any{"", "apps", "rbac.authorization.k8s.io"}, []any{"*"}, []any{"*"})),
	clusterRole("edit", rule([]any{"", "apps"}, []any{"*"}, []any{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"})),
	clusterRole("view", rule([]any{"", "apps"}, []any{"*"}, []any{"get", "list", "watch"})),
	clusterRole("system:basic-user", rule([]any{"authorization.k8s.io", "authentication.k8s.io"},
		[]any{"selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews"}, []any{"create"})),
	clusterRole("system:discovery", map[string]any{"nonResourceURLs": []any{"/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"}, "verbs": []any{"get"}}),
	clusterRole("system:public-info-viewer", map[string]any{"nonResourceURLs": []any{"/healthz", "/livez", "/readyz", "/version", "/version/"}, "verbs": []any{"get"}}),
}

// clusterRoleBindings bind the defaults as kubeadm does.
var clusterRoleBindings = []map[string]any{
	clusterRoleBinding("cluster-admin", "cluster-admin", group("system:masters")),
	clusterRoleBinding("system:basic-user", "system:basic-user", group("system:authenticated")),
	clusterRoleBinding("system:discovery", "system:discovery", group("system:authenticated")),
	clusterRoleBinding("system:public-info-viewer", "system:public-info-viewer", group("system:authenticated"), group("system:unauthenticated")),
}

func rule(groups, resources, verbs []any) map[string]any {
	return map[string]any{"apiGroups": groups, "resources": resources, "verbs": verbs}
}

func group(name string) map[string]any {
	return map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": name}
}

func bootstrapping() map[string]any {
	return map[string]any{"annotations": map[string]any{"rbac.authorization.kubernetes.io/autoupdate": "true"},
		"labels": map[string]any{"kubernetes.io/bootstrapping": "rbac-defaults"}}
}

func clusterRole(name string, rules ...map[string]any) map[string]any {
	meta := bootstrapping()
	meta["name"] = name
	list := make([]any, len(rules))
	for i, r := range rules {
		list[i] = r
	}
	return map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta, "rules": list}
}

func clusterRoleBinding(name, role string, subjects ...map[string]any) map[string]any {
	meta := bootstrapping()
	meta["name"] = name
	list := make([]any, len(subjects))
	for i, s := range subjects {
		list[i] = s
	}
	return map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": meta,
		"roleRef": map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role}, "subjects": list}
}

// storeDefaultRBAC adds the default cluster roles and bindings; s.mu is
// held, or the server not yet shared.
func (s *Server) storeDefaultRBAC() {
	for _, r := range clusterRoles {
		obj := clone(r)
		prepareCreate("clusterroles", obj)
		s.store("clusterroles", "", obj)
	}
	for _, b := range clusterRoleBindings {
		obj := clone(b)
		prepareCreate("clusterrolebindings", obj)
		s.store("clusterrolebindings", "", obj)
	}
}

// rootCA is the cluster's CA certificate in PEM, as kube-root-ca.crt
// carries it into each namespace: a real one (kubeadm's shape: RSA 2048,
// CN kubernetes, ten years), made once per cluster.
var rootCA = sync.OnceValue(func() string {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return ""
	}
	born := time.Now().Add(-400 * 24 * time.Hour).Truncate(time.Second)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(born.UnixNano()), Subject: pkix.Name{CommonName: "kubernetes"},
		NotBefore: born, NotAfter: born.Add(10 * 365 * 24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return ""
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
})

// namespaceDefaults gives a namespace its default service account and
// kube-root-ca.crt config map, if it has not got them, at the given time;
// audited, their controllers' requests go in the audit log. s.mu is held.
func (s *Server) namespaceDefaults(ns string, at time.Time, audited bool) {
	s.controllerMakes("service-account-controller", "serviceaccounts", ns, at, audited,
		map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": "default"}})
	s.controllerMakes("root-ca-cert-publisher", "configmaps", ns, at, audited,
		map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "kube-root-ca.crt",
			"annotations": map[string]any{"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
			"data": map[string]any{"ca.crt": rootCA()}})
}

// controllerMakes stores obj in ns, made at the given time by the named
// kube-system controller, unless an object of its name is there already;
// audited, the controller's request goes in the audit log. s.mu is held.
func (s *Server) controllerMakes(controller, resource, ns string, at time.Time, audited bool, obj map[string]any) {
	name := nameOf(obj)
	if _, ok := s.objects[resource][ns+"/"+name]; ok {
		return
	}
	metaOf(obj)["namespace"] = ns
	sent := clone(obj) // as the controller's client sends it: no server-owned fields
	metaOf(obj)["creationTimestamp"] = stamp(at)
	prepareCreate(resource, obj)
	s.store(resource, ns, obj)
	if audited {
		s.write("system:serviceaccount:kube-system:"+controller, "create", "/api/v1/namespaces/"+ns+"/"+resource,
			map[string]any{"resource": resource, "namespace": ns, "name": name, "apiVersion": "v1"}, 201, sent)
	}
}

// allNamespaceDefaults gives every namespace its defaults, each dated as
// its namespace; s.mu is held.
func (s *Server) allNamespaceDefaults() {
	for _, ns := range s.objects["namespaces"] {
		s.namespaceDefaults(nameOf(ns), createdAt(ns), false)
	}
}
