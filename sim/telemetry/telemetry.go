// Package telemetry is the one event format every emulator in a lab writes
// and detection grading reads, so a new emulator (a Kubernetes API, an
// identity provider, mail, CI, endpoint telemetry) is graded the same way
// as the emulated cloud with no change to the platform.
//
// The format is JSON lines: one event a line, each event a JSON object,
// oldest first, UTF-8, nothing else on the stream. An event's fields are
// the emulated product's own (CloudTrail's names for AWS, audit.k8s.io's
// for Kubernetes), so what a trainee learns to read in the lab reads the
// same in a real system, and a detection rule written against the lab is
// a rule for the real logs. The platform decodes each line as an object
// and matches its rules on the fields by name.
//
// An emulator keeps its events in a Log and prints them with a Writer
// when the scenario's live_events command asks.
package telemetry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// ContentType is the media type of the format, for emulators that serve
// their events over HTTP.
const ContentType = "application/x-ndjson"

// Writer writes events in the format.
type Writer struct {
	w io.Writer
}

// NewWriter writes events to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write writes one event as one line. An event that is not a JSON object
// (a string, a list, null) is refused: grading reads objects only, and one
// bad line would fail the whole log.
func (w *Writer) Write(event any) error {
	line, err := json.Marshal(event)
	if err != nil {
		return fmt.Errorf("telemetry: event is not JSON: %w", err)
	}
	if !bytes.HasPrefix(line, []byte("{")) {
		return fmt.Errorf("telemetry: an event must be a JSON object, not %.20s", line)
	}
	_, err = w.w.Write(append(line, '\n'))
	return err
}

// WriteAll writes every event, in order.
func WriteAll[E any](w io.Writer, events []E) error {
	tw := NewWriter(w)
	for _, e := range events {
		if err := tw.Write(e); err != nil {
			return err
		}
	}
	return nil
}
