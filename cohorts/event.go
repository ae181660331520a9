package cohorts

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sakimori/sakimori/fault"
)

// Event is a time-boxed competition: a set of scenarios played between
// StartsAt and EndsAt, by one cohort's members, by the members of every
// cohort of one organisation, or, with neither, by everyone on the range. Only what its players score in its scenarios
// inside its window counts on its board. Its id is the stable handle
// partner integrations keep.
type Event struct {
	ID       string
	CohortID string // empty: an organisation's or a range-wide event
	// OrganisationID, set only when CohortID is not, makes the event the
	// organisation's: played by the trainees of all its cohorts and run by
	// its org admins.
	OrganisationID string
	Name           string
	Scenarios      []string // scenario ids
	StartsAt       time.Time
	EndsAt         time.Time
	// FreezeAt, when set, is when the board stops moving for players: from
	// then until the results are out they see it as it stood then, while
	// the event's managers keep seeing it live.
	FreezeAt  *time.Time
	CreatedBy string
	CreatedAt time.Time
}

// RangeWide reports whether the event is open to everyone on the range.
func (e Event) RangeWide() bool { return e.CohortID == "" && e.OrganisationID == "" }

// EventPhase is where an event stands in its window at some moment.
type EventPhase string

const (
	EventUpcoming EventPhase = "upcoming"
	EventRunning  EventPhase = "running"
	EventFrozen   EventPhase = "frozen" // running, its board frozen for players
	EventEnded    EventPhase = "ended"
)

// Phase says where the event stands at t.
func (e Event) Phase(t time.Time) EventPhase {
	switch {
	case t.Before(e.StartsAt):
		return EventUpcoming
	case !t.Before(e.EndsAt):
		return EventEnded
	case e.FreezeAt != nil && !t.Before(*e.FreezeAt):
		return EventFrozen
	}
	return EventRunning
}

// MaxEventScenarios bounds one event's set of scenarios.
const MaxEventScenarios = 50

// EventFields are what a manager sets on an event.
type EventFields struct {
	Name      string
	Scenarios []string
	StartsAt  time.Time
	EndsAt    time.Time
	FreezeAt  *time.Time
}

// The faults of events.
var (
	ErrEventNotFound = fault.New(fault.NotFound, "event_not_found", "No such event.")
	errFreezeOutside = fault.InvalidField("freeze_at", "freeze_outside_event", "A freeze falls after the event starts and no later than it ends.")
)

// clean checks the fields against the catalogue, each fault naming its field.
func (f EventFields) clean(catalogue Scenarios) (EventFields, error) {
	name, err := cleanName(f.Name)
	if err != nil {
		return f, err
	}
	f.Name = name
	if len(f.Scenarios) == 0 {
		return f, fault.InvalidField("scenarios", "scenarios_required", "Choose at least one scenario.")
	}
	if len(f.Scenarios) > MaxEventScenarios {
		return f, fault.InvalidField("scenarios", "scenarios_too_many", "An event holds at most 50 scenarios.")
	}
	for i, id := range f.Scenarios {
		field := fmt.Sprintf("scenarios[%d]", i)
		if slices.Contains(f.Scenarios[:i], id) {
			return f, fault.InvalidField(field, "scenario_repeated", "Each scenario appears once in an event.")
		}
		ok := false
		if catalogue != nil {
			_, ok = catalogue.ObjectiveTracks(strings.TrimSpace(id))
		}
		if !ok {
			return f, fault.InvalidField(field, "scenario_unknown", "The range has no scenario "+quote(id)+".")
		}
	}
	if f.StartsAt.IsZero() {
		return f, fault.InvalidField("starts_at", "starts_at_required", "Give the time the event starts.")
	}
	if f.EndsAt.IsZero() {
		return f, fault.InvalidField("ends_at", "ends_at_required", "Give the time the event ends.")
	}
	if !f.EndsAt.After(f.StartsAt) {
		return f, fault.InvalidField("ends_at", "ends_before_start", "An event must end after it starts.")
	}
	f.StartsAt, f.EndsAt = f.StartsAt.UTC(), f.EndsAt.UTC()
	if f.FreezeAt != nil {
		t := f.FreezeAt.UTC()
		if !t.After(f.StartsAt) || t.After(f.EndsAt) {
			return f, errFreezeOutside
		}
		f.FreezeAt = &t
	}
	return f, nil
}

func (e *Event) set(f EventFields) {
	e.Name, e.Scenarios, e.StartsAt, e.EndsAt, e.FreezeAt = f.Name, f.Scenarios, f.StartsAt, f.EndsAt, f.FreezeAt
}
