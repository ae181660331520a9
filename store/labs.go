package store

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"gorm.io/gorm"

	"github.com/sakimori/sakimori/labs"
)

// Labs implements labs.Store.
type Labs struct {
	db      *gorm.DB
	dialect string
	now     func() time.Time
}

// Labs returns the lab store over db.
func (db *DB) Labs() *Labs { return &Labs{db: db.gorm, dialect: db.dialect, now: db.now} }

var _ labs.Store = (*Labs)(nil)

type instanceRow struct {
	ID               string `gorm:"primaryKey"`
	TraineeID        string
	ScenarioID       string
	ScenarioVersion  int
	State            string
	Step             string
	Reason           string
	Extensions       int
	CreatedAt        time.Time
	UpdatedAt        time.Time
	StartedAt        *time.Time
	StoppedAt        *time.Time
	ExpiresAt        time.Time
	TerminalOpenedAt *time.Time
}

func (instanceRow) TableName() string { return "lab_instances" }

type subnetRow struct {
	Subnet     string `gorm:"primaryKey"`
	InstanceID string
	Network    string
}

func (subnetRow) TableName() string { return "lab_subnets" }

func activeStates() []string {
	out := make([]string, len(labs.ActiveStates))
	for i, s := range labs.ActiveStates {
		out[i] = string(s)
	}
	return out
}

func (l *Labs) CreateInstance(ctx context.Context, inst labs.Instance, capacity int) error {
	return l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if l.dialect == "postgres" {
			// Serialise capacity checks across servers for this transaction;
			// SQLite's immediate transactions already serialise writers.
			if err := tx.Exec("SELECT pg_advisory_xact_lock(7413001)").Error; err != nil {
				return internal(err)
			}
		}
		var active int64
		if err := tx.Model(&instanceRow{}).Where("state IN ?", activeStates()).Count(&active).Error; err != nil {
			return internal(err)
		}
		if active >= int64(capacity) {
			return labs.ErrRangeFull
		}
		row := instanceRow{
			ID: inst.ID, TraineeID: inst.TraineeID, ScenarioID: inst.ScenarioID, ScenarioVersion: inst.ScenarioVersion,
			State: string(inst.State), Step: inst.Step, CreatedAt: inst.CreatedAt, UpdatedAt: inst.UpdatedAt, ExpiresAt: inst.ExpiresAt,
		}
		if err := tx.Create(&row).Error; errors.Is(err, gorm.ErrDuplicatedKey) {
			return labs.ErrLabRunning // the one-active-lab-per-trainee index
		} else if err != nil {
			return internal(err)
		}
		for _, n := range inst.Networks {
			err := tx.Create(&subnetRow{Subnet: n.Subnet.String(), InstanceID: inst.ID, Network: n.Name}).Error
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return labs.ErrSubnetTaken
			}
			if err != nil {
				return internal(err)
			}
		}
		return nil
	})
}

func (l *Labs) Instance(ctx context.Context, id string) (labs.Instance, error) {
	var row instanceRow
	err := l.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return labs.Instance{}, labs.ErrLabNotFound
	}
	if err != nil {
		return labs.Instance{}, internal(err)
	}
	list, err := l.withNetworks(ctx, []instanceRow{row})
	if err != nil {
		return labs.Instance{}, err
	}
	return list[0], nil
}

