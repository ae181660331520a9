package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// Each command takes its settings from the configuration: a SAKIMORI_*
// variable reaches the command, and a bad value is refused with the
// setting named, before any work is done.
func TestCommandsTakeTheirSettingsFromTheConfiguration(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{name: "scenario test uses the configured lab pool", args: []string{"scenario", "test", "orientation"},
			env:  map[string]string{"SAKIMORI_LAB_POOL": "8.8.0.0/16"},
			want: []string{"lab subnet pool 8.8.0.0/16: must lie inside a private range"}},
		{name: "scenario test refuses a malformed lab pool", args: []string{"scenario", "test", "orientation"},
			env:  map[string]string{"SAKIMORI_LAB_POOL": "10.0.0.0/40"},
			want: []string{`lab-pool (SAKIMORI_LAB_POOL): "10.0.0.0/40"`}},
		{name: "scenario test refuses a malformed engine address", args: []string{"scenario", "test", "-docker-host", "engine:2375", "orientation"},
			want: []string{`docker-host: "engine:2375"`}},
		{name: "scenario test refuses a malformed provision timeout", args: []string{"scenario", "test", "orientation"},
			env:  map[string]string{"SAKIMORI_LAB_PROVISION_TIMEOUT": "soon"},
			want: []string{`lab-provision-timeout (SAKIMORI_LAB_PROVISION_TIMEOUT): "soon"`}},
		{name: "images build refuses a malformed engine address", args: []string{"images", "build"},
			env:  map[string]string{"SAKIMORI_DOCKER_HOST": "engine:2375"},
			want: []string{`docker-host (SAKIMORI_DOCKER_HOST): "engine:2375"`}},
		{name: "healthcheck refuses a URL with no scheme", args: []string{"healthcheck"},
			env:  map[string]string{"SAKIMORI_HEALTHCHECK_URL": "127.0.0.1:8080/healthz"},
			want: []string{"healthcheck-url (SAKIMORI_HEALTHCHECK_URL)"}},
		{name: "serve reports every bad setting at once", args: []string{"serve", "-lab-capacity", "0"},
			env:  map[string]string{"SAKIMORI_TERMINAL_GRACE": "forever", "SAKIMORI_READ_TIMEOUT": "0s"},
			want: []string{"lab-capacity: 0: must be at least 1", "terminal-grace (SAKIMORI_TERMINAL_GRACE)", "read-timeout (SAKIMORI_READ_TIMEOUT)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := run(context.Background(), c.args, envOf(c.env), nil, io.Discard, io.Discard)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, want := range c.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("want an error saying %q, got %v", want, err)
				}
			}
		})
	}
}
