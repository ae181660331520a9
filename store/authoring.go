package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sakimori/sakimori/authoring"
)

// Authoring implements authoring.Store.
type Authoring struct{ db *gorm.DB }

// Authoring returns the authored-scenario store over db.
func (db *DB) Authoring() *Authoring { return &Authoring{db: db.gorm} }

var _ authoring.Store = (*Authoring)(nil)

type authoredRow struct {
	ID             string `gorm:"primaryKey"`
	OrganisationID string
	ScenarioID     string
	Visibility     string
	CreatedBy      string
	CreatedAt      time.Time
}

func (authoredRow) TableName() string { return "authored_scenarios" }

type authorRow struct {
	AuthoredID string `gorm:"primaryKey"`
	UserID     string `gorm:"primaryKey"`
	AddedAt    time.Time
}

func (authorRow) TableName() string { return "authored_scenario_authors" }

type bundleRow struct {
	Digest    string `gorm:"primaryKey"`
	Size      int64
	Data      []byte
	CreatedAt time.Time
}

func (bundleRow) TableName() string { return "scenario_bundles" }

type versionRow struct {
	AuthoredID    string `gorm:"primaryKey"`
	Digest        string `gorm:"primaryKey"`
	Number        *int
	UploadedBy    string
	CreatedAt     time.Time
	PublishedAt   *time.Time
	UnpublishedAt *time.Time
	Size          int64  `gorm:"->;-:migration"`             // read from the bundle
	Name          string `gorm:"->;-:migration;column:name"` // read from the scenario
}

func (versionRow) TableName() string { return "authored_scenario_versions" }

func (r versionRow) version() authoring.Version {
	v := authoring.Version{AuthoredID: r.AuthoredID, Name: r.Name, Digest: r.Digest, Size: r.Size, UploadedBy: r.UploadedBy,
		CreatedAt: r.CreatedAt.UTC(), PublishedAt: utcPtr(r.PublishedAt), UnpublishedAt: utcPtr(r.UnpublishedAt)}
	if r.Number != nil {
		v.Number = *r.Number
	}
	return v
}

func (a *Authoring) scenario(ctx context.Context, where string, args ...any) (authoring.Scenario, error) {
	var row authoredRow
	err := a.db.WithContext(ctx).Where(where, args...).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return authoring.Scenario{}, authoring.ErrNotFound
	}
	if err != nil {
		return authoring.Scenario{}, internal(err)
	}
	var authors []authorRow
	if err := a.db.WithContext(ctx).Where("authored_id = ?", row.ID).Order("added_at, user_id").Find(&authors).Error; err != nil {
		return authoring.Scenario{}, internal(err)
	}
	return row.scenario(authors), nil
}

// scenario is the row with those of authors that are its own.
func (row authoredRow) scenario(authors []authorRow) authoring.Scenario {
	s := authoring.Scenario{ID: row.ID, OrganisationID: row.OrganisationID, ScenarioID: row.ScenarioID,
		Visibility: authoring.Visibility(row.Visibility), CreatedBy: row.CreatedBy, CreatedAt: row.CreatedAt.UTC()}
	for _, au := range authors {
		if au.AuthoredID == row.ID {
			s.Authors = append(s.Authors, au.UserID)
		}
	}
	return s
}

func (a *Authoring) ScenarioByName(ctx context.Context, orgID, scenarioID string) (authoring.Scenario, error) {
	return a.scenario(ctx, "organisation_id = ? AND scenario_id = ?", orgID, scenarioID)
}

func (a *Authoring) Scenario(ctx context.Context, id string) (authoring.Scenario, error) {
	return a.scenario(ctx, "id = ?", id)
}

func (a *Authoring) Scenarios(ctx context.Context, orgID string) ([]authoring.Scenario, error) {
	var rows []authoredRow
	if err := a.db.WithContext(ctx).Where("organisation_id = ?", orgID).Order("scenario_id").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var authors []authorRow
	if len(ids) > 0 {
		if err := a.db.WithContext(ctx).Where("authored_id IN ?", ids).Order("added_at, user_id").Find(&authors).Error; err != nil {
			return nil, internal(err)
		}
	}
	out := make([]authoring.Scenario, len(rows))
	for i, row := range rows {
		out[i] = row.scenario(authors)
	}
	return out, nil
}

func (a *Authoring) CreateScenario(ctx context.Context, s authoring.Scenario) error {
	return internal(a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := authoredRow{ID: s.ID, OrganisationID: s.OrganisationID, ScenarioID: s.ScenarioID,
			Visibility: string(s.Visibility), CreatedBy: s.CreatedBy, CreatedAt: s.CreatedAt}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return tx.Create(&authorRow{AuthoredID: s.ID, UserID: s.CreatedBy, AddedAt: s.CreatedAt}).Error
	}))
}

