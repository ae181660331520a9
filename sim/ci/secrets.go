package ci

import (
	"encoding/json"

	"github.com/sakimori/sakimori/sim/ci/runner"
)

// MarshalJSON is a variable as GitLab's API shows it: a hidden one's
// value is null, for everyone, admins included.
func (v Variable) MarshalJSON() ([]byte, error) {
	var value any = v.Value
	if v.Hidden {
		value = nil
	}
	return json.Marshal(map[string]any{"key": v.Key, "value": value, "masked": v.Masked, "hidden": v.Hidden,
		"variable_type": "env_var", "protected": false, "raw": false, "environment_scope": "*"})
}

// setValue stores a variable's new value, sealed under the instance's
// key when it has one. A hidden variable keeps only its sealed form:
// nothing in the CI can show it again.
func (s *Server) setValue(v *Variable, value string) error {
	v.Value = value
	if s.dbKeyBase == "" {
		return nil
	}
	sealed, err := runner.Seal(s.dbKeyBase, value)
	if err != nil {
		return err
	}
	v.sealed = sealed
	if v.Hidden {
		v.Value = ""
	}
	return nil
}

// forRunner is the variable as a job gets it: a hidden one sealed, for
// the runner to open with its own copy of the key.
func (v *Variable) forRunner() runner.Variable {
	if v.Hidden {
		sealed := v.sealed
		return runner.Variable{Key: v.Key, Masked: v.Masked, Sealed: &sealed}
	}
	return runner.Variable{Key: v.Key, Value: v.Value, Masked: v.Masked}
}
