package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/cohorts"
)

// Cohorts implements cohorts.Store.
type Cohorts struct{ db *gorm.DB }

// Cohorts returns the cohorts store over db.
func (db *DB) Cohorts() *Cohorts { return &Cohorts{db: db.gorm} }

var _ cohorts.Store = (*Cohorts)(nil)

type organisationRow struct {
	ID        string `gorm:"primaryKey"`
	Name      string
	Slug      string
	Kind      string
	CreatedAt time.Time
}

func (organisationRow) TableName() string { return "organisations" }

func (r organisationRow) organisation() cohorts.Organisation {
	return cohorts.Organisation{ID: r.ID, Name: r.Name, Slug: r.Slug, Kind: cohorts.OrgKind(r.Kind), CreatedAt: r.CreatedAt}
}

type orgMemberRow struct {
	ID             string `gorm:"primaryKey"`
	OrganisationID string
	UserID         string
	Role           string
	JoinedAt       time.Time
	RemovedAt      *time.Time
}

func (orgMemberRow) TableName() string { return "organisation_members" }

type cohortRow struct {
	ID              string `gorm:"primaryKey"`
	OrganisationID  string
	Name            string
	StartsAt        time.Time
	EndsAt          time.Time
	CapacityReserve int
	JoinCode        string
	CreatedAt       time.Time
	ArchivedAt      *time.Time
}

func (cohortRow) TableName() string { return "cohorts" }

func cohortRowOf(c cohorts.Cohort) cohortRow {
	return cohortRow{
		ID: c.ID, OrganisationID: c.OrganisationID, Name: c.Name, StartsAt: c.StartsAt, EndsAt: c.EndsAt,
		CapacityReserve: c.CapacityReserve, JoinCode: c.JoinCode, CreatedAt: c.CreatedAt, ArchivedAt: c.ArchivedAt,
	}
}

func (r cohortRow) cohort() cohorts.Cohort {
	return cohorts.Cohort{
		ID: r.ID, OrganisationID: r.OrganisationID, Name: r.Name, StartsAt: r.StartsAt.UTC(), EndsAt: r.EndsAt.UTC(),
		CapacityReserve: r.CapacityReserve, JoinCode: r.JoinCode, CreatedAt: r.CreatedAt.UTC(), ArchivedAt: utcPtr(r.ArchivedAt),
	}
}

type cohortMemberRow struct {
	ID        string `gorm:"primaryKey"`
	CohortID  string
	UserID    string
	Role      string
	Via       string
	SourcedID string
	JoinedAt  time.Time
	RemovedAt *time.Time
}

func (cohortMemberRow) TableName() string { return "cohort_members" }

type invitationRow struct {
	ID         string `gorm:"primaryKey"`
	CohortID   string
	InviteID   string
	Email      string
	GivenName  string
	FamilyName string
	SourcedID  string
	CreatedAt  time.Time
	AcceptedAt *time.Time
}

func (invitationRow) TableName() string { return "cohort_invitations" }

func (r invitationRow) invitation() cohorts.Invitation {
	return cohorts.Invitation{
		ID: r.ID, CohortID: r.CohortID, InviteID: r.InviteID, Email: r.Email, GivenName: r.GivenName,
		FamilyName: r.FamilyName, SourcedID: r.SourcedID, CreatedAt: r.CreatedAt.UTC(), AcceptedAt: utcPtr(r.AcceptedAt),
	}
}

// batch bounds the rows of one INSERT and the values of one IN list, well
// under SQLite's and PostgreSQL's limits on bound parameters.
const batch = 500

func (s *Cohorts) InTx(ctx context.Context, fn func(cohorts.Store) error) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(&Cohorts{db: tx})
	})
}

func (s *Cohorts) CreateOrganisation(ctx context.Context, o cohorts.Organisation) error {
	row := organisationRow{ID: o.ID, Name: o.Name, Slug: o.Slug, Kind: string(o.Kind), CreatedAt: o.CreatedAt}
	err := s.db.WithContext(ctx).Create(&row).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return cohorts.ErrSlugTaken
	}
	return internal(err)
}

func (s *Cohorts) Organisation(ctx context.Context, id string) (cohorts.Organisation, error) {
	var row organisationRow
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return cohorts.Organisation{}, cohorts.ErrOrganisationNotFound
	}
	if err != nil {
		return cohorts.Organisation{}, internal(err)
	}
	return row.organisation(), nil
}

