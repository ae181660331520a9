package server

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/fault"
)

// problem is the body of every error response:
// {"error":{"code":"…","message":"…","field":"…","request_id":"…"}}.
type problem struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

type errorView struct {
	Error problem `json:"error"`
}

var statusOf = map[fault.Kind]int{
	fault.Internal:        http.StatusInternalServerError,
	fault.Invalid:         http.StatusBadRequest,
	fault.Unauthenticated: http.StatusUnauthorized,
	fault.Forbidden:       http.StatusForbidden,
	fault.NotFound:        http.StatusNotFound,
	fault.Conflict:        http.StatusConflict,
	fault.RateLimited:     http.StatusTooManyRequests,
	fault.Unavailable:     http.StatusServiceUnavailable,
	fault.Capacity:        http.StatusServiceUnavailable,
}

// Codes for Fiber's own errors (routing, body limits, malformed requests).
var codeOfStatus = map[int]string{
	http.StatusBadRequest:                  "bad_request",
	http.StatusNotFound:                    "not_found",
	http.StatusMethodNotAllowed:            "method_not_allowed",
	http.StatusRequestTimeout:              "request_timeout",
	http.StatusRequestEntityTooLarge:       "body_too_large",
	http.StatusRequestHeaderFieldsTooLarge: "headers_too_large",
	http.StatusUnsupportedMediaType:        "unsupported_media_type",
	http.StatusTooManyRequests:             "rate_limited",
}

// errorHandler is the one place errors become HTTP responses. Faults carry
// their own code and message; Fiber errors get a code by status; anything
// else is a 500 whose cause goes to the log, never to the client. The
// message is in the reader's language (see language.go); the code is not.
func errorHandler(log *slog.Logger, people *accounts.Service) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		status, body := describe(err)
		body.Message = inLanguage(readerLanguage(c, people), body)
		body.RequestID = requestIDOf(c)
		if status >= 500 {
			log.Error("request failed", "request_id", body.RequestID, "method", c.Method(),
				"path", loggedPath(c.Path()), "status", status, "err", err)
		}
		return c.Status(status).JSON(errorView{Error: body})
	}
}

func describe(err error) (int, problem) {
	if f, ok := fault.As(err); ok {
		status := statusOf[f.Kind]
		if f.Kind == fault.Internal {
			return status, problem{Code: "internal", Message: "Something went wrong on our side; it has been logged."}
		}
		return status, problem{Code: f.Code, Message: f.Message, Field: f.Field}
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code, ok := codeOfStatus[fe.Code]
		if !ok {
			code = "http_" + strconv.Itoa(fe.Code)
		}
		return fe.Code, problem{Code: code, Message: messageFor(fe)}
	}
	return http.StatusInternalServerError, problem{Code: "internal", Message: "Something went wrong on our side; it has been logged."}
}

func messageFor(fe *fiber.Error) string {
	switch fe.Code {
	case http.StatusRequestEntityTooLarge:
		return "The request body is larger than the server accepts."
	case http.StatusNotFound:
		return "There is nothing at this address."
	case http.StatusMethodNotAllowed:
		return "This address does not accept that method."
	}
	return fe.Message
}

func apiNotFound(c *fiber.Ctx) error {
	return fault.New(fault.NotFound, "not_found", "There is no API endpoint at "+c.Method()+" "+c.Path()+".")
}
