package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sakimori/sakimori/lti"
)

// LTI implements lti.Store. People launched are linked in sso_identities,
// and nonces kept in sso_replays, as single sign-on's are.
type LTI struct {
	db  *gorm.DB
	sso *SSO
}

// LTI returns the LTI tool's store over db.
func (db *DB) LTI() *LTI { return &LTI{db: db.gorm, sso: db.SSO()} }

var _ lti.Store = (*LTI)(nil)

type ltiPlatformRow struct {
	ID             string `gorm:"primaryKey"`
	OrganisationID string
	Name           string
	Issuer         string
	ClientID       string
	DeploymentIDs  string `gorm:"column:deployment_ids"`
	AuthURL        string `gorm:"column:auth_url"`
	TokenURL       string `gorm:"column:token_url"`
	JWKSURL        string `gorm:"column:jwks_url"`
	Revoked        bool
	CreatedAt      time.Time
}

func (ltiPlatformRow) TableName() string { return "lti_platforms" }

func (r ltiPlatformRow) platform() lti.Platform {
	return lti.Platform{ID: r.ID, OrganisationID: r.OrganisationID, Name: r.Name, Issuer: r.Issuer, ClientID: r.ClientID,
		DeploymentIDs: lines(r.DeploymentIDs), AuthURL: r.AuthURL, TokenURL: r.TokenURL, JWKSURL: r.JWKSURL,
		Revoked: r.Revoked, CreatedAt: r.CreatedAt.UTC()}
}

type ltiKeyRow struct {
	ID            string `gorm:"primaryKey"`
	SealedPrivate string
	CreatedAt     time.Time
	RetiredAt     *time.Time
}

func (ltiKeyRow) TableName() string { return "lti_keys" }

type ltiStateRow struct {
	State      string `gorm:"primaryKey"`
	Nonce      string
	PlatformID string
	ExpiresAt  time.Time
}

func (ltiStateRow) TableName() string { return "lti_states" }

type ltiBindingRow struct {
	PlatformID     string `gorm:"primaryKey"`
	ContextID      string `gorm:"primaryKey"`
	CohortID       string
	Title          string
	MembershipsURL string `gorm:"column:memberships_url"`
}

func (r ltiBindingRow) binding() lti.Binding {
	return lti.Binding{PlatformID: r.PlatformID, ContextID: r.ContextID, CohortID: r.CohortID, Title: r.Title, MembershipsURL: r.MembershipsURL}
}

func (ltiBindingRow) TableName() string { return "lti_bindings" }

type ltiLinkRow struct {
	PlatformID   string `gorm:"primaryKey"`
	ResourceID   string `gorm:"primaryKey"`
	AssignmentID string
	ContextID    string
	LineItemURL  string `gorm:"column:line_item_url"`
}

func (ltiLinkRow) TableName() string { return "lti_links" }

type ltiGradeRow struct {
	LineItemURL string `gorm:"column:line_item_url;primaryKey"`
	UserID      string `gorm:"primaryKey"`
	Given       int
	Maximum     int
}

func (ltiGradeRow) TableName() string { return "lti_grades" }

func (s *LTI) CreatePlatform(ctx context.Context, p lti.Platform) error {
	err := s.db.WithContext(ctx).Create(&ltiPlatformRow{ID: p.ID, OrganisationID: p.OrganisationID, Name: p.Name, Issuer: p.Issuer,
		ClientID: p.ClientID, DeploymentIDs: strings.Join(p.DeploymentIDs, "\n"), AuthURL: p.AuthURL, TokenURL: p.TokenURL,
		JWKSURL: p.JWKSURL, Revoked: p.Revoked, CreatedAt: p.CreatedAt}).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return lti.ErrPlatformTaken
	}
	return internal(err)
}

func (s *LTI) Platform(ctx context.Context, id string) (lti.Platform, error) {
	var row ltiPlatformRow
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return lti.Platform{}, lti.ErrPlatformNotFound
	}
	if err != nil {
		return lti.Platform{}, internal(err)
	}
	return row.platform(), nil
}

