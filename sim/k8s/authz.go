package k8s

import (
	"fmt"
	"io"
	"net/http"
	"strings"
)

// The lab's authorizer is RBAC as far as the misconfiguration needs: an
// authenticated user with a token may do everything, and the anonymous
// user may do everything while some ClusterRoleBinding names it (or the
// system:unauthenticated group), and nothing but read the server's
// version and health once none does. Deleting that binding is one of the
// two fixes a trainee has; the other is turning anonymous authentication
// off, which answers 401 instead of 403.

const anonymousUser = "system:anonymous"

// publicPaths are what system:public-info-viewer lets anyone read.
var publicPaths = map[string]bool{"/version": true, "/healthz": true, "/livez": true, "/readyz": true}

// infoOnlyRoles are the default roles that grant only the server's
// version, health and discovery, which system:public-info-viewer binds
// for everyone, the unauthenticated included.
var infoOnlyRoles = map[string]bool{"system:public-info-viewer": true, "system:discovery": true, "system:basic-user": true}

// anonymousBound reports whether a ClusterRoleBinding grants the anonymous
// user a role; s.mu is held.
func (s *Server) anonymousBound() bool {
	for _, b := range s.objects["clusterrolebindings"] {
		if role, _ := b["roleRef"].(map[string]any); infoOnlyRoles[fmt.Sprint(role["name"])] {
			continue // grants what anyone may read anyway
		}
		for _, subj := range list(b["subjects"]) {
			m, _ := subj.(map[string]any)
			if (m["kind"] == "User" && m["name"] == anonymousUser) || (m["kind"] == "Group" && m["name"] == "system:unauthenticated") {
				return true
			}
		}
	}
	return false
}

// authorize says whether u may make the request, and writes the refusal
// a real API server gives when not.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, u user, req request, isResource bool) bool {
	if u.Username != anonymousUser || publicPaths[strings.TrimSuffix(r.URL.Path, "/")] {
		return true
	}
	s.mu.Lock()
	bound := s.anonymousBound()
	s.mu.Unlock()
	if bound {
		return true
	}
	var msg string
	if isResource && req.resource != "" {
		resource := req.resource
		if req.sub != "" {
			resource += "/" + req.sub
		}
		msg = fmt.Sprintf("%s is forbidden: User %q cannot %s resource %q in API group %q", resource, anonymousUser, verbOf(r, req), resource, req.group)
		if req.namespace != "" {
			msg += fmt.Sprintf(" in the namespace %q", req.namespace)
		} else {
			msg += " at the cluster scope"
		}
	} else {
		msg = fmt.Sprintf("forbidden: User %q cannot %s path %q", anonymousUser, strings.ToLower(r.Method), r.URL.Path)
	}
	writeStatus(w, http.StatusForbidden, "Forbidden", msg, nil)
	return false
}

// whoami answers a SelfSubjectReview (kubectl auth whoami): the server
// says who it took the caller for. The review's body is empty and is
// not read, whatever its encoding.
func (s *Server) whoami(w http.ResponseWriter, r *http.Request, u user) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	writeJSON(w, http.StatusCreated, map[string]any{
		"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
		"metadata": map[string]any{"creationTimestamp": nil},
		"status":   map[string]any{"userInfo": map[string]any{"username": u.Username, "groups": u.Groups}},
	})
}
