package cohorts

import (
	"context"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/fault"
)

// Store is what cohorts needs from storage. Implementations return the
// faults below for the cases named, and wrap anything else as Internal.
// Lists of members and cohorts come in a stable order (joined, then id).
type Store interface {
	// InTx runs fn with a Store whose calls share one transaction, committed
	// if fn returns nil and rolled back otherwise.
	InTx(ctx context.Context, fn func(Store) error) error

	CreateOrganisation(ctx context.Context, o Organisation) error      // ErrSlugTaken
	Organisation(ctx context.Context, id string) (Organisation, error) // ErrOrganisationNotFound
	// Organisations lists every organisation, or with memberID set only
	// those the person is an active member of.
	Organisations(ctx context.Context, memberID string) ([]Organisation, error)

	// PutOrgMember adds the person to the organisation, or changes the role
	// of their active membership.
	PutOrgMember(ctx context.Context, m OrgMembership) (OrgMembership, error)
	// RemoveOrgMember stamps the active membership removed; false if none.
	RemoveOrgMember(ctx context.Context, orgID, userID string, at time.Time) (bool, error)
	OrgMembers(ctx context.Context, orgID string) ([]OrgMembership, error) // active only
	// OrgRole is the person's active role in the organisation; ok is false
	// if they have none.
	OrgRole(ctx context.Context, orgID, userID string) (role OrgRole, ok bool, err error)

	CreateCohort(ctx context.Context, c Cohort) error                  // ErrJoinCodeTaken
	Cohort(ctx context.Context, id string) (Cohort, error)             // ErrCohortNotFound
	CohortByJoinCode(ctx context.Context, code string) (Cohort, error) // ErrJoinCodeUnknown
	UpdateCohort(ctx context.Context, c Cohort) error                  // every settable field, join code and archive stamp included; ErrJoinCodeTaken
	// Cohorts lists cohorts by a filter; see CohortFilter.
	Cohorts(ctx context.Context, f CohortFilter) ([]Cohort, error)

	// AddMembers stores new memberships; a person already active in the
	// cohort fails the whole call with ErrAlreadyMember.
	AddMembers(ctx context.Context, ms []Membership) error
	RemoveMember(ctx context.Context, cohortID, userID string, at time.Time) (bool, error)
	Members(ctx context.Context, cohortID string) ([]Membership, error) // active only
	// MemberHistory is every membership row of the cohort, removed ones
	// included: who was in the class when, for reports.
	MemberHistory(ctx context.Context, cohortID string) ([]Membership, error)
	// CohortRole is the person's active role in the cohort; ok is false if
	// they have none.
	CohortRole(ctx context.Context, cohortID, userID string) (role CohortRole, ok bool, err error)

	AddInvitations(ctx context.Context, inv []Invitation) error
	Invitations(ctx context.Context, cohortID string) ([]Invitation, error) // not yet accepted
	// UsedInvitations lists pending invitations whose invite has been used,
	// of one cohort or for one email (whichever is set), each with the
	// account that used it. An invite names its email and an account's
	// email is unique, so the account with that email is the one that
	// registered with it.
	UsedInvitations(ctx context.Context, cohortID, email string) ([]UsedInvitation, error)
	// MarkInvitationAccepted stamps a pending invitation accepted and says
	// whether this call did, so of two concurrent readers only one takes it up.
	MarkInvitationAccepted(ctx context.Context, id string, at time.Time) (bool, error)

	// People finds accounts by lower-cased email; absent emails are absent
	// from the map.
	People(ctx context.Context, emails []string) (map[string]Account, error)
	CreateInvites(ctx context.Context, invs []accounts.Invite) error

	CreateAssignment(ctx context.Context, a Assignment) error
	Assignment(ctx context.Context, id string) (Assignment, error) // ErrAssignmentNotFound
	UpdateAssignment(ctx context.Context, a Assignment) error      // every settable field; ErrAssignmentNotFound
	DeleteAssignment(ctx context.Context, id string) error         // ErrAssignmentNotFound
	// Assignments lists a cohort's assignments by due date, then id.
	Assignments(ctx context.Context, cohortID string) ([]Assignment, error)
	// MemberAssignments lists, by due date, the assignments of the
	// unarchived cohorts the person is an active member (trainee) of.
	MemberAssignments(ctx context.Context, userID string) ([]Assignment, error)
}

// UsedInvitation is an invitation whose person has registered.
type UsedInvitation struct {
	Invitation
	UserID string
}

// Account is a person with the range role their account holds.
type Account struct {
	Person
	Role     accounts.Role
	Disabled bool
}

// CohortFilter picks cohorts. With every field empty it picks all.
type CohortFilter struct {
	OrganisationID string
	// ManagedBy picks cohorts the person may manage: those of the
	// organisations they are org admin of, and those they teach.
	ManagedBy string
	// MemberID picks cohorts the person is active in, in either role.
	MemberID        string
	IncludeArchived bool
}

// The faults cohorts and its stores return. Another organisation's things
// answer not found, never forbidden: their existence is not told.
var (
	ErrOrganisationNotFound = fault.New(fault.NotFound, "organisation_not_found", "No such organisation.")
	ErrCohortNotFound       = fault.New(fault.NotFound, "cohort_not_found", "No such cohort.")
	ErrSlugTaken            = fault.InvalidField("slug", "slug_taken", "Another organisation has this short name.")
	ErrJoinCodeTaken        = fault.New(fault.Conflict, "join_code_taken", "That join code is in use; try again.")
	ErrJoinCodeUnknown      = fault.InvalidField("code", "join_code_unknown", "No open cohort has this join code. Check it with your instructor.")
	ErrAlreadyMember        = fault.New(fault.Conflict, "already_member", "This person is already in the cohort.")
	ErrNotMember            = fault.New(fault.NotFound, "member_not_found", "This person is not in the cohort or organisation.")
	ErrPersonUnknown        = fault.InvalidField("email", "person_unknown", "No account has this email; import a roster to invite people without one.")
	ErrNotAllowed           = fault.New(fault.Forbidden, "cohort_forbidden", "You may see this, but not change it.")
	ErrOrgRoleInvalid       = fault.InvalidField("role", "org_role_invalid", "Role must be org_admin, instructor or member.")
	ErrCohortRoleInvalid    = fault.InvalidField("role", "cohort_role_invalid", "Role must be instructor or member.")
	ErrOrgAdminByAdmins     = fault.New(fault.Forbidden, "org_admin_by_admins", "Only range admins name an organisation's admins.")
	ErrRoleNeedsStaff       = fault.InvalidField("role", "role_needs_staff", "Only an instructor's or admin's account can teach or run an organisation.")
	ErrNotOrgStaff          = fault.InvalidField("email", "not_org_instructor", "Only the organisation's instructors and org admins can teach its cohorts.")
	ErrCohortArchived       = fault.New(fault.Conflict, "cohort_archived", "This cohort is archived and takes no one new.")
)

var errJoinCodeRequired = fault.InvalidField("code", "join_code_required", "Enter the join code your instructor gave you.")
