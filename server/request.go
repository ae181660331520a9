package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/fault"
)

// decodeJSON reads the request body into v strictly: JSON only, no unknown
// fields, no trailing data. Each refusal says what was wrong and where.
func decodeJSON(c *fiber.Ctx, v any) error {
	// The media type itself, parameters (charset) aside: a prefix match
	// would take application/jsonxyz for JSON.
	if mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType)); err != nil || mt != fiber.MIMEApplicationJSON {
		return fault.New(fault.Invalid, "content_type_invalid", "Send the request body as application/json.")
	}
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyFault(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fault.New(fault.Invalid, "body_invalid", "The request body must hold exactly one JSON object.")
	}
	return nil
}

func bodyFault(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.EOF):
		return fault.New(fault.Invalid, "body_required", "The request needs a JSON body.")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return fault.New(fault.Invalid, "body_invalid", "The request body is not valid JSON.")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return fault.New(fault.Invalid, "body_invalid", "The request body must be a JSON object.")
		}
		return fault.InvalidField(field, "field_type_invalid", fmt.Sprintf("Field %q must be a %s.", field, typ.Type.String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no typed error for this one; the field name is
		// quoted at the end of its message.
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return fault.InvalidField(name, "field_unknown", fmt.Sprintf("Field %q is not accepted here.", truncated(name, 64)))
	}
	return fault.New(fault.Invalid, "body_invalid", "The request body could not be read.")
}

func truncated(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
