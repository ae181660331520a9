package k8s

import (
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/sakimori/sakimori/sim/telemetry"
)

// Event is one audit.k8s.io/v1 Event at the Metadata level, with the
// field names of a real API server's audit log.
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

func (s *Server) record(r *http.Request, req request, u user, code int, start time.Time) {
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
	s.audit = append(s.audit, Event{
		Kind: "Event", APIVersion: "audit.k8s.io/v1", Level: "Metadata",
		AuditID: fmt.Sprintf("6f1c0000-0000-4000-8000-%012d", len(s.audit)+1), Stage: "ResponseComplete",
		RequestURI: r.URL.RequestURI(), Verb: verb, User: u, SourceIPs: []string{host}, UserAgent: r.UserAgent(),
		ObjectRef: ref, ResponseStatus: map[string]any{"metadata": map[string]any{}, "code": code},
		RequestReceivedTimestamp: start.UTC().Format(time.RFC3339Nano), StageTimestamp: s.now().UTC().Format(time.RFC3339Nano),
	})
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