func (s *Cohorts) Organisations(ctx context.Context, memberID string) ([]cohorts.Organisation, error) {
	q := s.db.WithContext(ctx).Order("name, id")
	if memberID != "" {
		q = q.Where("id IN (?)", s.db.Model(&orgMemberRow{}).Select("organisation_id").
			Where("user_id = ? AND removed_at IS NULL", memberID))
	}
	var rows []organisationRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]cohorts.Organisation, len(rows))
	for i, r := range rows {
		out[i] = r.organisation()
	}
	return out, nil
}

func (s *Cohorts) PutOrgMember(ctx context.Context, m cohorts.OrgMembership) (cohorts.OrgMembership, error) {
	var existing orgMemberRow
	err := s.db.WithContext(ctx).Where("organisation_id = ? AND user_id = ? AND removed_at IS NULL", m.OrganisationID, m.Person.ID).
		Take(&existing).Error
	switch {
	case err == nil:
		err = s.db.WithContext(ctx).Model(&existing).Update("role", string(m.Role)).Error
		m.ID, m.JoinedAt = existing.ID, existing.JoinedAt.UTC()
	case errors.Is(err, gorm.ErrRecordNotFound):
		err = s.db.WithContext(ctx).Create(&orgMemberRow{
			ID: m.ID, OrganisationID: m.OrganisationID, UserID: m.Person.ID, Role: string(m.Role), JoinedAt: m.JoinedAt,
		}).Error
	}
	return m, internal(err)
}

func (s *Cohorts) RemoveOrgMember(ctx context.Context, orgID, userID string, at time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Model(&orgMemberRow{}).
		Where("organisation_id = ? AND user_id = ? AND removed_at IS NULL", orgID, userID).Update("removed_at", at)
	return res.RowsAffected > 0, internal(res.Error)
}

// memberView is a membership row joined with its account.
type memberView struct {
	ID          string
	ParentID    string
	UserID      string
	Email       string
	DisplayName string
	Role        string
	Via         string
	SourcedID   string
	JoinedAt    time.Time
	RemovedAt   *time.Time
}

func (s *Cohorts) OrgMembers(ctx context.Context, orgID string) ([]cohorts.OrgMembership, error) {
	var rows []memberView
	err := s.db.WithContext(ctx).Table("organisation_members m").
		Select("m.id, m.organisation_id AS parent_id, m.user_id, u.email, u.display_name, m.role, m.joined_at").
		Joins("JOIN users u ON u.id = m.user_id").
		Where("m.organisation_id = ? AND m.removed_at IS NULL", orgID).Order("m.joined_at, m.id").Scan(&rows).Error
	if err != nil {
		return nil, internal(err)
	}
	out := make([]cohorts.OrgMembership, len(rows))
	for i, r := range rows {
		out[i] = cohorts.OrgMembership{ID: r.ID, OrganisationID: r.ParentID, Role: cohorts.OrgRole(r.Role), JoinedAt: r.JoinedAt.UTC(),
			Person: cohorts.Person{ID: r.UserID, Email: r.Email, DisplayName: r.DisplayName}}
	}
	return out, nil
}

func (s *Cohorts) OrgRole(ctx context.Context, orgID, userID string) (cohorts.OrgRole, bool, error) {
	var roles []string
	err := s.db.WithContext(ctx).Model(&orgMemberRow{}).
		Where("organisation_id = ? AND user_id = ? AND removed_at IS NULL", orgID, userID).Pluck("role", &roles).Error
	if err != nil || len(roles) == 0 {
		return "", false, internal(err)
	}
	return cohorts.OrgRole(roles[0]), true, nil
}

func (s *Cohorts) CreateCohort(ctx context.Context, c cohorts.Cohort) error {
	row := cohortRowOf(c)
	err := s.db.WithContext(ctx).Create(&row).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return cohorts.ErrJoinCodeTaken
	}
	return internal(err)
}

func (s *Cohorts) Cohort(ctx context.Context, id string) (cohorts.Cohort, error) {
	return s.cohortWhere(ctx, cohorts.ErrCohortNotFound, "id = ?", id)
}

func (s *Cohorts) CohortByJoinCode(ctx context.Context, code string) (cohorts.Cohort, error) {
	return s.cohortWhere(ctx, cohorts.ErrJoinCodeUnknown, "join_code = ?", code)
}

func (s *Cohorts) cohortWhere(ctx context.Context, missing error, cond string, arg any) (cohorts.Cohort, error) {
	var row cohortRow
	err := s.db.WithContext(ctx).Where(cond, arg).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return cohorts.Cohort{}, missing
	}
	if err != nil {
		return cohorts.Cohort{}, internal(err)
	}
	return row.cohort(), nil
}

