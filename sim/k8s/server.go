// Package k8s emulates the subset of a Kubernetes API server the lab needs,
// faithfully enough that the real kubectl works against it: discovery,
// nodes, namespaces, pods, deployments and their replica sets, events,
// secrets, configmaps and service accounts, the controllers that make a
// deployment's pods, anonymous access that an instructor can switch off,
// and an audit log in audit.k8s.io/v1 Event lines so detection rules
// written for a real cluster match the lab's.
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

	"github.com/google/uuid"
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
	addresses map[string]string   // a lab host's address -> the address the audit log shows, or "pod:namespace/name"
	kubelets  map[string]*url.URL // "namespace/pod" or "namespace/deployment" -> the kubelet that runs its exec
	now       func() time.Time

	podIPNext  map[string]int             // node -> how many pod addresses it has handed out
	nodeImages map[string]map[string]bool // node -> the images it has pulled
	eventSeq   int
	pending    []func()          // what the controllers do about the request being served
	podSeen    map[string]string // "namespace/name" -> the pod address last shown for it
}

// New returns a server with the given admin bearer token; anonymous
// access starts on, which is the lab's misconfiguration.
func New(adminToken string) *Server {
	s := &Server{adminToken: adminToken, anonymous: true, objects: map[string]map[string]map[string]any{}, podLogs: map[string]string{},
		tokens: map[string]user{}, addresses: map[string]string{}, kubelets: map[string]*url.URL{}, now: time.Now,
		podIPNext: map[string]int{}, nodeImages: map[string]map[string]bool{}, podSeen: map[string]string{}}
	for _, ns := range builtinNamespaces {
		obj := map[string]any{"metadata": map[string]any{"name": ns}}
		prepareCreate("namespaces", obj)
		s.store("namespaces", "", obj)
	}
	for _, m := range machines {
		node := nodeObject(m, s.now())
		s.store("nodes", "", node)
		s.store("leases", "kube-node-lease", nodeLease(node))
	}
	s.storeDefaultRBAC()
	return s
}

// builtinNamespaces are the namespaces kubeadm's cluster starts with.
var builtinNamespaces = []string{"default", "kube-node-lease", "kube-public", "kube-system"}

