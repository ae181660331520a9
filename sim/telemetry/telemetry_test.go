package telemetry

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

type event struct {
	EventName string         `json:"eventName"`
	Detail    map[string]any `json:"detail,omitempty"`
}

// What the writer prints is what grading reads: one JSON object a line,
// decoded by field name, newlines inside values escaped.
func TestWriterPrintsOneObjectALine(t *testing.T) {
	var buf bytes.Buffer
	events := []event{{EventName: "GetObject"}, {EventName: "two\nlines", Detail: map[string]any{"k": "v"}}}
	if err := WriteAll(&buf, events); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&buf)
	var got []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q is not an object: %v", sc.Text(), err)
		}
		got = append(got, m)
	}
	if len(got) != 2 || got[0]["eventName"] != "GetObject" || got[1]["eventName"] != "two\nlines" {
		t.Fatalf("read back %v", got)
	}
}

func TestWriterRefusesWhatIsNotAnObject(t *testing.T) {
	for _, bad := range []any{"text", []int{1}, nil, func() {}} {
		var buf bytes.Buffer
		err := NewWriter(&buf).Write(bad)
		if err == nil || !strings.Contains(err.Error(), "telemetry:") {
			t.Errorf("%T: want a clear error, got %v", bad, err)
		}
		if buf.Len() != 0 {
			t.Errorf("%T: wrote %q", bad, buf.String())
		}
	}
}
