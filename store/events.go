package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/sakimori/sakimori/cohorts"
)

var _ cohorts.EventStore = (*Cohorts)(nil)

type competitionRow struct {
	ID       string `gorm:"primaryKey"`
	CohortID *string
	// OrganisationID is set for an organisation's event.
	OrganisationID *string
	Name           string
	Scenarios      string // JSON array
	StartsAt       time.Time
	EndsAt         time.Time
	FreezeAt       *time.Time
	CreatedBy      string
	CreatedAt      time.Time
}

func (competitionRow) TableName() string { return "events" }

func competitionRowOf(e cohorts.Event) (competitionRow, error) {
	ids, err := json.Marshal(e.Scenarios)
	if err != nil {
		return competitionRow{}, internal(err)
	}
	r := competitionRow{ID: e.ID, Name: e.Name, Scenarios: string(ids), StartsAt: e.StartsAt, EndsAt: e.EndsAt,
		FreezeAt: e.FreezeAt, CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt}
	if e.CohortID != "" {
		r.CohortID = &e.CohortID
	}
	if e.OrganisationID != "" {
		r.OrganisationID = &e.OrganisationID
	}
	return r, nil
}

func (r competitionRow) event() (cohorts.Event, error) {
	var ids []string
	if err := json.Unmarshal([]byte(r.Scenarios), &ids); err != nil {
		return cohorts.Event{}, internal(err)
	}
	e := cohorts.Event{ID: r.ID, Name: r.Name, Scenarios: ids, StartsAt: r.StartsAt.UTC(), EndsAt: r.EndsAt.UTC(),
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
	if r.CohortID != nil {
		e.CohortID = *r.CohortID
	}
	if r.OrganisationID != nil {
		e.OrganisationID = *r.OrganisationID
	}
	if r.FreezeAt != nil {
		t := r.FreezeAt.UTC()
		e.FreezeAt = &t
	}
	return e, nil
}

func (s *Cohorts) CreateEvent(ctx context.Context, e cohorts.Event) error {
	row, err := competitionRowOf(e)
	if err != nil {
		return err
	}
	return internal(s.db.WithContext(ctx).Create(&row).Error)
}

func (s *Cohorts) Event(ctx context.Context, id string) (cohorts.Event, error) {
	var row competitionRow
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return cohorts.Event{}, cohorts.ErrEventNotFound
	}
	if err != nil {
		return cohorts.Event{}, internal(err)
	}
	return row.event()
}

func (s *Cohorts) UpdateEvent(ctx context.Context, e cohorts.Event) error {
	row, err := competitionRowOf(e)
	if err != nil {
		return err
	}
	res := s.db.WithContext(ctx).Model(&competitionRow{}).Where("id = ?", e.ID).Updates(map[string]any{
		"name": row.Name, "scenarios": row.Scenarios, "starts_at": row.StartsAt, "ends_at": row.EndsAt, "freeze_at": row.FreezeAt,
	})
	if res.Error != nil {
		return internal(res.Error)
	}
	if res.RowsAffected == 0 {
		return cohorts.ErrEventNotFound
	}
	return nil
}

func (s *Cohorts) DeleteEvent(ctx context.Context, id string) error {
	res := s.db.WithContext(ctx).Where("id = ?", id).Delete(&competitionRow{})
	if res.Error != nil {
		return internal(res.Error)
	}
	if res.RowsAffected == 0 {
		return cohorts.ErrEventNotFound
	}
	return nil
}

func (s *Cohorts) Events(ctx context.Context, f cohorts.EventFilter) ([]cohorts.Event, error) {
	q := s.db.WithContext(ctx).Order("starts_at DESC, id")
	if !f.All {
		where, args := "(cohort_id IS NULL AND organisation_id IS NULL)", []any{}
		if len(f.CohortIDs) > 0 {
			where, args = where+" OR cohort_id IN ?", append(args, f.CohortIDs)
		}
		if len(f.OrganisationIDs) > 0 {
			where, args = where+" OR organisation_id IN ?", append(args, f.OrganisationIDs)
		}
		q = q.Where(where, args...)
	}
	var rows []competitionRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]cohorts.Event, len(rows))
	for i, r := range rows {
		e, err := r.event()
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}