// backdate moves what the cluster started with (its nodes and first
// namespaces) to before the oldest object of the world, so that nothing
// in it predates the cluster itself; s.mu is held.
func (s *Server) backdate() {
	oldest := s.now()
	for res, objs := range s.objects {
		for _, o := range objs {
			if t := createdAt(o); res != "nodes" && res != "events" && !t.IsZero() && t.Before(oldest) {
				oldest = t
			}
		}
	}
	born := oldest.Add(-26 * time.Minute)
	for _, ns := range builtinNamespaces {
		if o, ok := s.objects["namespaces"]["/"+ns]; ok && createdAt(o).After(born) {
			metaOf(o)["creationTimestamp"] = stamp(born)
		}
	}
	for _, res := range []string{"clusterroles", "clusterrolebindings"} {
		for _, o := range s.objects[res] {
			labels, _ := metaOf(o)["labels"].(map[string]any)
			if _, builtin := labels["kubernetes.io/bootstrapping"]; builtin && createdAt(o).After(born) {
				metaOf(o)["creationTimestamp"] = stamp(born)
			}
		}
	}
	for i, m := range machines {
		if o, ok := s.objects["nodes"]["/"+m.name]; ok && createdAt(o).After(born) {
			joined := born.Add(time.Duration(i) * 3 * time.Minute) // the workers join after kubeadm init
			metaOf(o)["creationTimestamp"] = stamp(joined)
			o["status"].(map[string]any)["conditions"] = nodeConditions(joined, joined)
			s.touch(o)
			if lease, ok := s.objects["leases"]["kube-node-lease/"+m.name]; ok {
				metaOf(lease)["creationTimestamp"] = stamp(joined)
			}
		}
	}
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
	obj = clone(obj) // numbers as JSON has them, whatever decoded the world
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
			prepareCreate(k.resource, obj)
			s.store(k.resource, ns, obj)
			s.changed(k, ns, obj, false)
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

// store fills in the server-owned fields and the API's defaults, and
// keeps obj; s.mu is held.
func (s *Server) store(resource, ns string, obj map[string]any) {
	k, _ := lookupKind(groupOf(resource), resource)
	s.rev++
	meta := metaOf(obj)
	if ns != "" {
		meta["namespace"] = ns
	}
	if _, ok := meta["uid"]; !ok {
		meta["uid"] = uuid.NewString()
	}
	if meta["creationTimestamp"] == nil {
		meta["creationTimestamp"] = stamp(s.now())
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
		// kubectl create secret sends an empty type; the server's default
		// applies to it as to a type left out.
		if t, _ := obj["type"].(string); t == "" {
			obj["type"] = "Opaque"
		}
	case "pods":
		defaultPod(obj)
		if st, _ := obj["status"].(map[string]any); st != nil && st["qosClass"] == nil {
			st["qosClass"] = qosClass(obj["spec"].(map[string]any))
		}
	case "deployments", "replicasets":
		defaultWorkload(resource, obj)
	}
	if s.objects[resource] == nil {
		s.objects[resource] = map[string]map[string]any{}
	}
	s.objects[resource][ns+"/"+meta["name"].(string)] = obj
}

// withStatus are the kinds whose status is the server's: a client's
// create or update of the object leaves it as the server has it.
var withStatus = map[string]bool{"pods": true, "deployments": true, "replicasets": true, "namespaces": true, "nodes": true}

// generational are the kinds whose metadata.generation counts changes to
// their spec, which their status's observedGeneration follows.
var generational = map[string]bool{"deployments": true, "replicasets": true}

// prepareCreate is what the API server does with a new object before it
// stores it: the status starts as the server's, not as sent, and a
// workload starts at generation 1.
func prepareCreate(resource string, obj map[string]any) {
	switch resource {
	case "pods":
		obj["status"] = map[string]any{"phase": "Pending"}
	case "namespaces":
		obj["status"] = map[string]any{"phase": "Active"}
		if _, ok := obj["spec"]; !ok {
			obj["spec"] = map[string]any{"finalizers": []any{"kubernetes"}}
		}
	case "replicasets":
		obj["status"] = map[string]any{"replicas": 0.0}
	case "deployments", "nodes":
		obj["status"] = map[string]any{}
	}
	if generational[resource] {
		metaOf(obj)["generation"] = 1.0
	}
}

// prepareUpdate keeps what a client's update of the whole object cannot
// change: its identity, the status of a kind that has one, and the
// generation, raised when the spec changed.
func prepareUpdate(resource string, obj, old map[string]any) {
	meta, oldMeta := metaOf(obj), metaOf(old)
	for _, key := range []string{"name", "uid", "creationTimestamp", "generateName"} {
		if v, ok := oldMeta[key]; ok {
			meta[key] = v
		}
	}
	if withStatus[resource] {
		obj["status"] = clone(map[string]any{"s": old["status"]})["s"]
	}
	if resource == "pods" {
		// A pod stays on the node it was bound to.
		spec, _ := obj["spec"].(map[string]any)
		oldSpec, _ := old["spec"].(map[string]any)
		if spec != nil && oldSpec["nodeName"] != nil {
			spec["nodeName"] = oldSpec["nodeName"]
		}
	}
	if generational[resource] {
		defaultWorkload(resource, obj)
		gen := intOf(oldMeta["generation"], 1)
		if jsonText(obj["spec"]) != jsonText(old["spec"]) {
			gen++
		}
		meta["generation"] = float64(gen)
	}
}

// jsonText is v as JSON, with its map keys in order: two values with the
// same text are the same.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
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
	pod      string   // the pod that uses this token, "namespace/name"
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
			return user{Username: "kubernetes-admin", Groups: []string{"system:masters", "system:authenticated"}}, true
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
	return user{Username: "system:anonymous", Groups: []string{"system:unauthenticated"}}, true
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
	s.settle()
}

// later queues what the controllers do about a request, to run once the
// request is answered and in the audit log: they act on what they see
// the API server has written, so their requests follow it; s.mu is held.
func (s *Server) later(fn func()) { s.pending = append(s.pending, fn) }

