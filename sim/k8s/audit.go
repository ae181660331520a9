package k8s

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sakimori/sakimori/sim/telemetry"
)

// Event is one audit.k8s.io/v1 Event with the field names of a real API
// server's audit log. The lab's audit policy is a common one: writes to
// anything but secrets at the Request level, with the object the caller
// sent, and everything else at the Metadata level.
type Event struct {
	Kind                     string         `json:"kind"`
	APIVersion               string         `json:"apiVersion"`
	Level                    string         `json:"level"`
	AuditID                  string         `json:"auditID"`
	Stage                    string         `json:"stage"`
	RequestURI               string         `json:"requestURI"`
	Verb                     string         `json:"verb"`
	User                     user           `json:"user"`
	SourceIPs                []string       `json:"sourceIPs"`
	UserAgent                string         `json:"userAgent"`
	ObjectRef                map[string]any `json:"objectRef"`
	ResponseStatus           map[string]any `json:"responseStatus"`
	RequestObject            any            `json:"requestObject,omitempty"` // an object, or a JSON patch's list of operations
	RequestReceivedTimestamp string         `json:"requestReceivedTimestamp"`
	StageTimestamp           string         `json:"stageTimestamp"`
}

func verbOf(r *http.Request, req request) string {
	switch r.Method {
	case http.MethodGet:
		if req.name == "" {
			return "list"
		}
		return "get"
	case http.MethodPost:
		return "create"
	case http.MethodPut:
		return "update"
	case http.MethodPatch:
		return "patch"
	case http.MethodDelete:
		return "delete"
	}
	return r.Method
}

// requestBody reads the object a write sends (or a JSON patch's list of
// operations), for the audit log, and puts the body back for the
// handler. Secrets stay at the Metadata level, as audit policies keep
// their values out of the log.
func requestBody(r *http.Request, req request) any {
	if (r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch) ||
		req.resource == "secrets" || (req.sub != "" && req.sub != "scale") || req.group == "authorization.k8s.io" || req.group == "authentication.k8s.io" {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	var obj any
	if json.Unmarshal(b, &obj) != nil {
		return nil
	}
	switch obj.(type) {
	case map[string]any, []any:
		return obj
	}
	return nil
}

func (s *Server) record(r *http.Request, req request, u user, code int, start time.Time, body any) {
	ref := map[string]any{"resource": req.resource, "apiVersion": req.version}
	if req.group != "" {
		ref["apiGroup"] = req.group
	}
	if req.namespace != "" {
		ref["namespace"] = req.namespace
	}
	if req.name != "" {
		ref["name"] = req.name
	}
	if req.sub != "" {
		ref["subresource"] = req.sub
	}
	verb := verbOf(r, req)
	if req.sub == "exec" {
		verb = "create" // the API server audits exec as create on pods/exec
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if shown, ok := s.addresses[host]; ok {
		host = shown
	}
	if u.pod != "" {
		host = "pod:" + u.pod
	}
	if ref, ok := strings.CutPrefix(host, "pod:"); ok {
		host = s.podAddress(ref)
	}
	s.appendEvent(Event{
		RequestURI: r.URL.RequestURI(), Verb: verb, User: u, SourceIPs: []string{host}, UserAgent: r.UserAgent(),
		ObjectRef: ref, ResponseStatus: map[string]any{"metadata": map[string]any{}, "code": code}, RequestObject: body,
		RequestReceivedTimestamp: start.UTC().Format(time.RFC3339Nano),
	})
}

// podAddress is the address of a pod ("namespace/name"), or of a
// deployment's first pod, for the audit log; once the pod is gone, the
// last one it had. s.mu is held.
func (s *Server) podAddress(ref string) string {
	ns, name, _ := strings.Cut(ref, "/")
	var candidates []map[string]any
	if p, ok := s.objects["pods"][ref]; ok {
		candidates = append(candidates, p)
	}
	for _, key := range sortedKeys(s.objects["pods"]) {
		if p := s.objects["pods"][key]; namespaceOf(p) == ns && deploymentOf(p) == name {
			candidates = append(candidates, p)
		}
	}
	for _, p := range candidates {
		if st, _ := p["status"].(map[string]any); st["podIP"] != nil {
			s.podSeen[ref] = fmt.Sprint(st["podIP"])
			break
		}
	}
	return s.podSeen[ref]
}

// appendEvent adds an event to the log; s.mu is held. Its auditID is a
// random UUID, as kube-apiserver gives each request.
func (s *Server) appendEvent(e Event) {
	e.Kind, e.APIVersion, e.Stage = "Event", "audit.k8s.io/v1", "ResponseComplete"
	e.Level = "Metadata"
	if e.RequestObject != nil {
		e.Level = "Request"
	}
	e.AuditID = uuid.NewString()
	e.StageTimestamp = s.now().UTC().Format(time.RFC3339Nano)
	if e.RequestReceivedTimestamp == "" {
		e.RequestReceivedTimestamp = e.StageTimestamp
	}
	s.audit = append(s.audit, e)
}

// WriteAudit prints the audit log in the lab's telemetry format.
func (s *Server) WriteAudit(w io.Writer) error {
	s.mu.Lock()
	events := append([]Event(nil), s.audit...)
	s.mu.Unlock()
	return telemetry.WriteAll(w, events)
}

func decodeBase64(v string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(v)
	return string(b), err
}
