package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sakimori/sakimori/accounts/sso"
)

// SSO implements sso.Store.
type SSO struct{ db *gorm.DB }

// SSO returns the sign-in providers' store over db.
func (db *DB) SSO() *SSO { return &SSO{db: db.gorm} }

var _ sso.Store = (*SSO)(nil)

type ssoProviderRow struct {
	ID               string `gorm:"primaryKey"`
	OrganisationID   string
	Name             string
	Protocol         string
	Enabled          bool
	Issuer           string
	ClientID         string
	SealedSecret     string
	Metadata         string
	MetadataURL      string `gorm:"column:metadata_url"`
	AllowedDomains   string
	RoleClaim        string
	InstructorValues string
	Logout           bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (ssoProviderRow) TableName() string { return "sso_providers" }

func ssoProviderRowOf(p sso.Provider) ssoProviderRow {
	return ssoProviderRow{
		ID: p.ID, OrganisationID: p.OrganisationID, Name: p.Name, Protocol: string(p.Protocol), Enabled: p.Enabled,
		Issuer: p.Issuer, ClientID: p.ClientID, SealedSecret: p.SealedSecret, Metadata: p.Metadata, MetadataURL: p.MetadataURL,
		AllowedDomains: strings.Join(p.AllowedDomains, "\n"), RoleClaim: p.RoleClaim,
		InstructorValues: strings.Join(p.InstructorValues, "\n"), Logout: p.Logout, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}

func (r ssoProviderRow) provider() sso.Provider {
	return sso.Provider{
		ID: r.ID, OrganisationID: r.OrganisationID, Name: r.Name, Protocol: sso.Protocol(r.Protocol), Enabled: r.Enabled,
		Issuer: r.Issuer, ClientID: r.ClientID, SealedSecret: r.SealedSecret, Metadata: r.Metadata, MetadataURL: r.MetadataURL,
		AllowedDomains: lines(r.AllowedDomains), RoleClaim: r.RoleClaim, InstructorValues: lines(r.InstructorValues),
		Logout: r.Logout, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func lines(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

type ssoIdentityRow struct {
	Issuer     string `gorm:"primaryKey"`
	Subject    string `gorm:"primaryKey"`
	UserID     string
	ProviderID string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

func (ssoIdentityRow) TableName() string { return "sso_identities" }

func (r ssoIdentityRow) identity() sso.Identity {
	return sso.Identity{Issuer: r.Issuer, Subject: r.Subject, UserID: r.UserID, ProviderID: r.ProviderID,
		CreatedAt: r.CreatedAt.UTC(), LastUsedAt: r.LastUsedAt.UTC()}
}

type ssoRequestRow struct {
	ID         string `gorm:"primaryKey"`
	ProviderID string
	Nonce      string
	Verifier   string
	LinkUserID string
	ReturnTo   string
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

func (ssoRequestRow) TableName() string { return "sso_requests" }

type ssoReplayRow struct {
	Key       string `gorm:"primaryKey"`
	ExpiresAt time.Time
}

func (ssoReplayRow) TableName() string { return "sso_replays" }

type ssoFailureRow struct {
	ID         string `gorm:"primaryKey"`
	ProviderID string
	At         time.Time
	Code       string
	Message    string
	Detail     string
}

func (ssoFailureRow) TableName() string { return "sso_failures" }

type ssoSettingsRow struct {
	OrganisationID string `gorm:"primaryKey"`
	PasswordsOff   bool
}

func (ssoSettingsRow) TableName() string { return "sso_settings" }

func (s *SSO) CreateProvider(ctx context.Context, p sso.Provider) error {
	row := ssoProviderRowOf(p)
	return internal(s.db.WithContext(ctx).Create(&row).Error)
}

func (s *SSO) UpdateProvider(ctx context.Context, p sso.Provider) error {
	row := ssoProviderRowOf(p)
	res := s.db.WithContext(ctx).Model(&ssoProviderRow{}).Where("id = ?", p.ID).Select("*").Omit("id", "organisation_id", "created_at").Updates(&row)
	if res.Error != nil {
		return internal(res.Error)
	}
	if res.RowsAffected != 1 {
		return sso.ErrProviderNotFound
	}
	return nil
}

func (s *SSO) DeleteProvider(ctx context.Context, id string) error {
	res := s.db.WithContext(ctx).Delete(&ssoProviderRow{}, "id = ?", id)
	if res.Error != nil {
		return internal(res.Error)
	}
	if res.RowsAffected != 1 {
		return sso.ErrProviderNotFound
	}
	return nil
}

func (s *SSO) Provider(ctx context.Context, id string) (sso.Provider, error) {
	var row ssoProviderRow
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return sso.Provider{}, sso.ErrProviderNotFound
	}
	if err != nil {
		return sso.Provider{}, internal(err)
	}
	return row.provider(), nil
}

func (s *SSO) Providers(ctx context.Context, orgID string) ([]sso.Provider, error) {
	q := s.db.WithContext(ctx).Order("name, id")
	if orgID != "" {
		q = q.Where("organisation_id = ?", orgID)
	}
	var rows []ssoProviderRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]sso.Provider, len(rows))
	for i, r := range rows {
		out[i] = r.provider()
	}
	return out, nil
}

func (s *SSO) Identity(ctx context.Context, issuer, subject string) (sso.Identity, bool, error) {
	var row ssoIdentityRow
	err := s.db.WithContext(ctx).Where("issuer = ? AND subject = ?", issuer, subject).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return sso.Identity{}, false, nil
	}
	if err != nil {
		return sso.Identity{}, false, internal(err)
	}
	return row.identity(), true, nil
}

func (s *SSO) CreateIdentity(ctx context.Context, id sso.Identity) error {
	err := s.db.WithContext(ctx).Create(&ssoIdentityRow{
		Issuer: id.Issuer, Subject: id.Subject, UserID: id.UserID, ProviderID: id.ProviderID, CreatedAt: id.CreatedAt, LastUsedAt: id.LastUsedAt,
	}).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return sso.ErrIdentityTaken
	}
	return internal(err)
}

func (s *SSO) TouchIdentity(ctx context.Context, issuer, subject string, at time.Time) error {
	return internal(s.db.WithContext(ctx).Model(&ssoIdentityRow{}).Where("issuer = ? AND subject = ?", issuer, subject).
		Update("last_used_at", at).Error)
}

func (s *SSO) Identities(ctx context.Context, userID string) ([]sso.Identity, error) {
	var rows []ssoIdentityRow
	if err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("created_at, issuer").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]sso.Identity, len(rows))
	for i, r := range rows {
		out[i] = r.identity()
	}
	return out, nil
}

