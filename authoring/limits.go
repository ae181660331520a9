package authoring

import (
	"fmt"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
)

// LabLimits bound what one authored scenario may ask of the range, within
// what the manifest rules allow any scenario: an operator sets them for
// the engine the range has (docs/operators.md). Zero leaves one unbounded.
type LabLimits struct {
	Hosts       int
	MemoryBytes int64   // all hosts together
	CPUs        float64 // all hosts together, in cores
}

// UseLabLimits sets the bounds every authored scenario is held to.
func (s *Service) UseLabLimits(l LabLimits) { s.labLimits = l }

func errTooLarge(message string) error {
	f := fault.New(fault.Invalid, "scenario_too_large", message)
	f.Field = "hosts"
	return f
}

// checkLimits refuses a scenario that asks for more than the range gives
// one authored scenario. Hosts that leave a limit unset count at the
// engine's default for it.
func (s *Service) checkLimits(sc *labs.Scenario) error {
	l := s.labLimits
	if l.Hosts > 0 && len(sc.Hosts) > l.Hosts {
		return errTooLarge(fmt.Sprintf("The scenario has %d hosts; this range allows an authored scenario %d.", len(sc.Hosts), l.Hosts))
	}
	memory, cpus := sc.Demand()
	if l.MemoryBytes > 0 && memory > l.MemoryBytes {
		return errTooLarge(fmt.Sprintf("The hosts ask for %d MiB of memory together (256 MiB each where unset); this range allows an authored scenario %d MiB.", memory>>20, l.MemoryBytes>>20))
	}
	if l.CPUs > 0 && cpus > l.CPUs+1e-9 {
		return errTooLarge(fmt.Sprintf("The hosts ask for %g cores together (0.5 each where unset); this range allows an authored scenario %g.", cpus, l.CPUs))
	}
	return nil
}