func (a *Authoring) PutVersion(ctx context.Context, v authoring.Version, data []byte) (authoring.Version, error) {
	err := a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		b := bundleRow{Digest: v.Digest, Size: int64(len(data)), Data: data, CreatedAt: v.CreatedAt}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&b).Error; err != nil {
			return err
		}
		row := versionRow{AuthoredID: v.AuthoredID, Digest: v.Digest, UploadedBy: v.UploadedBy, CreatedAt: v.CreatedAt}
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Omit("Size", "Name").Create(&row).Error
	})
	if err != nil {
		return authoring.Version{}, internal(err)
	}
	return a.Version(ctx, v.AuthoredID, v.Digest)
}

// versions reads version rows with their bundle's size.
func (a *Authoring) versions(ctx context.Context) *gorm.DB {
	return a.db.WithContext(ctx).Table("authored_scenario_versions AS v").
		Select("v.authored_id, v.digest, v.number, v.uploaded_by, v.created_at, v.published_at, v.unpublished_at, b.size, s.scenario_id AS name").
		Joins("JOIN scenario_bundles b ON b.digest = v.digest").
		Joins("JOIN authored_scenarios s ON s.id = v.authored_id")
}

func (a *Authoring) Versions(ctx context.Context, authoredID string) ([]authoring.Version, error) {
	var rows []versionRow
	err := a.versions(ctx).Where("v.authored_id = ?", authoredID).
		Order("CASE WHEN v.number IS NULL THEN 1 ELSE 0 END, v.number DESC, v.created_at DESC, v.digest").Find(&rows).Error
	if err != nil {
		return nil, internal(err)
	}
	out := make([]authoring.Version, len(rows))
	for i, r := range rows {
		out[i] = r.version()
	}
	return out, nil
}

func (a *Authoring) Version(ctx context.Context, authoredID, digest string) (authoring.Version, error) {
	var rows []versionRow
	if err := a.versions(ctx).Where("v.authored_id = ? AND v.digest = ?", authoredID, digest).Find(&rows).Error; err != nil {
		return authoring.Version{}, internal(err)
	}
	if len(rows) == 0 {
		return authoring.Version{}, authoring.ErrNotFound
	}
	return rows[0].version(), nil
}

func (a *Authoring) Publish(ctx context.Context, authoredID, digest string, at time.Time) (authoring.Version, error) {
	var refusal error
	err := a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Touching the scenario's row first takes its lock (a row lock on
		// PostgreSQL, the write lock on SQLite), so publishes of one
		// scenario run one at a time and each reads the number before it.
		if err := tx.Exec("UPDATE authored_scenarios SET id = id WHERE id = ?", authoredID).Error; err != nil {
			return err
		}
		var row versionRow
		err := tx.Omit("Size", "Name").Where("authored_id = ? AND digest = ?", authoredID, digest).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			refusal = authoring.ErrNotFound
			return nil
		}
		if err != nil {
			return err
		}
		if row.Number != nil && row.UnpublishedAt != nil {
			// Withdrawn: put it back, under the number it had.
			return tx.Model(&versionRow{}).Where("authored_id = ? AND digest = ?", authoredID, digest).
				Update("unpublished_at", nil).Error
		}
		if row.Number != nil {
			refusal = authoring.ErrPublished
			return nil
		}
		var last *int
		if err := tx.Model(&versionRow{}).Where("authored_id = ?", authoredID).Select("MAX(number)").Scan(&last).Error; err != nil {
			return err
		}
		next := 1
		if last != nil {
			next = *last + 1
		}
		// The number IS NULL guard and UNIQUE (authored_id, number) keep two
		// publishes at once from sharing a number or re-numbering a version.
		res := tx.Model(&versionRow{}).Where("authored_id = ? AND digest = ? AND number IS NULL", authoredID, digest).
			Updates(map[string]any{"number": next, "published_at": at})
		if res.Error == nil && res.RowsAffected == 0 {
			refusal = authoring.ErrPublished
		}
		return res.Error
	})
	if err != nil {
		return authoring.Version{}, internal(err)
	}
	if refusal != nil {
		return authoring.Version{}, refusal
	}
	return a.Version(ctx, authoredID, digest)
}

func (a *Authoring) Bundle(ctx context.Context, digest string) ([]byte, error) {
	var row bundleRow
	err := a.db.WithContext(ctx).Where("digest = ?", digest).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, authoring.ErrNotFound
	}
	return row.Data, internal(err)
}

func (a *Authoring) SetVisibility(ctx context.Context, authoredID string, v authoring.Visibility) error {
	res := a.db.WithContext(ctx).Model(&authoredRow{}).Where("id = ?", authoredID).Update("visibility", string(v))
	if res.Error == nil && res.RowsAffected == 0 {
		return authoring.ErrNotFound
	}
	return internal(res.Error)
}

