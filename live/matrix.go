// Package live is the instructor's live view of a class: the matrix of
// trainees by objectives, kept current from the scoring records and the
// labs' changes as they happen, and messages sent to a whole cohort.
// It knows the other domains only through their records and watchers.
package live

import (
	"strings"
	"time"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/scoring"
)

// Cell is how far one trainee got with one objective.
type Cell uint8

const (
	Untouched Cell = iota
	Attempted      // a wrong answer or a failed check, no solve yet
	Solved
)

func (c Cell) String() string {
	switch c {
	case Solved:
		return "solved"
	case Attempted:
		return "attempted"
	}
	return "untouched"
}

// Column is one of the scenario's objectives, with its hints, which the
// class's managers may unlock for everyone.
type Column struct {
	ID    string       `json:"id"`
	Title string       `json:"title"`
	Hints []ColumnHint `json:"hints,omitempty"`
}

// ColumnHint is a hint of an objective as its instructor sees it.
type ColumnHint struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	Cost int    `json:"cost"`
}

// Row is one trainee's line: their cells (in column order, one byte each so
// a class of hundreds costs little to keep per viewer) and their lab.
type Row struct {
	TraineeID    string
	DisplayName  string
	Cells        []Cell
	LabID        string
	LabState     labs.State // empty: no lab of this scenario yet
	LabStarted   *time.Time // when the current lab first became usable
	LabStopped   *time.Time
	Hints        int
	Walkthroughs int
	Marks        []string // suspicion marks: shared_flag, fast_solve, no_session
}

// Matrix is a class's rows over a scenario's columns.
type Matrix struct {
	ScenarioID string
	Columns    []Column
	Rows       []Row
	column     map[string]int
	row        map[string]int
	counted    map[string]bool // hint and walkthrough records already counted
}

// Member is a trainee of the class as the matrix names them.
type Member struct {
	ID          string
	DisplayName string
}

// NewMatrix lays out the members over the objectives, everything untouched.
func NewMatrix(scenarioID string, columns []Column, members []Member) *Matrix {
	m := &Matrix{ScenarioID: scenarioID, Columns: columns, Rows: make([]Row, len(members)),
		column: make(map[string]int, len(columns)), row: make(map[string]int, len(members)), counted: map[string]bool{}}
	for i, c := range columns {
		m.column[c.ID] = i
	}
	cells := make([]Cell, len(members)*len(columns)) // one allocation for the whole grid
	for i, p := range members {
		m.Rows[i] = Row{TraineeID: p.ID, DisplayName: p.DisplayName, Cells: cells[i*len(columns) : (i+1)*len(columns) : (i+1)*len(columns)]}
		m.row[p.ID] = i
	}
	return m
}

// Has says whether the trainee is one of the matrix's rows.
func (m *Matrix) Has(traineeID string) bool { _, ok := m.row[traineeID]; return ok }

// Row is the trainee's row, nil if they are not in the class.
func (m *Matrix) Row(traineeID string) *Row {
	i, ok := m.row[traineeID]
	if !ok {
		return nil
	}
	return &m.Rows[i]
}

// Apply folds one scoring record in. It returns the objective whose cell
// changed (empty if none) and whether the row's counters or marks did.
func (m *Matrix) Apply(e scoring.Event) (objective string, rowChanged bool) {
	r := m.Row(e.TraineeID)
	if r == nil || e.ScenarioID != m.ScenarioID {
		return "", false
	}
	if e.Kind != scoring.EventSubmission {
		// A record may come both in the snapshot and as news; cells and
		// marks only move forward, but counters must not count it twice.
		if m.counted[e.ID] {
			return "", false
		}
		m.counted[e.ID] = true
	}
	switch e.Kind {
	case scoring.EventHint:
		r.Hints++
		return "", true
	case scoring.EventReveal:
		r.Walkthroughs++
		return "", true
	}
	for _, reason := range suspicions(e) {
		rowChanged = r.mark(reason) || rowChanged
	}
	i, ok := m.column[e.ObjectiveID]
	if !ok {
		return "", rowChanged
	}
	next := Attempted
	if e.Solves() {
		next = Solved
	}
	if next > r.Cells[i] {
		r.Cells[i] = next
		return e.ObjectiveID, rowChanged
	}
	return "", rowChanged
}

// applyProgress folds a class's progress in: the same matrix as applying
// every record it was folded from.
func (m *Matrix) applyProgress(p scoring.ClassProgress) {
	for _, r := range p.Reached {
		row, i, ok := m.cell(r.TraineeID, r.ObjectiveID)
		if !ok {
			continue
		}
		next := Attempted
		if r.Solved {
			next = Solved
		}
		row.Cells[i] = max(row.Cells[i], next)
	}
	for _, e := range p.Notable {
		m.Apply(e)
	}
}

func (m *Matrix) cell(traineeID, objectiveID string) (*Row, int, bool) {
	r := m.Row(traineeID)
	i, ok := m.column[objectiveID]
	return r, i, ok && r != nil
}

// suspicions are the record's marks an instructor should look at.
func suspicions(e scoring.Event) []string {
	var out []string
	if e.SharedWith != "" {
		out = append(out, "shared_flag")
	}
	for _, m := range strings.Split(e.Note, ",") {
		if m == "fast_solve" || m == "no_session" {
			out = append(out, m)
		}
	}
	return out
}

func (r *Row) mark(reason string) bool {
	for _, m := range r.Marks {
		if m == reason {
			return false
		}
	}
	r.Marks = append(r.Marks, reason)
	return true
}

// SetLab shows the trainee's lab of this scenario in their row, the newest
// one winning. It says whether the row changed.
func (m *Matrix) SetLab(inst labs.Instance) bool {
	r := m.Row(inst.TraineeID)
	if r == nil || inst.ScenarioID != m.ScenarioID {
		return false
	}
	if r.LabID == inst.ID && r.LabState == inst.State && sameTime(r.LabStarted, inst.StartedAt) && sameTime(r.LabStopped, inst.StoppedAt) {
		return false
	}
	r.LabID, r.LabState, r.LabStarted, r.LabStopped = inst.ID, inst.State, inst.StartedAt, inst.StoppedAt
	return true
}

func sameTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

// TimeOnTask is how long the current lab has been usable, up to now or its
// stop.
func (r Row) TimeOnTask(now time.Time) time.Duration {
	if r.LabStarted == nil {
		return 0
	}
	end := now
	if r.LabStopped != nil {
		end = *r.LabStopped
	}
	if end.Before(*r.LabStarted) {
		return 0
	}
	return end.Sub(*r.LabStarted)
}