func (s *Cohorts) UpdateCohort(ctx context.Context, c cohorts.Cohort) error {
	row := cohortRowOf(c)
	res := s.db.WithContext(ctx).Model(&cohortRow{ID: c.ID}).
		Select("name", "starts_at", "ends_at", "capacity_reserve", "join_code", "archived_at").Updates(&row)
	switch {
	case errors.Is(res.Error, gorm.ErrDuplicatedKey):
		return cohorts.ErrJoinCodeTaken
	case res.Error == nil && res.RowsAffected == 0:
		return cohorts.ErrCohortNotFound
	}
	return internal(res.Error)
}

func (s *Cohorts) Cohorts(ctx context.Context, f cohorts.CohortFilter) ([]cohorts.Cohort, error) {
	q := s.db.WithContext(ctx).Order("starts_at DESC, id")
	if f.OrganisationID != "" {
		q = q.Where("organisation_id = ?", f.OrganisationID)
	}
	if !f.IncludeArchived {
		q = q.Where("archived_at IS NULL")
	}
	if f.ManagedBy != "" {
		runs := s.db.Model(&orgMemberRow{}).Select("organisation_id").
			Where("user_id = ? AND role = ? AND removed_at IS NULL", f.ManagedBy, string(cohorts.OrgAdmin))
		teaches := s.db.Model(&cohortMemberRow{}).Select("cohort_id").
			Where("user_id = ? AND role = ? AND removed_at IS NULL", f.ManagedBy, string(cohorts.CohortInstructor))
		q = q.Where("organisation_id IN (?) OR id IN (?)", runs, teaches)
	}
	if f.MemberID != "" {
		q = q.Where("id IN (?)", s.db.Model(&cohortMemberRow{}).Select("cohort_id").
			Where("user_id = ? AND removed_at IS NULL", f.MemberID))
	}
	var rows []cohortRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]cohorts.Cohort, len(rows))
	for i, r := range rows {
		out[i] = r.cohort()
	}
	return out, nil
}

func (s *Cohorts) AddMembers(ctx context.Context, ms []cohorts.Membership) error {
	if len(ms) == 0 {
		return nil
	}
	rows := make([]cohortMemberRow, len(ms))
	for i, m := range ms {
		rows[i] = cohortMemberRow{ID: m.ID, CohortID: m.CohortID, UserID: m.Person.ID, Role: string(m.Role),
			Via: m.Via, SourcedID: m.SourcedID, JoinedAt: m.JoinedAt}
	}
	err := s.db.WithContext(ctx).CreateInBatches(rows, batch).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return cohorts.ErrAlreadyMember
	}
	return internal(err)
}

func (s *Cohorts) RemoveMember(ctx context.Context, cohortID, userID string, at time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Model(&cohortMemberRow{}).
		Where("cohort_id = ? AND user_id = ? AND removed_at IS NULL", cohortID, userID).Update("removed_at", at)
	return res.RowsAffected > 0, internal(res.Error)
}

func (s *Cohorts) Members(ctx context.Context, cohortID string) ([]cohorts.Membership, error) {
	return s.memberships(ctx, cohortID, false)
}

func (s *Cohorts) MemberHistory(ctx context.Context, cohortID string) ([]cohorts.Membership, error) {
	return s.memberships(ctx, cohortID, true)
}

func (s *Cohorts) memberships(ctx context.Context, cohortID string, removedToo bool) ([]cohorts.Membership, error) {
	var rows []memberView
	q := s.db.WithContext(ctx).Table("cohort_members m").
		Select("m.id, m.cohort_id AS parent_id, m.user_id, u.email, u.display_name, m.role, m.via, m.sourced_id, m.joined_at, m.removed_at").
		Joins("JOIN users u ON u.id = m.user_id").
		Where("m.cohort_id = ?", cohortID).Order("m.joined_at, m.id")
	if !removedToo {
		q = q.Where("m.removed_at IS NULL")
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]cohorts.Membership, len(rows))
	for i, r := range rows {
		out[i] = cohorts.Membership{ID: r.ID, CohortID: r.ParentID, Role: cohorts.CohortRole(r.Role), Via: r.Via,
			SourcedID: r.SourcedID, JoinedAt: r.JoinedAt.UTC(), RemovedAt: utcPtr(r.RemovedAt),
			Person: cohorts.Person{ID: r.UserID, Email: r.Email, DisplayName: r.DisplayName}}
	}
	return out, nil
}

