package authoring

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/bundle"
)

// refused gives an uploaded bundle's refusal its code. Reading a bundle
// touches nothing but its bytes, so whatever went wrong is the bundle's:
// unsafe (bundle_refused), or holding a scenario that is not valid
// (scenario_invalid, naming how many problems there are and placing the
// first at its field, line and column).
func refused(err error) error {
	var me *labs.ManifestError
	switch {
	case errors.As(err, &me) && len(me.Problems) > 0:
		first := me.Problems[0]
		msg := "The scenario is not valid: " + first.String() + "."
		if n := len(me.Problems); n > 1 {
			msg = fmt.Sprintf("The scenario is not valid (%d problems); the first: %s.", n, first.String())
		}
		f := fault.New(fault.Invalid, "scenario_invalid", msg)
		f.Field, f.Err = first.Path, err
		return f
	case errors.Is(err, bundle.ErrBadBundle):
		why := strings.TrimPrefix(err.Error(), bundle.ErrBadBundle.Error()+": ")
		f := fault.New(fault.Invalid, "bundle_refused", "The bundle is refused: "+strings.TrimSuffix(why, ".")+".")
		f.Err = err
		return f
	default:
		f := fault.New(fault.Invalid, "scenario_invalid", "The scenario is not valid: "+err.Error()+".")
		f.Err = err
		return f
	}
}
