package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/fault"
)

// Accounts implements accounts.Store.
type Accounts struct{ db *gorm.DB }

// Accounts returns the accounts store over db.
func (db *DB) Accounts() *Accounts { return &Accounts{db: db.gorm} }

var _ accounts.Store = (*Accounts)(nil)

// Rows as stored. Kept private: the domain only ever sees accounts types.
type userRow struct {
	ID           string `gorm:"primaryKey"`
	Email        string
	DisplayName  string
	NameFolded   string `gorm:"column:display_name_key_folded"`
	NameShaped   string `gorm:"column:display_name_key_shaped"`
	Role         string
	PasswordHash string
	CreatedAt    time.Time
	DisabledAt   *time.Time
	Language     string
	TimeZone     string
	Rehearsal    bool
}

func (userRow) TableName() string { return "users" }

type setupCodeRow struct {
	ID       int `gorm:"primaryKey"`
	CodeHash string
}

func (setupCodeRow) TableName() string { return "setup_codes" }

type refreshRow struct {
	ID        string `gorm:"primaryKey"`
	FamilyID  string
	UserID    string
	Hash      string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	UserAgent string
	IP        string `gorm:"column:ip"`
}

func (refreshRow) TableName() string { return "refresh_tokens" }

type inviteRow struct {
	ID        string `gorm:"primaryKey"`
	CodeHash  string
	Role      string
	Email     string
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	UserID    *string // set on a password reset
}

func (inviteRow) TableName() string { return "invites" }

// InTx runs fn inside one transaction.
func (a *Accounts) InTx(ctx context.Context, fn func(accounts.Store) error) error {
	return a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(&Accounts{db: tx})
	})
}

func (a *Accounts) CreateUser(ctx context.Context, u accounts.User) error {
	row := userRow{
		ID: u.ID, Email: u.Email, DisplayName: u.DisplayName,
		NameFolded: u.NameKeys.Folded, NameShaped: u.NameKeys.Shaped, Role: string(u.Role),
		PasswordHash: u.PasswordHash, CreatedAt: u.CreatedAt, DisabledAt: u.DisabledAt, Rehearsal: u.Rehearsal,
	}
	err := a.db.WithContext(ctx).Create(&row).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return accounts.ErrEmailTaken
	}
	return internal(err)
}

// NameTaken checks for the keys within the caller's transaction. The
// columns cannot be unique (accounts made before the check may share a key),
// so on PostgreSQL a lock on each key, held to the end of the transaction,
// keeps two concurrent sign-ups from both finding a name free; the keys are
// locked in order so two such transactions cannot deadlock. SQLite needs
// none: its transactions take the write lock when they begin.
func (a *Accounts) NameTaken(ctx context.Context, keys accounts.NameKeys) (bool, error) {
	both := []string{keys.Folded, keys.Shaped}
	if a.db.Dialector.Name() == "postgres" {
		locks := slices.Compact(slices.Sorted(slices.Values(both)))
		for _, k := range locks {
			var locked []any
			err := a.db.WithContext(ctx).Raw("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "display_name_key:"+k).Scan(&locked).Error
			if err != nil {
				return false, internal(err)
			}
		}
	}
	var n int64
	err := a.db.WithContext(ctx).Model(&userRow{}).
		Where("display_name_key_folded IN ? OR display_name_key_shaped IN ?", both, both).
		Count(&n).Error
	return n > 0, internal(err)
}

func (a *Accounts) UserByID(ctx context.Context, id string) (accounts.User, error) {
	return a.userWhere(ctx, "id = ?", id)
}

func (a *Accounts) UserByEmail(ctx context.Context, email string) (accounts.User, error) {
	return a.userWhere(ctx, "email = ?", email)
}

func (a *Accounts) userWhere(ctx context.Context, cond string, arg any) (accounts.User, error) {
	var row userRow
	err := a.db.WithContext(ctx).Where(cond, arg).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return accounts.User{}, accounts.ErrUserNotFound
	}
	if err != nil {
		return accounts.User{}, internal(err)
	}
	return row.user(), nil
}

