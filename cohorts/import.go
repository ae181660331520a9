package cohorts

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/fault"
)

// RosterInviteTTL is how long the invites a roster import makes stay valid.
const RosterInviteTTL = 14 * 24 * time.Hour

// ImportResult says what an import did, row by row.
type ImportResult struct {
	Added   []ImportedRow // existing accounts now in the cohort
	Invited []InvitedRow  // people without an account, each with an invite
	Skipped []ImportedRow // already in the cohort, or already invited to it
}

// ImportedRow is a row that named an account, or was skipped.
type ImportedRow struct {
	Line   int
	Email  string
	Role   CohortRole
	Reason string // for a skipped row: already_member or already_invited
}

// InvitedRow is a row that made an invite; Code is shown now, once.
type InvitedRow struct {
	Line      int
	Email     string
	Code      string
	ExpiresAt time.Time
}

// RosterError is a roster refused for its rows; nothing was imported.
// Rows holds at most the first 1000 errors, in line order.
type RosterError struct {
	Fault *fault.Error
	Rows  []RowError
}

func (e *RosterError) Error() string { return fmt.Sprintf("%v (%d rows)", e.Fault, len(e.Rows)) }
func (e *RosterError) Unwrap() error { return e.Fault }

var errRosterRows = fault.InvalidField("file", "roster_rows_invalid", "Some rows of the file are wrong, so nothing was imported; correct the rows listed and import the whole file again.")

// rosterEntry is a row read and checked, waiting for the whole file.
type rosterEntry struct {
	RosterRow
	role CohortRole
}

// ImportRoster adds the people a roster names to a cohort, in one
// transaction: every row is checked first, and a file with any wrong row
// imports nothing and reports every row at fault by its line. People with
// an account join at once; people without one get an invite bound to their
// email, and join the cohort when they register with it. A row for someone
// already in the cohort, or already invited to it, is skipped and reported,
// so a corrected roster can be imported again. Teachers (OneRoster role
// teacher) must already be instructors of the cohort's organisation.
func (s *Service) ImportRoster(ctx context.Context, a Actor, cohortID string, file io.Reader) (ImportResult, error) {
	c, err := s.managedCohort(ctx, s.store, a, cohortID)
	if err != nil {
		return ImportResult{}, err
	}
	if c.Archived() {
		return ImportResult{}, ErrCohortArchived
	}
	var entries []rosterEntry
	firstLine := map[string]int{}
	var rowErrs []RowError
	parseErrs, err := ReadRoster(file, func(r RosterRow) {
		e, bad := checkRow(r, firstLine)
		if bad != nil {
			rowErrs = append(rowErrs, *bad)
			return
		}
		firstLine[e.Email] = e.Line
		entries = append(entries, e)
	})
	if err != nil {
		return ImportResult{}, err
	}
	rowErrs = append(parseErrs, rowErrs...)
	var res ImportResult
	err = s.store.InTx(ctx, func(tx Store) error {
		plan, more, err := s.plan(ctx, tx, a, c, entries)
		if err != nil {
			return err
		}
		if rowErrs = append(rowErrs, more...); len(rowErrs) > 0 {
			return &RosterError{Fault: errRosterRows, Rows: sortByLine(rowErrs)}
		}
		res, err = s.apply(ctx, tx, plan)
		return err
	})
	return res, err
}

// checkRow validates one row on its own. The email is lower-cased; a
// repeat of an earlier row's email is an error naming that row.
func checkRow(r RosterRow, firstLine map[string]int) (rosterEntry, *RowError) {
	bad := func(field, code, msg string) (rosterEntry, *RowError) {
		return rosterEntry{}, &RowError{Line: r.Line, Field: field, Code: code, Message: msg}
	}
	email, err := accounts.NormalizeEmail(r.Email)
	if err != nil {
		f, _ := fault.As(err)
		return bad("email", f.Code, f.Message)
	}
	if prev, dup := firstLine[email]; dup {
		return bad("email", "email_duplicate", fmt.Sprintf("This email is also on line %d; each person once.", prev))
	}
	role, ok := rosterRoles[strings.ToLower(r.Role)]
	if !ok {
		return bad("role", "role_unsupported", "Role must be student or teacher (OneRoster), or empty for student.")
	}
	for _, f := range []struct{ name, value string }{{"givenName", r.GivenName}, {"familyName", r.FamilyName}} {
		if utf8.RuneCountInString(f.value) > accounts.MaxDisplayNameLength || strings.ContainsFunc(f.value, isControl) {
			return bad(f.name, "name_invalid", "A name has at most 80 printable characters.")
		}
	}
	if len(r.SourcedID) > maxSourcedIDLen || strings.ContainsFunc(r.SourcedID, isControl) {
		return bad("sourcedId", "sourced_id_invalid", "A sourcedId has at most 255 printable characters.")
	}
	r.Email = email
	return rosterEntry{RosterRow: r, role: role}, nil
}

