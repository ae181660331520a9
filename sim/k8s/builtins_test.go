package k8s

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A cluster has what kubeadm gives every cluster: the default cluster
// roles and bindings, and in every namespace (a new one too, by its
// controllers) a default service account and kube-root-ca.crt with a real
// CA certificate. The default binding for everyone grants the anonymous
// user nothing beyond the public paths.
func TestAClusterHasItsDefaults(t *testing.T) {
	srv := telemetryCluster(t)
	for _, ns := range []string{"default", "kube-system", "telemetry"} {
		if _, ok := srv.Object("serviceaccounts", ns, "default"); !ok {
			t.Errorf("%s has no default service account", ns)
		}
		cm, ok := srv.Object("configmaps", ns, "kube-root-ca.crt")
		if !ok {
			t.Fatalf("%s has no kube-root-ca.crt", ns)
		}
		block, _ := pem.Decode([]byte(cm["data"].(map[string]any)["ca.crt"].(string)))
		if block == nil {
			t.Fatalf("%s's ca.crt is not PEM", ns)
		}
		if cert, err := x509.ParseCertificate(block.Bytes); err != nil || !cert.IsCA || cert.Subject.CommonName != "kubernetes" {
			t.Fatalf("%s's ca.crt: %v", ns, err)
		}
	}
	for _, name := range []string{"cluster-admin", "view", "system:public-info-viewer"} {
		if _, ok := srv.Object("clusterroles", "", name); !ok {
			t.Errorf("no cluster role %s", name)
		}
	}
	request := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	if rec := request(http.MethodPost, "/api/v1/namespaces", `{"metadata":{"name":"fresh"}}`); rec.Code != http.StatusCreated {
		t.Fatalf("create namespace: %d %s", rec.Code, rec.Body)
	}
	if _, ok := srv.Object("serviceaccounts", "fresh", "default"); !ok {
		t.Fatal("a new namespace got no default service account")
	}
	var log strings.Builder
	_ = srv.WriteAudit(&log)
	if !strings.Contains(log.String(), "service-account-controller") || !strings.Contains(log.String(), "root-ca-cert-publisher") {
		t.Fatal("the controllers' creates in a new namespace are not in the audit log")
	}
	srv.mu.Lock()
	delete(srv.objects["clusterrolebindings"], "/anonymous-admin")
	srv.mu.Unlock()
	if rec := request(http.MethodGet, "/api/v1/pods", ""); rec.Code != http.StatusForbidden {
		t.Fatalf("anonymous list of pods with only the default bindings: %d", rec.Code)
	}
}

// --dry-run=server answers as a write would and keeps nothing; /version
// carries a real server's build fields.
func TestDryRunKeepsNothing(t *testing.T) {
	srv := telemetryCluster(t)
	req := httptest.NewRequest(http.MethodPost, "/api/v1/namespaces/default/pods?dryRun=All",
		strings.NewReader(`{"metadata":{"name":"t1"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("dry-run create: %d %s", rec.Code, rec.Body)
	}
	if _, ok := srv.Object("pods", "default", "t1"); ok {
		t.Fatal("a dry-run create was kept")
	}
	del := httptest.NewRequest(http.MethodDelete, "/api/v1/namespaces/kube-system/serviceaccounts/default?dryRun=All", nil)
	srv.ServeHTTP(httptest.NewRecorder(), del)
	if _, ok := srv.Object("serviceaccounts", "kube-system", "default"); !ok {
		t.Fatal("a dry-run delete deleted")
	}
	v := httptest.NewRecorder()
	srv.ServeHTTP(v, httptest.NewRequest(http.MethodGet, "/version", nil))
	if !strings.Contains(v.Body.String(), `"gitCommit":"59526cd`) || !strings.Contains(v.Body.String(), `"buildDate"`) {
		t.Fatalf("/version: %s", v.Body)
	}
}
