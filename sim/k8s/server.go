// Package k8s emulates the subset of a Kubernetes API server the lab needs,
// faithfully enough that the real kubectl works against it: discovery,
// namespaces, pods, deployments, secrets, configmaps and service accounts,
// anonymous access that an instructor can switch off, and an audit log in
// audit.k8s.io/v1 Event lines so detection rules written for a real
// cluster match the lab's.
package k8s

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is the emulated API server. It is an http.Handler.
type Server struct {
	adminToken string

	mu        sync.Mutex
	anonymous bool
	rev       int
	objects   map[string]map[string]map[string]any // resource -> namespace/name -> object
	audit     []Event
	podLogs   map[string]string
	tokens    map[string]user     // bearer token -> who it is, besides the admin's
	addresses map[string]string   // a lab host's address -> the address the audit log shows
	kubelets  map[string]*url.URL // "namespace/pod" or "namespace/deployment" -> the kubelet that runs its exec
	now       func() time.Time
}

// New returns a server with the given admin bearer token; anonymous
// access starts on, which is the lab's misconfiguration.
func New(adminToken string) *Server {
	s := &Server{adminToken: adminToken, anonymous: true, objects: map[string]map[string]map[string]any{}, podLogs: map[string]string{},
		tokens: map[string]user{}, addresses: map[string]string{}, kubelets: map[string]*url.URL{}, now: time.Now}
	for _, ns := range []string{"default", "kube-system"} {
		s.store("namespaces", "", map[string]any{"metadata": map[string]any{"name": ns}})
	}
	return s
}

// SetAnonymous switches anonymous access: off, requests with no
// credentials are refused with 401 as a hardened cluster does.
func (s *Server) SetAnonymous(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.anonymous = on
}

