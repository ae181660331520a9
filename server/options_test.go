package server_test

import (
	"strings"
	"testing"

	"github.com/sakimori/sakimori/server"
)

// The server has no defaults of its own: a zero would silently mean "no
// limit" (fasthttp's read timeout) or a number nobody chose.
func TestNewRefusesMissingOptions(t *testing.T) {
	_, err := server.New(server.Deps{})
	if err == nil {
		t.Fatal("a server with no options was built")
	}
	for _, want := range []string{"public URL", "body limit", "read timeout", "terminal grace", "per minute", "logger"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not name %s: %v", want, err)
		}
	}
}
