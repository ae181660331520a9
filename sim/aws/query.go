package aws

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/sakimori/sakimori/sim/aws/account"
	"github.com/sakimori/sakimori/sim/aws/ec2"
	"github.com/sakimori/sakimori/sim/aws/iam"
	"github.com/sakimori/sakimori/sim/aws/sts"
)

// The query protocol (STS, IAM, EC2): form-encoded Action and parameters,
// XML answers. Each action is one handler that returns its result or an
// error; the protocol, authentication and the audit record are here.

var queryActions = map[string]map[string]account.Handler{"sts": sts.Actions, "iam": iam.Actions, "ec2": ec2.Actions}

const maxQueryBody = 1 << 20

func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxQueryBody+1))
	if err != nil || len(body) > maxQueryBody {
		writeQueryError(w, "iam", &account.APIError{Status: http.StatusRequestEntityTooLarge, Code: "RequestEntityTooLarge", Message: "The request body is too large."})
		return
	}
	params, err := url.ParseQuery(string(body))
	if err != nil {
		params = url.Values{}
	}
	for k, v := range r.URL.Query() {
		params[k] = v
	}
	q := &account.Call{Action: params.Get("Action"), Params: params, Service: serviceOf(r, params.Get("Action"))}
	c, apiErr := s.acct.Authenticate(r, body, q.Service)
	q.Caller = c
	handler := queryActions[q.Service][q.Action]
	switch {
	case apiErr != nil:
	case handler == nil:
		apiErr = &account.APIError{Status: http.StatusBadRequest, Code: "InvalidAction", Message: "The action " + q.Action + " is not valid for this web service."}
	case c.Anonymous():
		code := "MissingAuthenticationToken"
		if q.Service == "ec2" {
			code = "AuthFailure"
		}
		apiErr = &account.APIError{Status: http.StatusForbidden, Code: code, Message: "Request is missing Authentication Token"}
	}
	var result any
	if apiErr == nil {
		result, apiErr = handler(s.acct, q)
	}
	s.acct.Record(c, q.Service+".amazonaws.com", q.Action, requestParameters(params), responseElements(result), apiErr, false)
	if apiErr != nil {
		writeQueryError(w, q.Service, apiErr)
		return
	}
	writeQueryResult(w, q.Service, q.Action, result)
}

// serviceOf names the service a call is for: the signature's scope says,
// and an unsigned call is placed by its action.
func serviceOf(r *http.Request, action string) string {
	if auth := r.Header.Get("Authorization"); auth != "" {
		for _, svc := range []string{"sts", "iam", "ec2"} {
			if strings.Contains(auth, "/"+svc+"/aws4_request") {
				return svc
			}
		}
	}
	for svc, actions := range queryActions {
		if _, ok := actions[action]; ok {
			return svc
		}
	}
	return "iam"
}

const (
	iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
	ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"
)

func writeQueryResult(w http.ResponseWriter, service, action string, result any) {
	w.Header().Set("Content-Type", "text/xml")
	enc := xml.NewEncoder(w)
	requestID := account.NewRequestID()
	if service == "ec2" {
		if rid, ok := result.(interface{ SetRequestID(string) }); ok {
			rid.SetRequestID(requestID)
		}
		_ = enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Response"},
			Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ec2Namespace}}})
		return
	}
	ns := iamNamespace
	if service == "sts" {
		ns = stsNamespace
	}
	start := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ns}}}
	_ = enc.EncodeToken(start)
	if result != nil {
		_ = enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
	}
	_ = enc.EncodeElement(struct {
		RequestID string `xml:"RequestId"`
	}{requestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	_ = enc.EncodeToken(start.End())
	_ = enc.Flush()
}

func writeQueryError(w http.ResponseWriter, service string, e *account.APIError) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	if service == "ec2" {
		_ = xml.NewEncoder(w).Encode(struct {
			XMLName   xml.Name `xml:"Response"`
			Code      string   `xml:"Errors>Error>Code"`
			Message   string   `xml:"Errors>Error>Message"`
			RequestID string   `xml:"RequestID"`
		}{Code: e.Code, Message: e.Message, RequestID: account.NewRequestID()})
		return
	}
	kind := "Sender"
	if e.Status >= 500 {
		kind = "Receiver"
	}
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Type      string   `xml:"Error>Type"`
		Code      string   `xml:"Error>Code"`
		Message   string   `xml:"Error>Message"`
		RequestID string   `xml:"RequestId"`
	}{Type: kind, Code: e.Code, Message: e.Message, RequestID: account.NewRequestID()})
}

// requestParameters is what the audit record keeps of a call's input:
// everything but the protocol's own fields.
func requestParameters(p url.Values) map[string]any {
	out := map[string]any{}
	for k, v := range p {
		if k == "Action" || k == "Version" {
			continue
		}
		name := strings.ToLower(k[:1]) + k[1:]
		if len(v) == 1 {
			out[name] = v[0]
		} else {
			out[name] = v
		}
	}
	return out
}

// responseElements keeps what CloudTrail keeps of a response: for calls
// that hand out credentials, the access key id (never the secret).
func responseElements(result any) map[string]any {
	if r, ok := result.(account.Audited); ok {
		return r.AuditResponse()
	}
	return nil
}