// rosterRoles maps OneRoster's roles to a cohort's; the others (aide,
// guardian, parent, proctor, administrator…) have no place in a class.
var rosterRoles = map[string]CohortRole{
	"": CohortMember, "student": CohortMember, "learner": CohortMember, "teacher": CohortInstructor,
}

// importPlan is what an import will write.
type importPlan struct {
	members  []Membership
	memberAt []int // each member's line
	invite   []rosterEntry
	skipped  []ImportedRow
	inviter  accounts.User
	cohortID string
}

// plan checks the rows against the database: who has an account, who is
// already in, whether a teacher teaches for the organisation.
func (s *Service) plan(ctx context.Context, tx Store, a Actor, c Cohort, entries []rosterEntry) (importPlan, []RowError, error) {
	p := importPlan{inviter: accounts.User{ID: a.UserID, Role: a.Role}, cohortID: c.ID}
	emails := make([]string, len(entries))
	for i, e := range entries {
		emails[i] = e.Email
	}
	people, err := tx.People(ctx, emails)
	if err != nil {
		return p, nil, err
	}
	in, invited, err := s.present(ctx, tx, c.ID)
	if err != nil {
		return p, nil, err
	}
	now := s.now().UTC()
	var rowErrs []RowError
	for _, e := range entries {
		who, has := people[e.Email]
		switch {
		case has && in[who.ID]:
			p.skipped = append(p.skipped, ImportedRow{Line: e.Line, Email: e.Email, Role: e.role, Reason: "already_member"})
		case !has && invited[e.Email]:
			p.skipped = append(p.skipped, ImportedRow{Line: e.Line, Email: e.Email, Role: e.role, Reason: "already_invited"})
		case has && who.Disabled:
			rowErrs = append(rowErrs, RowError{Line: e.Line, Field: "email", Code: "account_disabled", Message: "This person's account is disabled."})
		case e.role == CohortInstructor && (!has || mayTeach(ctx, tx, c.OrganisationID, who.ID) != nil):
			rowErrs = append(rowErrs, RowError{Line: e.Line, Field: "role", Code: "not_org_instructor", Message: "A teacher must already be an instructor of the cohort's organisation."})
		case has:
			p.members = append(p.members, Membership{ID: newID(), CohortID: c.ID, Person: who.Person, Role: e.role, Via: ViaImport, SourcedID: e.SourcedID, JoinedAt: now})
			p.memberAt = append(p.memberAt, e.Line)
		default:
			p.invite = append(p.invite, e)
		}
	}
	return p, rowErrs, nil
}

// present are the cohort's active members by account, and its pending
// invitations by email.
func (s *Service) present(ctx context.Context, tx Store, cohortID string) (map[string]bool, map[string]bool, error) {
	ms, err := tx.Members(ctx, cohortID)
	if err != nil {
		return nil, nil, err
	}
	in := make(map[string]bool, len(ms))
	for _, m := range ms {
		in[m.Person.ID] = true
	}
	pending, err := tx.Invitations(ctx, cohortID)
	if err != nil {
		return nil, nil, err
	}
	invited := make(map[string]bool, len(pending))
	for _, inv := range pending {
		invited[inv.Email] = true
	}
	return in, invited, nil
}

// apply writes a checked plan.
func (s *Service) apply(ctx context.Context, tx Store, p importPlan) (ImportResult, error) {
	res := ImportResult{Skipped: p.skipped}
	if err := tx.AddMembers(ctx, p.members); err != nil {
		return res, err
	}
	for i, m := range p.members {
		res.Added = append(res.Added, ImportedRow{Line: p.memberAt[i], Email: m.Person.Email, Role: m.Role})
	}
	invites := make([]accounts.Invite, 0, len(p.invite))
	invitations := make([]Invitation, 0, len(p.invite))
	for _, e := range p.invite {
		inv, code, err := s.inviter.PrepareInvite(p.inviter, accounts.NewInvite{Role: accounts.RoleTrainee, Email: e.Email, TTL: RosterInviteTTL})
		if err != nil {
			return res, err
		}
		invites = append(invites, inv)
		invitations = append(invitations, Invitation{
			ID: newID(), CohortID: p.cohortID, InviteID: inv.ID, Email: e.Email, GivenName: e.GivenName,
			FamilyName: e.FamilyName, SourcedID: e.SourcedID, CreatedAt: inv.CreatedAt,
		})
		res.Invited = append(res.Invited, InvitedRow{Line: e.Line, Email: e.Email, Code: code, ExpiresAt: inv.ExpiresAt})
	}
	if err := tx.CreateInvites(ctx, invites); err != nil {
		return res, err
	}
	return res, tx.AddInvitations(ctx, invitations)
}

func sortByLine(errs []RowError) []RowError {
	slices.SortStableFunc(errs, func(a, b RowError) int { return cmp.Compare(a.Line, b.Line) })
	if len(errs) > maxRowErrors {
		errs = errs[:maxRowErrors]
	}
	return errs
}
