package idp

import (
	"maps"
	"time"

	"github.com/google/uuid"
)

// Event is one System Log event with Okta's field names, so a query or a
// detection written against the lab reads a real org's log the same way.
type Event struct {
	UUID                  string                `json:"uuid"`
	Published             string                `json:"published"` // RFC 3339, milliseconds, UTC
	EventType             string                `json:"eventType"`
	Version               string                `json:"version"`
	Severity              string                `json:"severity"` // INFO, or WARN for what failed or was refused
	DisplayMessage        string                `json:"displayMessage"`
	Actor                 Actor                 `json:"actor"`
	Client                Client                `json:"client"`
	AuthenticationContext AuthenticationContext `json:"authenticationContext"`
	Outcome               Outcome               `json:"outcome"`
	Target                []Target              `json:"target"` // null when the event has none, as Okta's
	Transaction           Transaction           `json:"transaction"`
	DebugContext          DebugContext          `json:"debugContext"`
}

// Actor is who acted: a User, a PublicClientApp (an application calling
// the token endpoint), or "unknown".
type Actor struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId"`
	DisplayName string `json:"displayName"`
}

// Client is where the request came from. IPAddress is the shown address.
type Client struct {
	UserAgent UserAgent `json:"userAgent"`
	Zone      string    `json:"zone"`
	Device    string    `json:"device"`
	IPAddress string    `json:"ipAddress"`
}

// UserAgent is the raw header and what Okta reads from it.
type UserAgent struct {
	RawUserAgent string `json:"rawUserAgent"`
	OS           string `json:"os"`
	Browser      string `json:"browser"`
}

// AuthenticationContext ties an event to the session it happened in.
type AuthenticationContext struct {
	ExternalSessionID  string `json:"externalSessionId,omitempty"`
	AuthenticationStep int    `json:"authenticationStep"`
}

// Outcome is an event's result and, where there is one, why.
type Outcome struct {
	Result string `json:"result"`
	Reason string `json:"reason,omitempty"`
}

// Outcome results. Sign-on policy evaluations are ALLOW, CHALLENGE or
// DENY, as Okta's are; everything else SUCCESS or FAILURE.
const (
	ResultSuccess   = "SUCCESS"
	ResultFailure   = "FAILURE"
	ResultDeny      = "DENY"
	ResultAllow     = "ALLOW"
	ResultChallenge = "CHALLENGE"
)

// Target is what an event acted on: a User, an AppInstance, a Token.
type Target struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId"`
	DisplayName string `json:"displayName"`
}

// Transaction groups the events of one request.
type Transaction struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// DebugContext carries the request's path and what else an event notes.
type DebugContext struct {
	DebugData map[string]string `json:"debugData"`
}

// record stamps an event with its id, time and the request's client and
// keeps it.
func (s *Server) record(v *visit, e Event) { s.recordAt(v, e, s.now()) }

// recordAt keeps an event as published at a given time: the sign-ins of
// sessions a story opened before the lab started.
func (s *Server) recordAt(v *visit, e Event, at time.Time) {
	if v.platform {
		return
	}
	e.UUID = uuid.NewString()
	e.Published = at.UTC().Format("2006-01-02T15:04:05.000Z")
	e.Version = "0"
	e.Severity = "INFO"
	if e.Outcome.Result == ResultFailure || e.Outcome.Result == ResultDeny {
		e.Severity = "WARN"
	}
	// Okta writes a client outside any network zone as the string "null".
	e.Client = Client{UserAgent: parseUserAgent(v.ua), Zone: "null", Device: deviceOf(v.ua), IPAddress: v.ip}
	e.Transaction = Transaction{Type: "WEB", ID: v.txn}
	data := map[string]string{"requestUri": v.uri, "url": v.url}
	maps.Copy(data, e.DebugContext.DebugData)
	e.DebugContext.DebugData = data
	s.log.Add(e)
}

// Events returns the System Log, oldest first.
func (s *Server) Events() []Event {
	events, _ := s.log.Since(0)
	return events
}

func success() Outcome { return Outcome{Result: ResultSuccess} }

func outcome(result, reason string) Outcome { return Outcome{Result: result, Reason: reason} }

func userActor(u *User) Actor {
	return Actor{ID: u.ID, Type: "User", AlternateID: u.Login, DisplayName: u.Name}
}

// unknownActor is someone the IdP could not name: a login that is no
// user's, a token that is no one's. Okta writes what was typed.
func unknownActor(typed string) Actor {
	return Actor{ID: "unknown", Type: "User", AlternateID: orDefault(typed, "unknown"), DisplayName: "unknown"}
}

func appActor(a *App) Actor {
	return Actor{ID: a.ClientID, Type: "PublicClientApp", AlternateID: a.Name, DisplayName: a.Name}
}

func userTarget(u *User) Target {
	return Target{ID: u.ID, Type: "User", AlternateID: u.Login, DisplayName: u.Name}
}

func appTarget(a *App) Target {
	return Target{ID: a.ID, Type: "AppInstance", AlternateID: a.Name, DisplayName: a.Name}
}

// sessionEvent is an event the session's user did in it.
func sessionEvent(ss *Session, eventType, message string, o Outcome) Event {
	return Event{EventType: eventType, DisplayMessage: message, Actor: userActor(ss.User), Outcome: o,
		AuthenticationContext: AuthenticationContext{ExternalSessionID: ExternalID(ss.ID)}}
}
