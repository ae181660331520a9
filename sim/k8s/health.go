package k8s

import (
	"fmt"
	"io"
	"net/http"
	"strings"
)

// kube-apiserver's health endpoints: /healthz, /livez and /readyz answer
// "ok" (the public-info-viewer role lets anyone, the anonymous user too,
// ask), ?verbose lists each check, and /livez/NAME asks one of them.

// healthChecks are the checks each endpoint runs, in kube-apiserver's
// order; /readyz adds its own at the end.
var healthChecks = []string{
	"ping", "log", "etcd",
	"poststarthook/start-apiserver-admission-initializer",
	"poststarthook/generic-apiserver-start-informers",
	"poststarthook/priority-and-fairness-config-consumer",
	"poststarthook/priority-and-fairness-filter",
	"poststarthook/storage-object-count-tracker-hook",
	"poststarthook/start-apiextensions-informers",
	"poststarthook/start-apiextensions-controllers",
	"poststarthook/crd-informer-synced",
	"poststarthook/start-system-namespaces-controller",
	"poststarthook/start-cluster-authentication-info-controller",
	"poststarthook/start-kube-apiserver-identity-lease-controller",
	"poststarthook/start-kube-apiserver-identity-lease-garbage-collector",
	"poststarthook/start-legacy-token-tracking-controller",
	"poststarthook/start-service-ip-repair-controllers",
	"poststarthook/rbac/bootstrap-roles",
	"poststarthook/scheduling/bootstrap-system-priority-classes",
	"poststarthook/priority-and-fairness-config-producer",
	"poststarthook/bootstrap-controller",
	"poststarthook/start-kube-aggregator-informers",
	"poststarthook/apiservice-status-local-available-controller",
	"poststarthook/apiservice-status-remote-available-controller",
	"poststarthook/apiservice-registration-controller",
	"poststarthook/apiservice-discovery-controller",
	"poststarthook/kube-apiserver-autoregistration",
	"autoregister-completion",
	"poststarthook/apiservice-openapi-controller",
	"poststarthook/apiservice-openapiv3-controller",
}

var readyChecks = []string{"etcd-readiness", "informer-sync", "shutdown"}

func healthPath(path string) bool {
	for _, root := range []string{"/healthz", "/livez", "/readyz"} {
		if path == root || strings.HasPrefix(path, root+"/") {
			return true
		}
	}
	return false
}

func (s *Server) health(w http.ResponseWriter, r *http.Request, path string) {
	root, check, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	checks := healthChecks
	if root == "readyz" {
		checks = append(append([]string(nil), healthChecks...), readyChecks...)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if check != "" {
		if !contains(checks, check) {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, "ok")
		return
	}
	if _, verbose := r.URL.Query()["verbose"]; !verbose {
		_, _ = io.WriteString(w, "ok")
		return
	}
	var b strings.Builder
	for _, c := range checks {
		fmt.Fprintf(&b, "[+]%s ok\n", c)
	}
	fmt.Fprintf(&b, "%s check passed\n", root)
	_, _ = io.WriteString(w, b.String())
}
