// Package manifest holds the field types a scenario manifest is written
// in that more than one domain reads: labs (a lab's time limit) and
// scoring (an objective's time bonus) both take durations like "90m".
// It imports nothing of the range, so either may use it.
package manifest

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"
)

// Duration is a time.Duration written as "90m" in YAML.
type Duration time.Duration

// UnmarshalYAML reads a duration such as 90m or 1h30m.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration like 90m", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}