// settle runs what the controllers have queued.
func (s *Server) settle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.pending) > 0 {
		fn := s.pending[0]
		s.pending = s.pending[1:]
		fn()
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
		writeJSON(w, http.StatusOK, map[string]any{"major": "1", "minor": "32", "gitVersion": "v1.32.4",
			"gitCommit": "59526cd4867447956156ae3a602fcbac10a2c335", "gitTreeState": "clean", "buildDate": "2025-04-22T15:56:55Z",
			"goVersion": "go1.23.6", "compiler": "gc", "platform": "linux/amd64"})
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
	case path == "/api/v1" || servedGroupVersions[strings.TrimPrefix(path, "/apis/")]:
		writeJSON(w, http.StatusOK, resourceList(strings.TrimPrefix(strings.TrimPrefix(path, "/apis/"), "/api/")))
		return
	case healthPath(path):
		s.health(w, r, path)
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
	if req.group == "authentication.k8s.io" && req.version == "v1" && req.resource == "selfsubjectreviews" && req.name == "" && r.Method == http.MethodPost {
		s.whoami(w, r, u)
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
	if req.sub == "scale" && generational[req.resource] {
		s.scaleResource(w, r, k, req)
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
	switch k.resource {
	case "events":
		s.expireEvents()
	case "nodes":
		for _, n := range s.objects["nodes"] {
			s.heartbeat(n)
		}
	case "leases":
		for _, l := range s.objects["leases"] {
			s.renew(l)
		}
	}
	switch {
	case r.Method == http.MethodGet && req.name == "":
		labels, err := parseSelector(r.URL.Query().Get("labelSelector"))
		if err != nil {
			writeStatus(w, http.StatusBadRequest, "BadRequest", "unable to parse requirement: "+err.Error(), nil)
			return
		}
		fields, err := parseFieldSelector(r.URL.Query().Get("fieldSelector"))
		if err != nil {
			writeStatus(w, http.StatusBadRequest, "BadRequest", err.Error(), nil)
			return
		}
		items := []any{}
		for _, key := range sortedKeys(s.objects[k.resource]) {
			obj := s.objects[k.resource][key]
			if k.namespaced && req.namespace != "" && namespaceOf(obj) != req.namespace {
				continue
			}
			if !labels.matches(obj) || !fields.matches(obj) {
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
		prepareCreate(k.resource, obj)
		if dryRun(r) {
			writeJSON(w, http.StatusCreated, obj)
			return
		}
		s.store(k.resource, ns, obj)
		// The answer is the object as stored, before any controller has
		// acted on it: a new pod is Pending, a new deployment has no status.
		writeJSON(w, http.StatusCreated, obj)
		s.later(func() { s.changed(k, ns, obj, true) })
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
		prepareUpdate(k.resource, obj, old)
		if dryRun(r) {
			writeJSON(w, http.StatusOK, obj)
			return
		}
		s.store(k.resource, ns, obj)
		writeJSON(w, http.StatusOK, obj)
		s.later(func() { s.changed(k, ns, obj, true) })
	case r.Method == http.MethodPatch && req.name != "":
		old, ok := s.objects[k.resource][key]
		if !ok {
			notFound()
			return
		}
		obj, code, err := patched(r, old)
		if err != nil {
			refusePatch(w, code, err)
			return
		}
		prepareUpdate(k.resource, obj, old)
		if dryRun(r) {
			writeJSON(w, http.StatusOK, obj)
			return
		}
		s.store(k.resource, ns, obj)
		writeJSON(w, http.StatusOK, obj)
		s.later(func() { s.changed(k, ns, obj, true) })
	case r.Method == http.MethodDelete && req.name != "":
		obj, ok := s.objects[k.resource][key]
		if !ok {
			notFound()
			return
		}
		if k.resource == "namespaces" && (req.name == "default" || req.name == "kube-system" || req.name == "kube-public") {
			writeStatus(w, http.StatusForbidden, "Forbidden", fmt.Sprintf("namespaces %q is forbidden: this namespace may not be deleted", req.name),
				map[string]any{"name": req.name, "kind": "namespaces"})
			return
		}
		if dryRun(r) {
			writeJSON(w, http.StatusOK, obj)
			return
		}
		delete(s.objects[k.resource], key)
		writeJSON(w, http.StatusOK, obj)
		s.later(func() { s.deleted(k, ns, obj) })
	default:
		writeStatus(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "the server does not allow this method on the requested resource", nil)
	}
}

// dryRun reports a request that asks to be checked and answered but not
// kept (kubectl --dry-run=server): nothing is stored and no controller
// acts on it.
func dryRun(r *http.Request) bool { return r.URL.Query().Get("dryRun") == "All" }

// patched is old with a request's patch applied, or the status code and
// error of a patch that cannot be: merge and strategic merge patches, and
// JSON patches (RFC 6902), as kubectl patch --type sends them.
func patched(r *http.Request, old map[string]any) (map[string]any, int, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, http.StatusBadRequest, errors.New("the patch could not be read")
	}
	switch mediaType(r) {
	case "application/json-patch+json":
		var ops []map[string]any
		if err := json.Unmarshal(body, &ops); err != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("the JSON patch is not a list of operations: %v", err)
		}
		doc, err := jsonPatch(clone(old), ops)
		if err != nil {
			return nil, http.StatusUnprocessableEntity, err
		}
		obj, ok := doc.(map[string]any)
		if !ok {
			return nil, http.StatusUnprocessableEntity, errors.New("the patched document is not an object")
		}
		return obj, 0, nil
	case "application/strategic-merge-patch+json", "application/merge-patch+json":
		var patch map[string]any
		if err := json.Unmarshal(body, &patch); err != nil {
			return nil, http.StatusBadRequest, errors.New("the patch is not a JSON object")
		}
		merge := mergePatch
		if mediaType(r) == "application/strategic-merge-patch+json" {
			merge = strategicMerge
		}
		return merge(clone(old), patch).(map[string]any), 0, nil
	}
	return nil, http.StatusUnsupportedMediaType, fmt.Errorf("the server does not take %s patches here: use a JSON, merge or strategic merge patch", mediaType(r))
}

// refusePatch answers a patch that cannot apply, with the reason of its
// status code.
func refusePatch(w http.ResponseWriter, code int, err error) {
	reason := map[int]string{http.StatusBadRequest: "BadRequest", http.StatusUnprocessableEntity: "Invalid",
		http.StatusUnsupportedMediaType: "UnsupportedMediaType"}[code]
	writeStatus(w, code, reason, err.Error(), nil)
}

// changed lets the controllers, the scheduler and the kubelets follow a
// written object; s.mu is held.
func (s *Server) changed(k kind, ns string, obj map[string]any, audited bool) {
	switch k.resource {
	case "namespaces":
		s.namespaceDefaults(nameOf(obj), s.when(obj, audited), audited)
	case "deployments":
		s.rollOut(ns, obj, audited)
	case "replicasets":
		s.syncReplicaSet(obj, s.when(obj, audited), audited)
		if deploy := s.ownerOf(obj, "deployments"); deploy != nil {
			s.rollOut(ns, deploy, audited) // the deployment's count wins over an edit of its replica set
		}
	case "pods":
		if st, _ := obj["status"].(map[string]any); st["phase"] == "Pending" {
			s.schedule(obj, s.when(obj, audited), audited)
		}
	}
}

// deleted lets the garbage collector and the controllers follow a deleted
// object; s.mu is held.
func (s *Server) deleted(k kind, ns string, obj map[string]any) {
	switch k.resource {
	case "deployments":
		s.removeDeployment(ns, obj)
	case "replicasets":
		s.removeReplicaSetPods(obj)
		if deploy := s.ownerOf(obj, "deployments"); deploy != nil {
			s.rollOut(ns, deploy, true)
		}
	case "pods":
		s.stop(obj)
		if rs := s.ownerOf(obj, "replicasets"); rs != nil {
			s.syncReplicaSet(rs, s.now(), true) // a deleted pod of a replica set is replaced
		}
	case "namespaces":
		for res, objs := range s.objects {
			if kk, ok := lookupKind(groupOf(res), res); !ok || !kk.namespaced {
				continue
			}
			for key, o := range objs {
				if namespaceOf(o) == nameOf(obj) {
					delete(objs, key)
				}
			}
		}
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