// Seed stores an object as if an administrator had created it, without
// an audit event.
func (s *Server) Seed(obj map[string]any) error {
	apiVersion, _ := obj["apiVersion"].(string)
	kindName, _ := obj["kind"].(string)
	for _, k := range kinds {
		if k.apiVersion() == apiVersion && k.kind == kindName {
			ns := ""
			if k.namespaced {
				ns = namespaceOf(obj)
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			s.store(k.resource, ns, obj)
			if k.resource == "deployments" {
				s.rollOut(ns, obj, false)
			}
			return nil
		}
	}
	return fmt.Errorf("k8s: unknown kind %s %s", apiVersion, kindName)
}

func namespaceOf(obj map[string]any) string {
	meta, _ := obj["metadata"].(map[string]any)
	if ns, _ := meta["namespace"].(string); ns != "" {
		return ns
	}
	return "default"
}

// store fills in the server-owned fields and keeps obj. Callers hold mu.
func (s *Server) store(resource, ns string, obj map[string]any) {
	k, _ := lookupKind(groupOf(resource), resource)
	s.rev++
	meta, _ := obj["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		obj["metadata"] = meta
	}
	if ns != "" {
		meta["namespace"] = ns
	}
	if _, ok := meta["uid"]; !ok {
		meta["uid"] = fmt.Sprintf("00000000-0000-4000-8000-%012d", s.rev)
	}
	if _, ok := meta["creationTimestamp"]; !ok {
		meta["creationTimestamp"] = s.now().UTC().Format(time.RFC3339)
	}
	meta["resourceVersion"] = strconv.Itoa(s.rev)
	obj["apiVersion"], obj["kind"] = k.apiVersion(), k.kind
	switch resource {
	case "secrets":
		// stringData is write-only: the server folds it into data, base64.
		if sd, ok := obj["stringData"].(map[string]any); ok {
			data, _ := obj["data"].(map[string]any)
			if data == nil {
				data = map[string]any{}
			}
			for k, v := range sd {
				data[k] = base64.StdEncoding.EncodeToString([]byte(fmt.Sprint(v)))
			}
			obj["data"] = data
			delete(obj, "stringData")
		}
		if _, ok := obj["type"]; !ok {
			obj["type"] = "Opaque"
		}
	case "pods":
		obj["status"] = map[string]any{"phase": "Running", "podIP": "10.244.0." + strconv.Itoa(10+s.rev%200)}
	case "namespaces":
		obj["status"] = map[string]any{"phase": "Active"}
	case "deployments":
		spec, _ := obj["spec"].(map[string]any)
		replicas := 1.0
		if r, ok := spec["replicas"].(float64); ok {
			replicas = r
		}
		obj["status"] = map[string]any{"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas, "updatedReplicas": replicas}
	}
	if s.objects[resource] == nil {
		s.objects[resource] = map[string]map[string]any{}
	}
	s.objects[resource][ns+"/"+meta["name"].(string)] = obj
}

func groupOf(resource string) string {
	for _, k := range kinds {
		if k.resource == resource {
			return k.group
		}
	}
	return ""
}

// Object returns a copy of a stored object, for the lab's checks.
func (s *Server) Object(resource, ns, name string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	obj, ok := s.objects[resource][ns+"/"+name]
	if !ok {
		return nil, false
	}
	return clone(obj), true
}

func clone(obj map[string]any) map[string]any {
	b, _ := json.Marshal(obj)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// request is one API request, parsed from its path.
type request struct {
	group, version, resource, namespace, name, sub string
}

// parse reads /api/v1/... and /apis/G/V/... paths.
func parse(path string) (request, bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var r request
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		r.version, parts = parts[1], parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		r.group, r.version, parts = parts[1], parts[2], parts[3:]
	default:
		return r, false
	}
	if len(parts) >= 3 && parts[0] == "namespaces" {
		r.namespace, parts = parts[1], parts[2:]
	}
	switch len(parts) {
	case 1:
		r.resource = parts[0]
	case 2:
		r.resource, r.name = parts[0], parts[1]
	case 3:
		r.resource, r.name, r.sub = parts[0], parts[1], parts[2]
	default:
		return r, false
	}
	return r, true
}

type user struct {
	Username string   `json:"username"`
	Groups   []string `json:"groups"`
}

func (u user) in(group string) bool {
	for _, g := range u.Groups {
		if g == group {
			return true
		}
	}
	return false
}

// authenticate names the caller, or returns false when it must get 401.
func (s *Server) authenticate(r *http.Request) (user, bool) {
	auth := r.Header.Get("Authorization")
	if auth != "" {
		if s.adminToken != "" && auth == "Bearer "+s.adminToken {
			return user{"kubernetes-admin", []string{"system:masters", "system:authenticated"}}, true
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if u, ok := s.tokens[strings.TrimPrefix(auth, "Bearer ")]; ok && strings.HasPrefix(auth, "Bearer ") {
			return u, true
		}
		return user{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.anonymous {
		return user{}, false
	}
	return user{"system:anonymous", []string{"system:unauthenticated"}}, true
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.serve(w, r, true) }

// ServeUnaudited serves a request as ServeHTTP does but leaves it out of
// the audit log: the lab's state checks use it, so that repeating the
// attack to see it fail never puts the platform in the trainee's evidence.
func (s *Server) ServeUnaudited(w http.ResponseWriter, r *http.Request) { s.serve(w, r, false) }

func (s *Server) serve(w http.ResponseWriter, r *http.Request, audited bool) {
	u, ok := s.authenticate(r)
	if !ok {
		// A real API server audits nothing it could not authenticate at
		// the Metadata level either; the 401 body is its Status.
		writeStatus(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized", nil)
		return
	}
	rec := &recorder{ResponseWriter: w, code: http.StatusOK}
	req, isResource := parse(r.URL.Path)
	start := s.now()
	body := requestBody(r, req)
	if s.authorize(rec, r, u, req, isResource) {
		s.route(rec, r, req, isResource, u)
	}
	if audited && isResource && req.resource != "" {
		s.record(r, req, u, rec.code, start, body)
	}
}

type recorder struct {
	http.ResponseWriter
	code int
}

func (r *recorder) WriteHeader(code int) { r.code = code; r.ResponseWriter.WriteHeader(code) }

// Hijack lets exec upgrade the connection through the recorder.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	r.code = http.StatusSwitchingProtocols
	return http.NewResponseController(r.ResponseWriter).Hijack()
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, req request, isResource bool, u user) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case path == "/version":
		writeJSON(w, http.StatusOK, map[string]any{"major": "1", "minor": "32", "gitVersion": "v1.32.4", "platform": "linux/amd64", "goVersion": "go1.23"})
		return
	case path == "/openapi/v3":
		writeJSON(w, http.StatusOK, openAPIRoot())
		return
	case strings.HasPrefix(path, "/openapi/v3/"):
		gv, _ := openAPIPath(path)
		if doc, ok := openAPIDoc(gv); ok {
			writeJSON(w, http.StatusOK, doc)
			return
		}
	case path == "/logs/audit.log":
		// kube-apiserver's logs handler serves the node's /var/log to
		// cluster admins; the lab's audit log is the file there.
		if !u.in("system:masters") && u.Username != anonymousUser {
			writeStatus(w, http.StatusForbidden, "Forbidden", fmt.Sprintf("forbidden: User %q cannot get path %q", u.Username, path), nil)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_ = s.WriteAudit(w)
		return
	case path == "/api":
		writeJSON(w, http.StatusOK, map[string]any{"kind": "APIVersions", "versions": []string{"v1"}, "serverAddressByClientCIDRs": []any{map[string]any{"clientCIDR": "0.0.0.0/0", "serverAddress": r.Host}}})
		return
	case path == "/apis":
		writeJSON(w, http.StatusOK, groupList())
		return
	case path == "/api/v1" || path == "/apis/apps/v1" || path == "/apis/authorization.k8s.io/v1" || path == "/apis/rbac.authorization.k8s.io/v1":
		writeJSON(w, http.StatusOK, resourceList(strings.TrimPrefix(strings.TrimPrefix(path, "/apis/"), "/api/")))
		return
	}
	if !isResource {
		writeStatus(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource", nil)
		return
	}
	if req.group == "authorization.k8s.io" && (req.resource == "selfsubjectaccessreviews" || req.resource == "selfsubjectrulesreviews") && r.Method == http.MethodPost {
		s.accessReview(w, r, u, req.resource == "selfsubjectrulesreviews")
		return
	}
	if req.resource == "namespaces" && req.namespace != "" && req.name == "" {
		// /api/v1/namespaces/NAME/... was parsed as a namespaced path with
		// no resource; the namespace object itself is /api/v1/namespaces/NAME.
		req.resource, req.name, req.namespace = "namespaces", req.namespace, ""
	}
	k, ok := lookupKind(req.group, req.resource)
	if !ok || k.version != req.version {
		writeStatus(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource", nil)
		return
	}
	if req.sub == "exec" && req.resource == "pods" {
		s.exec(w, r, req)
		return
	}
	if req.sub == "log" && req.resource == "pods" && r.Method == http.MethodGet {
		s.logs(w, req)
		return
	}
	if req.sub != "" {
		writeStatus(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource", nil)
		return
	}
	s.crud(w, r, k, req)
}

func (s *Server) crud(w http.ResponseWriter, r *http.Request, k kind, req request) {
	ns := req.namespace
	if !k.namespaced {
		ns = ""
	}
	key := ns + "/" + req.name
	s.mu.Lock()
	defer s.mu.Unlock()
	notFound := func() {
		writeStatus(w, http.StatusNotFound, "NotFound", fmt.Sprintf("%s %q not found", k.resource+k.groupSuffix(), req.name),
			map[string]any{"name": req.name, "group": k.group, "kind": k.resource})
	}
	switch {
	case r.Method == http.MethodGet && req.name == "":
		items := []any{}
		for _, key := range sortedKeys(s.objects[k.resource]) {
			obj := s.objects[k.resource][key]
			if k.namespaced && req.namespace != "" && namespaceOf(obj) != req.namespace {
				continue
			}
			if !labelsMatch(obj, r.URL.Query().Get("labelSelector")) {
				continue
			}
			items = append(items, obj)
		}
		if wantsTable(r) {
			writeJSON(w, http.StatusOK, s.table(k, items))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"kind": k.kind + "List", "apiVersion": k.apiVersion(), "metadata": map[string]any{"resourceVersion": strconv.Itoa(s.rev)}, "items": items})
	case r.Method == http.MethodGet:
		obj, ok := s.objects[k.resource][key]
		if !ok {
			notFound()
			return
		}
		if wantsTable(r) {
			writeJSON(w, http.StatusOK, s.table(k, []any{obj}))
			return
		}
		writeJSON(w, http.StatusOK, obj)
	case r.Method == http.MethodPost && req.name == "":
		obj, err := decodeObject(r)
		if err != nil {
			badBody(w, err)
			return
		}
		name, _ := obj["metadata"].(map[string]any)["name"].(string)
		if name == "" {
			writeStatus(w, http.StatusUnprocessableEntity, "Invalid", k.kind+" is invalid: metadata.name: Required value: name or generateName is required", nil)
			return
		}
		if _, exists := s.objects[k.resource][ns+"/"+name]; exists {
			writeStatus(w, http.StatusConflict, "AlreadyExists", fmt.Sprintf("%s %q already exists", k.resource+k.groupSuffix(), name),
				map[string]any{"name": name, "group": k.group, "kind": k.resource})
			return
		}
		if k.namespaced {
			if _, ok := s.objects["namespaces"]["/"+ns]; !ok {
				writeStatus(w, http.StatusNotFound, "NotFound", fmt.Sprintf("namespaces %q not found", ns), map[string]any{"name": ns, "kind": "namespaces"})
				return
			}
		}
		s.store(k.resource, ns, obj)
		writeJSON(w, http.StatusCreated, obj)
		s.changed(k, ns, obj)
	case r.Method == http.MethodPut && req.name != "":
		obj, err := decodeObject(r)
		if err != nil {
			badBody(w, err)
			return
		}
		old, ok := s.objects[k.resource][key]
		if !ok {
			notFound()
			return
		}
		keepIdentity(obj, old)
		s.store(k.resource, ns, obj)
		writeJSON(w, http.StatusOK, obj)
		s.changed(k, ns, obj)
	case r.Method == http.MethodPatch && req.name != "":
		old, ok := s.objects[k.resource][key]
		if !ok {
			notFound()
			return
		}
		merge := mergePatch
		switch mediaType(r) {
		case "application/strategic-merge-patch+json":
			merge = strategicMerge
		case "application/merge-patch+json":
		default:
			writeStatus(w, http.StatusUnsupportedMediaType, "UnsupportedMediaType",
				fmt.Sprintf("the server does not take %s patches here: use a merge or strategic merge patch", mediaType(r)), nil)
			return
		}
		var patch map[string]any
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&patch); err != nil {
			writeStatus(w, http.StatusBadRequest, "BadRequest", "the patch is not a JSON object", nil)
			return
		}
		obj := merge(clone(old), patch).(map[string]any)
		keepIdentity(obj, old)
		s.store(k.resource, ns, obj)
		writeJSON(w, http.StatusOK, obj)
		s.changed(k, ns, obj)
	case r.Method == http.MethodDelete && req.name != "":
		obj, ok := s.objects[k.resource][key]
		if !ok {
			notFound()
			return
		}
		delete(s.objects[k.resource], key)
		if k.resource == "deployments" {
			s.removeDeployment(ns, req.name)
		}
		if k.resource == "namespaces" {
			for res, objs := range s.objects {
				for key, o := range objs {
					if res != "namespaces" && namespaceOf(o) == req.name {
						delete(objs, key)
					}
				}
			}
		}
		writeJSON(w, http.StatusOK, obj)
	default:
		writeStatus(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "the server does not allow this method on the requested resource", nil)
	}
}

// changed lets the controllers follow a written object; s.mu is held.
func (s *Server) changed(k kind, ns string, obj map[string]any) {
	if k.resource == "deployments" {
		s.rollOut(ns, obj, true)
	}
}

// badBody refuses a body the server cannot read: 415 for an encoding it
// does not read, 400 for anything else.
func badBody(w http.ResponseWriter, err error) {
	var unsupported errUnsupportedProtobuf
	if errors.As(err, &unsupported) {
		writeStatus(w, http.StatusUnsupportedMediaType, "UnsupportedMediaType", err.Error(), nil)
		return
	}
	writeStatus(w, http.StatusBadRequest, "BadRequest", err.Error(), nil)
}

func mediaType(r *http.Request) string {
	t, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	return strings.TrimSpace(t)
}

func (k kind) groupSuffix() string {
	if k.group == "" {
		return ""
	}
	return "." + k.group
}

// keepIdentity keeps the server-owned identity of an updated object.
func keepIdentity(obj, old map[string]any) {
	meta, _ := obj["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		obj["metadata"] = meta
	}
	oldMeta := old["metadata"].(map[string]any)
	meta["name"], meta["uid"], meta["creationTimestamp"] = oldMeta["name"], oldMeta["uid"], oldMeta["creationTimestamp"]
}

func decodeObject(r *http.Request) (map[string]any, error) {
	obj, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if _, ok := obj["metadata"].(map[string]any); !ok {
		obj["metadata"] = map[string]any{}
	}
	// The server, not the client, says who an object is and when it was made.
	delete(obj["metadata"].(map[string]any), "uid")
	delete(obj["metadata"].(map[string]any), "creationTimestamp")
	return obj, nil
}

func (s *Server) accessReview(w http.ResponseWriter, r *http.Request, u user, rules bool) {
	var obj map[string]any
	if r.Header.Get("Content-Type") == "application/vnd.kubernetes.protobuf" {
		// kubectl sends reviews as protobuf. Every caller is allowed
		// everything here, so the review's spec need not be read: only
		// the envelope is checked, and the answer is JSON, which kubectl
		// also accepts.
		head := make([]byte, 4)
		if _, err := io.ReadFull(r.Body, head); err != nil || string(head) != "k8s\x00" {
			writeStatus(w, http.StatusBadRequest, "BadRequest", "the body is not a Kubernetes protobuf object", nil)
			return
		}
		obj = map[string]any{"metadata": map[string]any{}, "spec": map[string]any{}}
	} else {
		var err error
		if obj, err = decodeObject(r); err != nil {
			writeStatus(w, http.StatusBadRequest, "BadRequest", err.Error(), nil)
			return
		}
	}
	// Whoever got past the authorizer may do everything: the anonymous
	// user through the misconfigured binding, token holders as admins.
	reason := "RBAC: allowed by ClusterRoleBinding \"cluster-admin\" of ClusterRole \"cluster-admin\" to Group \"system:masters\""
	if u.Username == anonymousUser {
		reason = "RBAC: allowed by ClusterRoleBinding \"anonymous-admin\" of ClusterRole \"cluster-admin\" to User \"system:anonymous\""
	}
	obj["status"] = map[string]any{"allowed": true, "reason": reason}
	obj["apiVersion"], obj["kind"] = "authorization.k8s.io/v1", "SelfSubjectAccessReview"
	if rules {
		all := []string{"*"}
		obj["kind"] = "SelfSubjectRulesReview"
		obj["status"] = map[string]any{
			"resourceRules":    []any{map[string]any{"verbs": all, "apiGroups": all, "resources": all}},
			"nonResourceRules": []any{map[string]any{"verbs": all, "nonResourceURLs": all}},
			"incomplete":       false,
		}
	}
	writeJSON(w, http.StatusCreated, obj)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeStatus(w http.ResponseWriter, code int, reason, message string, details map[string]any) {
	st := map[string]any{"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{}, "status": "Failure", "message": message, "reason": reason, "code": code}
	if details != nil {
		st["details"] = details
	}
	writeJSON(w, code, st)
}

func sortedKeys(m map[string]map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// labelsMatch reads an equality-based label selector (a=b,c==d,e!=f), the
// kind kubectl sends for a deployment's pods.
func labelsMatch(obj map[string]any, selector string) bool {
	if selector == "" {
		return true
	}
	meta, _ := obj["metadata"].(map[string]any)
	labels, _ := meta["labels"].(map[string]any)
	for _, term := range strings.Split(selector, ",") {
		if k, v, ok := strings.Cut(term, "!="); ok {
			if fmt.Sprint(labels[strings.TrimSpace(k)]) == strings.TrimSpace(v) {
				return false
			}
			continue
		}
		k, v, ok := strings.Cut(strings.Replace(term, "==", "=", 1), "=")
		if !ok {
			if _, has := labels[strings.TrimSpace(term)]; !has {
				return false
			}
			continue
		}
		if got, has := labels[strings.TrimSpace(k)]; !has || fmt.Sprint(got) != strings.TrimSpace(v) {
			return false
		}
	}
	return true
}