func (s *Cohorts) CohortRole(ctx context.Context, cohortID, userID string) (cohorts.CohortRole, bool, error) {
	var roles []string
	err := s.db.WithContext(ctx).Model(&cohortMemberRow{}).
		Where("cohort_id = ? AND user_id = ? AND removed_at IS NULL", cohortID, userID).Pluck("role", &roles).Error
	if err != nil || len(roles) == 0 {
		return "", false, internal(err)
	}
	return cohorts.CohortRole(roles[0]), true, nil
}

func (s *Cohorts) AddInvitations(ctx context.Context, invs []cohorts.Invitation) error {
	if len(invs) == 0 {
		return nil
	}
	rows := make([]invitationRow, len(invs))
	for i, v := range invs {
		rows[i] = invitationRow{ID: v.ID, CohortID: v.CohortID, InviteID: v.InviteID, Email: v.Email, GivenName: v.GivenName,
			FamilyName: v.FamilyName, SourcedID: v.SourcedID, CreatedAt: v.CreatedAt}
	}
	return internal(s.db.WithContext(ctx).CreateInBatches(rows, batch).Error)
}

func (s *Cohorts) Invitations(ctx context.Context, cohortID string) ([]cohorts.Invitation, error) {
	var rows []invitationRow
	err := s.db.WithContext(ctx).Where("cohort_id = ? AND accepted_at IS NULL", cohortID).Order("created_at, id").Find(&rows).Error
	if err != nil {
		return nil, internal(err)
	}
	out := make([]cohorts.Invitation, len(rows))
	for i, r := range rows {
		out[i] = r.invitation()
	}
	return out, nil
}

func (s *Cohorts) UsedInvitations(ctx context.Context, cohortID, email string) ([]cohorts.UsedInvitation, error) {
	type usedRow struct {
		ID, CohortID, InviteID, Email, GivenName, FamilyName, SourcedID string
		CreatedAt                                                       time.Time
		UserID                                                          string
	}
	q := s.db.WithContext(ctx).Table("cohort_invitations ci").Select("ci.*, u.id AS user_id").
		Joins("JOIN invites i ON i.id = ci.invite_id AND i.used_at IS NOT NULL").
		Joins("JOIN users u ON u.email = ci.email").
		Where("ci.accepted_at IS NULL").Order("ci.created_at, ci.id")
	if cohortID != "" {
		q = q.Where("ci.cohort_id = ?", cohortID)
	}
	if email != "" {
		q = q.Where("ci.email = ?", strings.ToLower(email))
	}
	var rows []usedRow
	if err := q.Scan(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]cohorts.UsedInvitation, len(rows))
	for i, r := range rows {
		inv := invitationRow{ID: r.ID, CohortID: r.CohortID, InviteID: r.InviteID, Email: r.Email, GivenName: r.GivenName,
			FamilyName: r.FamilyName, SourcedID: r.SourcedID, CreatedAt: r.CreatedAt}
		out[i] = cohorts.UsedInvitation{Invitation: inv.invitation(), UserID: r.UserID}
	}
	return out, nil
}

func (s *Cohorts) MarkInvitationAccepted(ctx context.Context, id string, at time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Model(&invitationRow{}).Where("id = ? AND accepted_at IS NULL", id).Update("accepted_at", at)
	return res.RowsAffected == 1, internal(res.Error)
}

func (s *Cohorts) People(ctx context.Context, emails []string) (map[string]cohorts.Account, error) {
	out := make(map[string]cohorts.Account, len(emails))
	for start := 0; start < len(emails); start += batch {
		chunk := emails[start:min(start+batch, len(emails))]
		var rows []userRow
		if err := s.db.WithContext(ctx).Where("email IN ?", chunk).Find(&rows).Error; err != nil {
			return nil, internal(err)
		}
		for _, r := range rows {
			out[r.Email] = cohorts.Account{
				Person:   cohorts.Person{ID: r.ID, Email: r.Email, DisplayName: r.DisplayName},
				Role:     accounts.Role(r.Role),
				Disabled: r.DisabledAt != nil,
			}
		}
	}
	return out, nil
}

// CreateInvites stores invites in the caller's transaction, as the
// accounts store would one by one.
func (s *Cohorts) CreateInvites(ctx context.Context, invs []accounts.Invite) error {
	if len(invs) == 0 {
		return nil
	}
	rows := make([]inviteRow, len(invs))
	for i, inv := range invs {
		rows[i] = inviteRow{ID: inv.ID, CodeHash: inv.CodeHash, Role: string(inv.Role), Email: inv.Email,
			CreatedBy: inv.CreatedBy, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt}
	}
	return internal(s.db.WithContext(ctx).CreateInBatches(rows, batch).Error)
}