func (s *LTI) PlatformFor(ctx context.Context, issuer, clientID string) (lti.Platform, error) {
	q := s.db.WithContext(ctx).Where("issuer = ?", issuer)
	if clientID != "" {
		q = q.Where("client_id = ?", clientID)
	}
	var rows []ltiPlatformRow
	if err := q.Limit(2).Find(&rows).Error; err != nil {
		return lti.Platform{}, internal(err)
	}
	if len(rows) != 1 {
		return lti.Platform{}, lti.ErrPlatformNotFound
	}
	return rows[0].platform(), nil
}

func (s *LTI) Platforms(ctx context.Context, orgID string) ([]lti.Platform, error) {
	q := s.db.WithContext(ctx).Order("created_at, id")
	if orgID != "" {
		q = q.Where("organisation_id = ?", orgID)
	}
	var rows []ltiPlatformRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]lti.Platform, len(rows))
	for i, r := range rows {
		out[i] = r.platform()
	}
	return out, nil
}

func (s *LTI) RevokePlatform(ctx context.Context, id string) error {
	res := s.db.WithContext(ctx).Model(&ltiPlatformRow{}).Where("id = ?", id).Update("revoked", true)
	if res.Error != nil {
		return internal(res.Error)
	}
	if res.RowsAffected == 0 {
		return lti.ErrPlatformNotFound
	}
	return nil
}

func (s *LTI) SaveState(ctx context.Context, st lti.LoginState) error {
	// States nobody launched with are dropped as new ones are made.
	if err := s.db.WithContext(ctx).Where("expires_at < ?", time.Now().UTC()).Delete(&ltiStateRow{}).Error; err != nil {
		return internal(err)
	}
	return internal(s.db.WithContext(ctx).Create(&ltiStateRow{State: st.State, Nonce: st.Nonce, PlatformID: st.PlatformID, ExpiresAt: st.ExpiresAt.UTC()}).Error)
}

func (s *LTI) TakeState(ctx context.Context, state string) (lti.LoginState, error) {
	var row ltiStateRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("state = ?", state).Take(&row).Error; err != nil {
			return err
		}
		res := tx.Delete(&ltiStateRow{}, "state = ?", state)
		if res.Error == nil && res.RowsAffected != 1 {
			return gorm.ErrRecordNotFound // another launch took it first
		}
		return res.Error
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return lti.LoginState{}, lti.ErrStateUnknown
	}
	if err != nil {
		return lti.LoginState{}, internal(err)
	}
	return lti.LoginState{State: row.State, Nonce: row.Nonce, PlatformID: row.PlatformID, ExpiresAt: row.ExpiresAt.UTC()}, nil
}

func (s *LTI) Remember(ctx context.Context, key string, until time.Time) (bool, error) {
	return s.sso.Remember(ctx, key, until)
}

func (s *LTI) Keys(ctx context.Context) ([]lti.Key, error) {
	var rows []ltiKeyRow
	if err := s.db.WithContext(ctx).Order("created_at DESC, id").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]lti.Key, len(rows))
	for i, r := range rows {
		out[i] = lti.Key{ID: r.ID, SealedPrivate: r.SealedPrivate, CreatedAt: r.CreatedAt.UTC(), RetiredAt: r.RetiredAt}
	}
	return out, nil
}

func (s *LTI) AddKey(ctx context.Context, k lti.Key, retireOthersAt time.Time) error {
	return internal(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&ltiKeyRow{}).Where("retired_at IS NULL").Update("retired_at", retireOthersAt).Error; err != nil {
			return err
		}
		return tx.Create(&ltiKeyRow{ID: k.ID, SealedPrivate: k.SealedPrivate, CreatedAt: k.CreatedAt}).Error
	}))
}

func (s *LTI) Binding(ctx context.Context, platformID, contextID string) (lti.Binding, bool, error) {
	var row ltiBindingRow
	err := s.db.WithContext(ctx).Where("platform_id = ? AND context_id = ?", platformID, contextID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return lti.Binding{}, false, nil
	}
	if err != nil {
		return lti.Binding{}, false, internal(err)
	}
	return row.binding(), true, nil
}

