package manifest

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestDuration(t *testing.T) {
	var v struct {
		Within Duration `yaml:"within"`
	}
	if err := yaml.Unmarshal([]byte("within: 1h30m"), &v); err != nil || time.Duration(v.Within) != 90*time.Minute {
		t.Fatalf("1h30m: %v, %v", time.Duration(v.Within), err)
	}
	err := yaml.Unmarshal([]byte("within: soon"), &v)
	if err == nil || !strings.Contains(err.Error(), `"soon" is not a duration like 90m`) || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("soon: %v", err)
	}
}