func (l *Labs) ListInstances(ctx context.Context, f labs.ListFilter) ([]labs.Instance, error) {
	q := l.db.WithContext(ctx).Model(&instanceRow{})
	if f.TraineeID != "" {
		q = q.Where("trainee_id = ?", f.TraineeID)
	}
	if f.Trainees != nil {
		if len(f.Trainees) == 0 {
			return []labs.Instance{}, nil
		}
		q = q.Where("trainee_id IN ?", f.Trainees)
	}
	if f.ActiveOnly {
		q = q.Where("state IN ?", activeStates())
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []instanceRow
	if err := q.Order("created_at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	return l.withNetworks(ctx, rows)
}

// withNetworks converts rows and attaches the subnets each still holds.
func (l *Labs) withNetworks(ctx context.Context, rows []instanceRow) ([]labs.Instance, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var subnets []subnetRow
	if len(ids) > 0 {
		if err := l.db.WithContext(ctx).Where("instance_id IN ?", ids).Order("network").Find(&subnets).Error; err != nil {
			return nil, internal(err)
		}
	}
	nets := map[string][]labs.InstanceNetwork{}
	for _, s := range subnets {
		p, err := netip.ParsePrefix(s.Subnet)
		if err != nil {
			return nil, internal(err)
		}
		nets[s.InstanceID] = append(nets[s.InstanceID], labs.InstanceNetwork{Name: s.Network, Subnet: p})
	}
	out := make([]labs.Instance, len(rows))
	for i, r := range rows {
		out[i] = labs.Instance{
			ID: r.ID, TraineeID: r.TraineeID, ScenarioID: r.ScenarioID, ScenarioVersion: r.ScenarioVersion,
			State: labs.State(r.State), Step: r.Step, Reason: r.Reason, Extensions: r.Extensions,
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, StartedAt: r.StartedAt, StoppedAt: r.StoppedAt,
			ExpiresAt: r.ExpiresAt, Networks: nets[r.ID], TerminalOpened: r.TerminalOpenedAt,
		}
	}
	return out, nil
}

func (l *Labs) UsedSubnets(ctx context.Context) (map[netip.Prefix]bool, error) {
	var subnets []string
	if err := l.db.WithContext(ctx).Model(&subnetRow{}).Pluck("subnet", &subnets).Error; err != nil {
		return nil, internal(err)
	}
	used := make(map[netip.Prefix]bool, len(subnets))
	for _, s := range subnets {
		if p, err := netip.ParsePrefix(s); err == nil {
			used[p] = true
		}
	}
	return used, nil
}

func (l *Labs) Transition(ctx context.Context, id string, from []labs.State, to labs.State, c labs.Change) (bool, error) {
	states := make([]string, len(from))
	for i, s := range from {
		states[i] = string(s)
	}
	set := map[string]any{"state": string(to), "step": c.Step, "reason": c.Reason, "updated_at": l.now().UTC()}
	if c.StartedAt != nil {
		set["started_at"] = *c.StartedAt
	}
	if c.StoppedAt != nil {
		set["stopped_at"] = *c.StoppedAt
	}
	if c.ExpiresAt != nil {
		set["expires_at"] = *c.ExpiresAt
	}
	res := l.db.WithContext(ctx).Model(&instanceRow{}).Where("id = ? AND state IN ?", id, states).Updates(set)
	return res.RowsAffected == 1, internal(res.Error)
}

func (l *Labs) Extend(ctx context.Context, id string, seen int, expires time.Time) (bool, error) {
	res := l.db.WithContext(ctx).Model(&instanceRow{}).
		Where("id = ? AND state = ? AND extensions = ?", id, string(labs.StateRunning), seen).
		Updates(map[string]any{"expires_at": expires, "extensions": seen + 1, "updated_at": l.now().UTC()})
	return res.RowsAffected == 1, internal(res.Error)
}

func (l *Labs) ReleaseSubnets(ctx context.Context, id string) error {
	return internal(l.db.WithContext(ctx).Where("instance_id = ?", id).Delete(&subnetRow{}).Error)
}

func (l *Labs) MoveSubnets(ctx context.Context, id string, networks []labs.InstanceNetwork) error {
	return l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("instance_id = ?", id).Delete(&subnetRow{}).Error; err != nil {
			return internal(err)
		}
		for _, n := range networks {
			err := tx.Create(&subnetRow{Subnet: n.Subnet.String(), InstanceID: id, Network: n.Name}).Error
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return labs.ErrSubnetTaken // the transaction is undone: the old subnets stay
			}
			if err != nil {
				return internal(err)
			}
		}
		return nil
	})
}

func (l *Labs) MarkTerminalOpened(ctx context.Context, id string, at time.Time) error {
	err := l.db.WithContext(ctx).Model(&instanceRow{}).
		Where("id = ? AND terminal_opened_at IS NULL", id).Update("terminal_opened_at", at).Error
	return internal(err)
}

func (l *Labs) Expired(ctx context.Context, now time.Time) ([]labs.Instance, error) {
	var rows []instanceRow
	err := l.db.WithContext(ctx).Where("state = ? AND expires_at <= ?", string(labs.StateRunning), now.UTC()).Find(&rows).Error
	if err != nil {
		return nil, internal(err)
	}
	return l.withNetworks(ctx, rows)
}