func (a *Authoring) Unpublish(ctx context.Context, authoredID, digest string, at time.Time) (authoring.Version, error) {
	if _, err := a.Version(ctx, authoredID, digest); err != nil {
		return authoring.Version{}, err
	}
	res := a.db.WithContext(ctx).Model(&versionRow{}).
		Where("authored_id = ? AND digest = ? AND number IS NOT NULL AND unpublished_at IS NULL", authoredID, digest).
		Update("unpublished_at", at)
	if res.Error != nil {
		return authoring.Version{}, internal(res.Error)
	}
	if res.RowsAffected == 0 {
		return authoring.Version{}, authoring.ErrUnpublished
	}
	return a.Version(ctx, authoredID, digest)
}

func (a *Authoring) VersionsOfBundle(ctx context.Context, digest string) ([]authoring.Version, error) {
	return a.list(a.versions(ctx).Where("v.digest = ?", digest).Order("v.authored_id"))
}

func (a *Authoring) LiveVersions(ctx context.Context) ([]authoring.Version, error) {
	// The highest live number of each scenario: no live version of the
	// same scenario has a higher one.
	return a.list(a.versions(ctx).
		Where("v.number IS NOT NULL AND v.unpublished_at IS NULL").
		Where("NOT EXISTS (SELECT 1 FROM authored_scenario_versions w WHERE w.authored_id = v.authored_id " +
			"AND w.number > v.number AND w.unpublished_at IS NULL)").
		Order("v.authored_id"))
}

func (a *Authoring) list(q *gorm.DB) ([]authoring.Version, error) {
	var rows []versionRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]authoring.Version, len(rows))
	for i, r := range rows {
		out[i] = r.version()
	}
	return out, nil
}

type rehearsalRow struct {
	ID         string `gorm:"primaryKey"`
	AuthoredID string
	Digest     string
	StartedBy  string
	StartedAt  time.Time
	FinishedAt *time.Time
	Passed     bool
	Log        string
}

func (rehearsalRow) TableName() string { return "authored_rehearsals" }

func (a *Authoring) CreateRehearsal(ctx context.Context, r authoring.Rehearsal) error {
	return internal(a.db.WithContext(ctx).Create(&rehearsalRow{ID: r.ID, AuthoredID: r.AuthoredID, Digest: r.Digest,
		StartedBy: r.StartedBy, StartedAt: r.StartedAt}).Error)
}

func (a *Authoring) FinishRehearsal(ctx context.Context, id string, passed bool, log string, at time.Time) error {
	return internal(a.db.WithContext(ctx).Model(&rehearsalRow{}).Where("id = ?", id).
		Updates(map[string]any{"finished_at": at, "passed": passed, "log": log}).Error)
}

func (a *Authoring) LatestRehearsal(ctx context.Context, authoredID, digest string) (authoring.Rehearsal, error) {
	var rows []rehearsalRow
	err := a.db.WithContext(ctx).Where("authored_id = ? AND digest = ?", authoredID, digest).
		Order("started_at DESC, id DESC").Limit(1).Find(&rows).Error
	if err != nil {
		return authoring.Rehearsal{}, internal(err)
	}
	if len(rows) == 0 {
		return authoring.Rehearsal{}, authoring.ErrNoRehearsal
	}
	r := rows[0]
	return authoring.Rehearsal{ID: r.ID, AuthoredID: r.AuthoredID, Digest: r.Digest, StartedBy: r.StartedBy,
		StartedAt: r.StartedAt.UTC(), FinishedAt: utcPtr(r.FinishedAt), Passed: r.Passed, Log: r.Log}, nil
}

func (a *Authoring) Rehearsed(ctx context.Context, authoredID, digest string) (bool, error) {
	var n int64
	err := a.db.WithContext(ctx).Model(&rehearsalRow{}).
		Where("authored_id = ? AND digest = ? AND passed AND finished_at IS NOT NULL", authoredID, digest).Count(&n).Error
	return n > 0, internal(err)
}

type labImageRow struct {
	Name    string `gorm:"primaryKey"`
	RunAs   string
	Layers  int
	AddedBy *string // nil: an operator at the command line
	AddedAt time.Time
}

func (labImageRow) TableName() string { return "lab_images" }

// KeepLabImage implements authoring.Store.
func (s *Authoring) KeepLabImage(ctx context.Context, img authoring.LabImage) error {
	row := labImageRow{Name: img.Name, RunAs: img.RunAs, Layers: img.Layers, AddedAt: img.AddedAt.UTC()}
	if img.AddedBy != "" {
		row.AddedBy = &img.AddedBy
	}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error
}

// LabImages implements authoring.Store.
func (s *Authoring) LabImages(ctx context.Context) ([]authoring.LabImage, error) {
	var rows []labImageRow
	if err := s.db.WithContext(ctx).Order("name").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]authoring.LabImage, len(rows))
	for i, r := range rows {
		out[i] = authoring.LabImage{Name: r.Name, RunAs: r.RunAs, Layers: r.Layers, AddedAt: r.AddedAt}
		if r.AddedBy != nil {
			out[i].AddedBy = *r.AddedBy
		}
	}
	return out, nil
}