// PlaceMember writes the organisation's membership table directly: the
// cohorts service decides who may add whom, and here nobody adds anyone,
// the provider vouches for the person.
func (s *SSO) PlaceMember(ctx context.Context, orgID, userID string, instructor bool, at time.Time) error {
	role := "member"
	if instructor {
		role = "instructor"
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var existing orgMemberRow
		err := tx.Where("organisation_id = ? AND user_id = ? AND removed_at IS NULL", orgID, userID).Take(&existing).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			return internal(tx.Create(&orgMemberRow{ID: uuid.Must(uuid.NewV7()).String(), OrganisationID: orgID, UserID: userID, Role: role, JoinedAt: at}).Error)
		case err != nil:
			return internal(err)
		case existing.Role == "member" && instructor:
			return internal(tx.Model(&existing).Update("role", role).Error)
		}
		return nil
	})
}

// CreateIdentity and PlaceMember on the accounts store write within its
// transaction: a new account and its link are made together (sso.Links).
func (a *Accounts) CreateIdentity(ctx context.Context, id sso.Identity) error {
	return (&SSO{db: a.db}).CreateIdentity(ctx, id)
}

func (a *Accounts) PlaceMember(ctx context.Context, orgID, userID string, instructor bool, at time.Time) error {
	return (&SSO{db: a.db}).PlaceMember(ctx, orgID, userID, instructor, at)
}

var _ sso.Links = (*Accounts)(nil)

func (s *SSO) LowerMember(ctx context.Context, orgID, userID string) error {
	return internal(s.db.WithContext(ctx).Model(&orgMemberRow{}).
		Where("organisation_id = ? AND user_id = ? AND removed_at IS NULL AND role = ?", orgID, userID, "instructor").
		Update("role", "member").Error)
}

