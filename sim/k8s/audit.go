package k8s

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

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
	RequestObject            map[string]any `json:"requestObject,omitempty"`
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

// requestBody reads the object a write sends, for the audit log, and puts
// the body back for the handler. Secrets stay at the Metadata level, as
// audit policies keep their values out of the log.
func requestBody(r *http.Request, req request) map[string]any {
	if (r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch) ||
		req.resource == "secrets" || req.sub != "" || req.group == "authorization.k8s.io" {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	var obj map[string]any
	if json.Unmarshal(b, &obj) != nil {
		return nil
	}
	return obj
}

func (s *Server) record(r *http.Request, req request, u user, code int, start time.Time, body map[string]any) {
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
	s.appendEvent(Event{
		RequestURI: r.URL.RequestURI(), Verb: verb, User: u, SourceIPs: []string{host}, UserAgent: r.UserAgent(),
		ObjectRef: ref, ResponseStatus: map[string]any{"metadata": map[string]any{}, "code": code}, RequestObject: body,
		RequestReceivedTimestamp: start.UTC().Format(time.RFC3339Nano),
	})
}

// appendEvent numbers an event and adds it to the log; s.mu is held.
func (s *Server) appendEvent(e Event) {
	e.Kind, e.APIVersion, e.Stage = "Event", "audit.k8s.io/v1", "ResponseComplete"
	e.Level = "Metadata"
	if e.RequestObject != nil {
		e.Level = "Request"
	}
	e.AuditID = fmt.Sprintf("6f1c0000-0000-4000-8000-%012d", len(s.audit)+1)
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
