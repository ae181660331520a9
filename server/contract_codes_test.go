package server_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/sakimori/sakimori/server/openapi"
)

// The codes faults are made with, anywhere in the code base, and the code
// it is made with: fault.New(fault.Kind, "code", …), fault.InvalidField(field, "code", …).
var (
	faultNew     = regexp.MustCompile(`fault\.New\(\s*fault\.(\w+),\s*"(\w+)"`)
	faultInvalid = regexp.MustCompile(`fault\.InvalidField\(\s*[^,]+,\s*"(\w+)"`)
)

// Every error code a client can receive is listed in the contract, and the
// contract lists no code that nothing sends. A new fault with a code the
// document does not name fails here, before a client meets it.
func TestEveryErrorCodeIsInTheContract(t *testing.T) {
	sent := map[string]string{} // code → where it is made
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range faultNew.FindAllStringSubmatch(string(src), -1) {
			if m[1] != "Internal" { // sent as "internal", its own code kept for the log
				sent[m[2]] = path
			}
		}
		for _, m := range faultInvalid.FindAllStringSubmatch(string(src), -1) {
			sent[m[1]] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) < 20 {
		t.Fatalf("found only %d fault codes; is the scan looking in the right place?", len(sent))
	}
	// Codes of the error handler itself, not of any fault.
	sent["internal"] = "server/errors.go"
	sent["body_too_large"] = "server/errors.go"

	// Codes made but never sent: not_found answers a path that names no
	// operation; already_recorded is storage's answer to a second record,
	// which the scoring service takes as "done" every time.
	unsent := map[string]bool{"not_found": true, "already_recorded": true}

	listed := listedCodes(t)
	for code, where := range sent {
		if !listed[code] && !unsent[code] {
			t.Errorf("code %q (made in %s) is in no response of the contract", code, where)
		}
	}
	for code := range listed {
		if _, ok := sent[code]; !ok {
			t.Errorf("the contract lists code %q, which nothing sends", code)
		}
	}
}

// listedCodes are the codes named by every x-error-codes of the document.
func listedCodes(t *testing.T) map[string]bool {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openapi.YAML())
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	add := func(ref *openapi3.ResponseRef) {
		for _, c := range errorCodes(ref) {
			listed[c] = true
		}
	}
	for _, r := range doc.Components.Responses {
		add(r)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, r := range op.Responses.Map() {
				add(r)
			}
		}
	}
	return listed
}