func (s *SSO) SaveRequest(ctx context.Context, r sso.Request) error {
	// Requests nobody came back for are dropped as new ones are made.
	if err := s.db.WithContext(ctx).Where("expires_at < ?", r.CreatedAt).Delete(&ssoRequestRow{}).Error; err != nil {
		return internal(err)
	}
	return internal(s.db.WithContext(ctx).Create(&ssoRequestRow{
		ID: r.ID, ProviderID: r.ProviderID, Nonce: r.Nonce, Verifier: r.Verifier, LinkUserID: r.LinkUserID,
		ReturnTo: r.ReturnTo, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt,
	}).Error)
}

func (s *SSO) TakeRequest(ctx context.Context, id string) (sso.Request, error) {
	var row ssoRequestRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			return err
		}
		res := tx.Delete(&ssoRequestRow{}, "id = ?", id)
		if res.Error == nil && res.RowsAffected != 1 {
			return gorm.ErrRecordNotFound // another caller took it first
		}
		return res.Error
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return sso.Request{}, sso.ErrRequestUnknown
	}
	if err != nil {
		return sso.Request{}, internal(err)
	}
	return sso.Request{ID: row.ID, ProviderID: row.ProviderID, Nonce: row.Nonce, Verifier: row.Verifier,
		LinkUserID: row.LinkUserID, ReturnTo: row.ReturnTo, CreatedAt: row.CreatedAt.UTC(), ExpiresAt: row.ExpiresAt.UTC()}, nil
}

func (s *SSO) Remember(ctx context.Context, key string, until time.Time) (bool, error) {
	db := s.db.WithContext(ctx)
	if err := db.Where("expires_at < ?", time.Now().UTC()).Delete(&ssoReplayRow{}).Error; err != nil {
		return false, internal(err)
	}
	res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&ssoReplayRow{Key: key, ExpiresAt: until})
	if res.Error != nil {
		return false, internal(res.Error)
	}
	return res.RowsAffected == 1, nil
}

// failuresKept is how long refused sign-ins are kept: admins read the
// latest, and a provider failing for months must not fill the database.
const failuresKept = 90 * 24 * time.Hour

func (s *SSO) RecordFailure(ctx context.Context, f sso.Failure) error {
	if err := s.db.WithContext(ctx).Where("at < ?", f.At.Add(-failuresKept)).Delete(&ssoFailureRow{}).Error; err != nil {
		return internal(err)
	}
	return internal(s.db.WithContext(ctx).Create(&ssoFailureRow{
		ID: f.ID, ProviderID: f.ProviderID, At: f.At, Code: f.Code, Message: f.Message, Detail: f.Detail,
	}).Error)
}

func (s *SSO) Failures(ctx context.Context, orgID string, limit int) ([]sso.Failure, error) {
	var rows []ssoFailureRow
	err := s.db.WithContext(ctx).Table("sso_failures f").Select("f.*").
		Joins("JOIN sso_providers p ON p.id = f.provider_id").Where("p.organisation_id = ?", orgID).
		Order("f.at DESC, f.id DESC").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, internal(err)
	}
	out := make([]sso.Failure, len(rows))
	for i, r := range rows {
		out[i] = sso.Failure{ID: r.ID, ProviderID: r.ProviderID, At: r.At.UTC(), Code: r.Code, Message: r.Message, Detail: r.Detail}
	}
	return out, nil
}

func (s *SSO) PasswordsOff(ctx context.Context, orgID string) (bool, error) {
	var row ssoSettingsRow
	err := s.db.WithContext(ctx).Where("organisation_id = ?", orgID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	return row.PasswordsOff, internal(err)
}

func (s *SSO) SetPasswordsOff(ctx context.Context, orgID string, off bool) error {
	return internal(s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "organisation_id"}}, DoUpdates: clause.AssignmentColumns([]string{"passwords_off"}),
	}).Create(&ssoSettingsRow{OrganisationID: orgID, PasswordsOff: off}).Error)
}

func (s *SSO) PasswordsOffFor(ctx context.Context, userID string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Table("organisation_members m").
		Joins("JOIN sso_settings s ON s.organisation_id = m.organisation_id").
		Where("m.user_id = ? AND m.removed_at IS NULL AND s.passwords_off", userID).Count(&n).Error
	return n > 0, internal(err)
}
