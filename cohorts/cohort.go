package cohorts

import (
	"time"

	"github.com/sakimori/sakimori/fault"
)

// Cohort is a class or training run of one organisation: the unit that
// assignments, events, the live view and partner reports are scoped to.
type Cohort struct {
	ID             string
	OrganisationID string
	Name           string
	StartsAt       time.Time
	EndsAt         time.Time
	// CapacityReserve is how many labs the range holds for the class during
	// its sessions; zero holds none.
	CapacityReserve int
	// JoinCode lets a person join as a member; only the cohort's managers
	// see it, and they can rotate it, which ends the old one at once.
	JoinCode   string
	CreatedAt  time.Time
	ArchivedAt *time.Time // archived cohorts keep their records but take no one new
}

// Archived reports whether the cohort has been put away.
func (c Cohort) Archived() bool { return c.ArchivedAt != nil }

// CohortRole is a person's part in one cohort.
type CohortRole string

const (
	CohortInstructor CohortRole = "instructor"
	CohortMember     CohortRole = "member" // a trainee of the class
)

func (r CohortRole) valid() bool { return r == CohortInstructor || r == CohortMember }

// How a person came to be in a cohort, kept for the roster's history.
const (
	ViaAdded    = "added"     // an instructor or admin added them
	ViaJoinCode = "join_code" // they typed or followed the join code
	ViaImport   = "import"    // a roster file named them
	ViaInvite   = "invite"    // they registered with an invite a roster import made
)

// Membership is one person's place in a cohort. Removing someone stamps
// RemovedAt and keeps the row, so their work stays attributed.
type Membership struct {
	ID        string
	CohortID  string
	Person    Person
	Role      CohortRole
	Via       string
	SourcedID string // the roster's own id for the person (OneRoster sourcedId), if any
	JoinedAt  time.Time
	RemovedAt *time.Time
}

// Invitation is a roster row for someone with no account yet: an invite was
// made for their email, and when they register with it they join the cohort.
type Invitation struct {
	ID         string
	CohortID   string
	InviteID   string
	Email      string
	GivenName  string
	FamilyName string
	SourcedID  string
	CreatedAt  time.Time
	AcceptedAt *time.Time
}

// MaxCapacityReserve bounds a class's held labs, so one cohort cannot hold
// the range.
const MaxCapacityReserve = 1000

// CohortFields are the fields a manager sets on a cohort.
type CohortFields struct {
	Name            string
	StartsAt        time.Time
	EndsAt          time.Time
	CapacityReserve int
}

func (f CohortFields) clean() (CohortFields, error) {
	name, err := cleanName(f.Name)
	if err != nil {
		return f, err
	}
	f.Name = name
	if f.StartsAt.IsZero() {
		return f, fault.InvalidField("starts_at", "starts_at_required", "Give the date the cohort starts.")
	}
	if f.EndsAt.IsZero() {
		return f, fault.InvalidField("ends_at", "ends_at_required", "Give the date the cohort ends.")
	}
	if !f.EndsAt.After(f.StartsAt) {
		return f, fault.InvalidField("ends_at", "ends_before_start", "A cohort must end after it starts.")
	}
	if f.CapacityReserve < 0 || f.CapacityReserve > MaxCapacityReserve {
		return f, fault.InvalidField("capacity_reserve", "capacity_reserve_invalid", "Hold between 0 and 1000 labs for a cohort.")
	}
	f.StartsAt, f.EndsAt = f.StartsAt.UTC(), f.EndsAt.UTC()
	return f, nil
}