func (r userRow) user() accounts.User {
	return accounts.User{
		ID: r.ID, Email: r.Email, DisplayName: r.DisplayName,
		NameKeys: accounts.NameKeys{Folded: r.NameFolded, Shaped: r.NameShaped}, Role: accounts.Role(r.Role),
		PasswordHash: r.PasswordHash, CreatedAt: r.CreatedAt, DisabledAt: r.DisabledAt,
		Preferences: accounts.Preferences{Language: r.Language, TimeZone: r.TimeZone}, Rehearsal: r.Rehearsal,
	}
}

func (a *Accounts) ListUsers(ctx context.Context, q accounts.UserQuery) ([]accounts.User, int64, error) {
	where := a.db.WithContext(ctx).Model(&userRow{}).Where("rehearsal = ?", false) // not people
	if q.Search != "" {
		like := "%" + escapeLike(strings.ToLower(q.Search)) + "%"
		where = where.Where(`(email LIKE ? ESCAPE '\' OR LOWER(display_name) LIKE ? ESCAPE '\')`, like, like)
	}
	var total int64
	if err := where.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, internal(err)
	}
	var rows []userRow
	err := where.Session(&gorm.Session{}).Order("created_at DESC, id DESC").Limit(q.Limit).Offset(q.Offset).Find(&rows).Error
	if err != nil {
		return nil, 0, internal(err)
	}
	users := make([]accounts.User, len(rows))
	for i, r := range rows {
		users[i] = r.user()
	}
	return users, total, nil
}

// escapeLike makes a search match itself: % and _ are not wildcards in it.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

func (a *Accounts) UpdateUser(ctx context.Context, u accounts.User) error {
	res := a.db.WithContext(ctx).Model(&userRow{}).Where("id = ?", u.ID).
		Select("role", "disabled_at", "password_hash").
		Updates(userRow{Role: string(u.Role), DisabledAt: u.DisabledAt, PasswordHash: u.PasswordHash})
	if res.Error != nil {
		return internal(res.Error)
	}
	if res.RowsAffected != 1 {
		return accounts.ErrUserNotFound
	}
	return nil
}

func (a *Accounts) SetPreferences(ctx context.Context, userID string, p accounts.Preferences) error {
	res := a.db.WithContext(ctx).Model(&userRow{}).Where("id = ?", userID).
		Select("language", "time_zone").
		Updates(userRow{Language: p.Language, TimeZone: p.TimeZone})
	if res.Error != nil {
		return internal(res.Error)
	}
	if res.RowsAffected != 1 {
		return accounts.ErrUserNotFound
	}
	return nil
}

func (a *Accounts) CountAdmins(ctx context.Context) (int64, error) {
	var n int64
	err := a.db.WithContext(ctx).Model(&userRow{}).Where("role = ? AND disabled_at IS NULL", accounts.RoleAdmin).Count(&n).Error
	return n, internal(err)
}

func (a *Accounts) PutSetupCode(ctx context.Context, hash string) error {
	row := setupCodeRow{ID: 1, CodeHash: hash}
	err := a.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"code_hash"}),
	}).Create(&row).Error
	return internal(err)
}

func (a *Accounts) ConsumeSetupCode(ctx context.Context, hash string) (bool, error) {
	res := a.db.WithContext(ctx).Where("id = 1 AND code_hash = ?", hash).Delete(&setupCodeRow{})
	return res.RowsAffected == 1, internal(res.Error)
}

func (a *Accounts) CreateRefreshToken(ctx context.Context, t accounts.RefreshToken) error {
	row := refreshRow{
		ID: t.ID, FamilyID: t.FamilyID, UserID: t.UserID, Hash: t.Hash,
		CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, UserAgent: t.UserAgent, IP: t.IP,
	}
	return internal(a.db.WithContext(ctx).Create(&row).Error)
}

func (a *Accounts) RefreshTokenByHash(ctx context.Context, hash string) (accounts.RefreshToken, error) {
	var r refreshRow
	err := a.db.WithContext(ctx).Where("hash = ?", hash).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return accounts.RefreshToken{}, accounts.ErrSessionInvalid
	}
	if err != nil {
		return accounts.RefreshToken{}, internal(err)
	}
	return accounts.RefreshToken{
		ID: r.ID, FamilyID: r.FamilyID, UserID: r.UserID, Hash: r.Hash, CreatedAt: r.CreatedAt,
		ExpiresAt: r.ExpiresAt, UsedAt: r.UsedAt, RevokedAt: r.RevokedAt, UserAgent: r.UserAgent, IP: r.IP,
	}, nil
}