func (s *LTI) Bind(ctx context.Context, b lti.Binding) error {
	return internal(s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&ltiBindingRow{
		PlatformID: b.PlatformID, ContextID: b.ContextID, CohortID: b.CohortID, Title: b.Title, MembershipsURL: b.MembershipsURL,
	}).Error)
}

func (s *LTI) Bindings(ctx context.Context, platformID string) ([]lti.Binding, error) {
	var rows []ltiBindingRow
	if err := s.db.WithContext(ctx).Where("platform_id = ?", platformID).Order("context_id").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]lti.Binding, len(rows))
	for i, r := range rows {
		out[i] = r.binding()
	}
	return out, nil
}

func (s *LTI) SaveLink(ctx context.Context, l lti.ResourceLink) error {
	return internal(s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&ltiLinkRow{
		PlatformID: l.PlatformID, ResourceID: l.ResourceID, AssignmentID: l.AssignmentID, ContextID: l.ContextID, LineItemURL: l.LineItemURL,
	}).Error)
}

func (r ltiLinkRow) link() lti.ResourceLink {
	return lti.ResourceLink{PlatformID: r.PlatformID, ResourceID: r.ResourceID, AssignmentID: r.AssignmentID, ContextID: r.ContextID, LineItemURL: r.LineItemURL}
}

func (s *LTI) Link(ctx context.Context, platformID, resourceID string) (lti.ResourceLink, bool, error) {
	var row ltiLinkRow
	err := s.db.WithContext(ctx).Where("platform_id = ? AND resource_id = ?", platformID, resourceID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return lti.ResourceLink{}, false, nil
	}
	if err != nil {
		return lti.ResourceLink{}, false, internal(err)
	}
	return row.link(), true, nil
}

func (s *LTI) GradedLinks(ctx context.Context) ([]lti.ResourceLink, error) {
	var rows []ltiLinkRow
	err := s.db.WithContext(ctx).Where("line_item_url <> '' AND platform_id IN (?)",
		s.db.Model(&ltiPlatformRow{}).Select("id").Where("revoked = ?", false)).Order("platform_id, resource_id").Find(&rows).Error
	if err != nil {
		return nil, internal(err)
	}
	out := make([]lti.ResourceLink, len(rows))
	for i, r := range rows {
		out[i] = r.link()
	}
	return out, nil
}

func (s *LTI) Grade(ctx context.Context, lineItemURL, userID string) (lti.Grade, bool, error) {
	var row ltiGradeRow
	err := s.db.WithContext(ctx).Where("line_item_url = ? AND user_id = ?", lineItemURL, userID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return lti.Grade{}, false, nil
	}
	if err != nil {
		return lti.Grade{}, false, internal(err)
	}
	return lti.Grade{LineItemURL: row.LineItemURL, UserID: row.UserID, Given: row.Given, Maximum: row.Maximum}, true, nil
}

func (s *LTI) SaveGrade(ctx context.Context, g lti.Grade) error {
	return internal(s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&ltiGradeRow{
		LineItemURL: g.LineItemURL, UserID: g.UserID, Given: g.Given, Maximum: g.Maximum,
	}).Error)
}

func (s *LTI) LinkedUser(ctx context.Context, issuer, subject string) (string, bool, error) {
	id, ok, err := s.sso.Identity(ctx, issuer, subject)
	return id.UserID, ok, err
}

func (s *LTI) LinkUser(ctx context.Context, issuer, subject, userID, platformID string, at time.Time) error {
	return internal(s.db.WithContext(ctx).Create(&ssoIdentityRow{Issuer: issuer, Subject: subject, UserID: userID, ProviderID: platformID, CreatedAt: at, LastUsedAt: at}).Error)
}

func (s *LTI) Subject(ctx context.Context, issuer, userID string) (string, bool, error) {
	var row ssoIdentityRow
	err := s.db.WithContext(ctx).Where("issuer = ? AND user_id = ?", issuer, userID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, internal(err)
	}
	return row.Subject, true, nil
}

func (s *LTI) PlaceMember(ctx context.Context, orgID, userID string, instructor bool, at time.Time) error {
	return s.sso.PlaceMember(ctx, orgID, userID, instructor, at)
}
