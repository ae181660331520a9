// Package fault is the one error type the range's domains return when a
// request cannot be served. It carries what a client may see (a stable
// machine-readable code and a plain message) apart from the cause, which is
// only ever logged. The web layer maps each Kind to one HTTP status in one
// place, so domains never think in status codes.
package fault

import (
	"errors"
	"fmt"
)

// Kind says what sort of refusal an error is; each maps to one HTTP status.
type Kind int

const (
	// Internal is a failure the client cannot fix; its message is never shown.
	Internal Kind = iota
	Invalid
	Unauthenticated
	Forbidden
	NotFound
	Conflict
	RateLimited
	Unavailable
	Capacity
)

// Error is a refusal with a code and message safe to show to the client.
type Error struct {
	Kind    Kind
	Code    string // stable, snake_case, e.g. "email_taken"
	Message string // one sentence for a person
	Field   string // the input field at fault, if any (JSON name or path)
	Err     error  // the cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is match two fault errors with the same code, so callers
// and tests can compare against sentinel values.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code && t.Kind == e.Kind
}

// New makes a fault of the given kind.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// InvalidField makes an Invalid fault naming the field at fault.
func InvalidField(field, code, message string) *Error {
	return &Error{Kind: Invalid, Code: code, Message: message, Field: field}
}

// Wrap attaches a cause to a copy of f, keeping f's client-facing parts.
func Wrap(f *Error, cause error) *Error {
	c := *f
	c.Err = cause
	return &c
}

// As returns the fault in err's chain, if there is one.
func As(err error) (*Error, bool) {
	var f *Error
	if errors.As(err, &f) {
		return f, true
	}
	return nil, false
}