func (a *Accounts) MarkRefreshTokenUsed(ctx context.Context, id string, at time.Time) (bool, error) {
	res := a.db.WithContext(ctx).Model(&refreshRow{}).
		Where("id = ? AND used_at IS NULL AND revoked_at IS NULL", id).
		Update("used_at", at)
	return res.RowsAffected == 1, internal(res.Error)
}

func (a *Accounts) RevokeRefreshFamily(ctx context.Context, familyID string, at time.Time) error {
	err := a.db.WithContext(ctx).Model(&refreshRow{}).
		Where("family_id = ? AND revoked_at IS NULL", familyID).
		Update("revoked_at", at).Error
	return internal(err)
}

func (a *Accounts) RevokeUserSessions(ctx context.Context, userID string, at time.Time) error {
	err := a.db.WithContext(ctx).Model(&refreshRow{}).
		Where("user_id = ? AND revoked_at IS NULL", userID).
		Update("revoked_at", at).Error
	return internal(err)
}

func (a *Accounts) CreateInvite(ctx context.Context, inv accounts.Invite) error {
	row := inviteRow{
		ID: inv.ID, CodeHash: inv.CodeHash, Role: string(inv.Role), Email: inv.Email,
		CreatedBy: inv.CreatedBy, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt,
	}
	if inv.UserID != "" {
		row.UserID = &inv.UserID
	}
	return internal(a.db.WithContext(ctx).Create(&row).Error)
}

func (a *Accounts) ClaimInvite(ctx context.Context, codeHash string, at time.Time) (accounts.Invite, error) {
	res := a.db.WithContext(ctx).Model(&inviteRow{}).
		Where("code_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?", codeHash, at).
		Update("used_at", at)
	if res.Error != nil {
		return accounts.Invite{}, internal(res.Error)
	}
	if res.RowsAffected != 1 {
		return accounts.Invite{}, accounts.ErrInviteInvalid
	}
	var r inviteRow
	if err := a.db.WithContext(ctx).Where("code_hash = ?", codeHash).Take(&r).Error; err != nil {
		return accounts.Invite{}, internal(err)
	}
	return r.invite(), nil
}

func (r inviteRow) invite() accounts.Invite {
	inv := accounts.Invite{
		ID: r.ID, CodeHash: r.CodeHash, Role: accounts.Role(r.Role), Email: r.Email,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, UsedAt: r.UsedAt, RevokedAt: r.RevokedAt,
	}
	if r.UserID != nil {
		inv.UserID = *r.UserID
	}
	return inv
}

func (a *Accounts) ListInvites(ctx context.Context, limit int) ([]accounts.Invite, error) {
	var rows []inviteRow
	if err := a.db.WithContext(ctx).Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]accounts.Invite, len(rows))
	for i, r := range rows {
		out[i] = r.invite()
	}
	return out, nil
}

func (a *Accounts) InviteByID(ctx context.Context, id string) (accounts.Invite, error) {
	var r inviteRow
	err := a.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return accounts.Invite{}, accounts.ErrInviteNotFound
	}
	if err != nil {
		return accounts.Invite{}, internal(err)
	}
	return r.invite(), nil
}

func (a *Accounts) RevokeInvite(ctx context.Context, id string, at time.Time) error {
	err := a.db.WithContext(ctx).Model(&inviteRow{}).
		Where("id = ? AND used_at IS NULL AND revoked_at IS NULL", id).
		Update("revoked_at", at).Error
	return internal(err)
}

// internal wraps an unexpected database error as an Internal fault, so the
// client sees a generic message while the log keeps the cause. Faults pass
// through unchanged, and nil stays nil.
func internal(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := fault.As(err); ok {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fault.Wrap(errDatabaseTimeout, err)
	}
	return fault.Wrap(errDatabase, err)
}

var (
	errDatabase        = fault.New(fault.Internal, "database_error", "The database could not complete the request.")
	errDatabaseTimeout = fault.New(fault.Unavailable, "database_unavailable", "The database did not answer in time; try again.")
)
