package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sakimori/sakimori/partners"
)

// Partners implements partners.Store.
type Partners struct {
	db      *gorm.DB
	dialect string
}

// Partners returns the partners store over db.
func (db *DB) Partners() *Partners { return &Partners{db: db.gorm, dialect: db.dialect} }

var _ partners.Store = (*Partners)(nil)

type partnerTokenRow struct {
	ID             string `gorm:"primaryKey"`
	OrganisationID string
	Name           string
	Scopes         string // space-separated
	SecretHash     string
	CreatedBy      string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	LastUsedAt     *time.Time
	RevokedAt      *time.Time
}

func (partnerTokenRow) TableName() string { return "partner_tokens" }

func (r partnerTokenRow) token() partners.Token {
	t := partners.Token{ID: r.ID, OrganisationID: r.OrganisationID, Name: r.Name, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), LastUsedAt: utcPtr(r.LastUsedAt), RevokedAt: utcPtr(r.RevokedAt)}
	for _, s := range strings.Fields(r.Scopes) {
		t.Scopes = append(t.Scopes, partners.Scope(s))
	}
	return t
}

func (p *Partners) CreateToken(ctx context.Context, t partners.Token, secretHash string) error {
	scopes := make([]string, len(t.Scopes))
	for i, s := range t.Scopes {
		scopes[i] = string(s)
	}
	row := partnerTokenRow{ID: t.ID, OrganisationID: t.OrganisationID, Name: t.Name, Scopes: strings.Join(scopes, " "),
		SecretHash: secretHash, CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt}
	return internal(p.db.WithContext(ctx).Create(&row).Error)
}

func (p *Partners) TokenByHash(ctx context.Context, hash string) (partners.Token, error) {
	var row partnerTokenRow
	err := p.db.WithContext(ctx).Where("secret_hash = ?", hash).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return partners.Token{}, partners.ErrTokenUnknown
	}
	return row.token(), internal(err)
}

func (p *Partners) Tokens(ctx context.Context, orgID string) ([]partners.Token, error) {
	var rows []partnerTokenRow
	if err := p.db.WithContext(ctx).Where("organisation_id = ?", orgID).Order("created_at DESC, id").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]partners.Token, len(rows))
	for i, r := range rows {
		out[i] = r.token()
	}
	return out, nil
}

func (p *Partners) RevokeToken(ctx context.Context, orgID, id string, at time.Time) (partners.Token, error) {
	var row partnerTokenRow
	err := p.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ? AND organisation_id = ?", id, orgID).Take(&row).Error; err != nil {
			return err
		}
		if row.RevokedAt != nil {
			return nil
		}
		row.RevokedAt = &at
		return tx.Model(&partnerTokenRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", at).Error
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return partners.Token{}, partners.ErrTokenNotFound
	}
	return row.token(), internal(err)
}

func (p *Partners) TouchToken(ctx context.Context, id string, at time.Time) error {
	return internal(p.db.WithContext(ctx).Model(&partnerTokenRow{}).Where("id = ?", id).Update("last_used_at", at).Error)
}
