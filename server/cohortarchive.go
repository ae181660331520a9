package server

import (
	"archive/zip"
	"context"
	"encoding/json"
	"io"
	"sort"
	"time"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/competency"
	"github.com/sakimori/sakimori/competency/pdf"
	"github.com/sakimori/sakimori/partners"
	"github.com/sakimori/sakimori/progress"
	"github.com/sakimori/sakimori/scoring"
)

// cohortWork is a cohort's roster and a way to stream its records: what
// its transcripts, heat map and archive are made from, whether staff or a
// partner asks.
type cohortWork struct {
	cohort  cohorts.Cohort
	members []cohorts.Membership
	records func(ctx context.Context, fn func(partners.Record) error) error
	solves  func(ctx context.Context, fn func(partners.Record) error) error // correct answers only
}

// trainees are the cohort's trainees, named, in roster order, with anyone
// who left but whose work in the cohort still counts after them.
func (w cohortWork) trainees(seen map[string]bool) []competency.Trainee {
	var out []competency.Trainee
	listed := map[string]bool{}
	for _, m := range w.members {
		if m.Role == cohorts.CohortMember && !listed[m.Person.ID] {
			listed[m.Person.ID] = true
			out = append(out, competency.Trainee{ID: m.Person.ID, Name: m.Person.DisplayName})
		}
	}
	var former []string
	for id := range seen {
		if !listed[id] {
			former = append(former, id)
		}
	}
	sort.Strings(former)
	for _, id := range former {
		out = append(out, competency.Trainee{ID: id})
	}
	return out
}

// solvesByTrainee reads the cohort's records once, keeping each trainee's
// solves; every record is also handed to each, if given.
func (w cohortWork) solvesByTrainee(ctx context.Context, each func(partners.Record) error) (map[string][]competency.Record, map[string][]progress.Record, error) {
	solves, worked := map[string][]competency.Record{}, map[string][]progress.Record{}
	err := w.records(ctx, func(r partners.Record) error {
		solved := r.Kind == string(scoring.EventSubmission) && r.Correct
		if solved {
			solves[r.TraineeID] = append(solves[r.TraineeID], competency.Record{ID: r.ID, Scenario: r.ScenarioID, Objective: r.ObjectiveID, Lab: r.LabID, At: r.At})
		}
		if solved || r.Kind == string(scoring.EventHint) || r.Kind == string(scoring.EventReveal) {
			worked[r.TraineeID] = append(worked[r.TraineeID], progress.Record{Scenario: r.ScenarioID, Objective: r.ObjectiveID, Solved: solved, Points: r.Points, At: r.At})
		} else if _, ok := worked[r.TraineeID]; !ok {
			worked[r.TraineeID] = nil // tried (a wrong answer, a launch), so listed
		}
		if each != nil {
			return each(r)
		}
		return nil
	})
	return solves, worked, err
}

// view reads the cohort's competencies together, from its solves alone
// and without anyone's evidence lines.
func (w cohortWork) view(ctx context.Context, ix *competency.Index) (competency.CohortView, error) {
	solves := map[string][]competency.Record{}
	seen := map[string]bool{}
	err := w.solves(ctx, func(r partners.Record) error {
		solves[r.TraineeID] = append(solves[r.TraineeID], competency.Record{Scenario: r.ScenarioID, Objective: r.ObjectiveID})
		seen[r.TraineeID] = true
		return nil
	})
	if err != nil {
		return competency.CohortView{}, err
	}
	return ix.CohortOf(w.trainees(seen), solves), nil
}

func (w cohortWork) transcripts(ix *competency.Index, solves map[string][]competency.Record, worked map[string][]progress.Record, issued time.Time) []competency.Transcript {
	seen := map[string]bool{}
	for id := range worked {
		seen[id] = true
	}
	var out []competency.Transcript
	for _, t := range w.trainees(seen) {
		out = append(out, ix.Transcript(t, solves[t.ID], issued))
	}
	return out
}

// archiveTime bounds the writing of one cohort archive. Each trainee's PDF
// takes about 0.2 s on a busy 2-core machine (docs/BENCHMARKS.md), so an
// hour holds a cohort of over 10,000.
const archiveTime = time.Hour

// archiveRecord is a record as the archive lists it: with its lab.
type archiveRecord struct {
	partners.Record
	LabID string `json:"lab_id"`
}

type archiveProgress struct {
	TraineeID string           `json:"trainee_id"`
	Progress  progress.Summary `json:"progress"`
}

// writeArchive writes the cohort as a ZIP as it is read: the cohort, its
// roster, every record (one JSON object a line, streamed from the store),
// each trainee's progress and transcript (JSON and PDF), the cohort's
// competency view and its ATT&CK Navigator layer. Only trainees' solves
// are held while the records stream past; each PDF is written and let go.
func (w cohortWork) writeArchive(ctx context.Context, out io.Writer, ix *competency.Index, catalogue []progress.Scenario, words pdf.Words, issued time.Time) error {
	z := zip.NewWriter(out)
	put := func(name string, v any) error {
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: issued})
		if err != nil {
			return err
		}
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	if err := put("cohort.json", cohortViewOf(w.cohort)); err != nil {
		return err
	}
	roster := make([]cohortMemberView, len(w.members))
	for i, m := range w.members {
		roster[i] = cohortMemberViewOf(m)
	}
	if err := put("members.json", roster); err != nil {
		return err
	}
	f, err := z.CreateHeader(&zip.FileHeader{Name: "records.jsonl", Method: zip.Deflate, Modified: issued})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	solves, worked, err := w.solvesByTrainee(ctx, func(r partners.Record) error {
		return enc.Encode(archiveRecord{Record: r, LabID: r.LabID})
	})
	if err != nil {
		return err
	}
	transcripts := w.transcripts(ix, solves, worked, issued)
	summaries := make([]archiveProgress, len(transcripts))
	for i, t := range transcripts {
		summaries[i] = archiveProgress{TraineeID: t.Trainee.ID, Progress: progress.Summarise(catalogue, worked[t.Trainee.ID])}
	}
	if err := put("progress.json", summaries); err != nil {
		return err
	}
	for _, t := range transcripts {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := put("transcripts/"+t.Trainee.ID+".json", t); err != nil {
			return err
		}
		f, err := z.CreateHeader(&zip.FileHeader{Name: "transcripts/" + t.Trainee.ID + ".pdf", Method: zip.Store, Modified: issued})
		if err != nil {
			return err
		}
		if err := pdf.Write(f, t, words); err != nil {
			return err
		}
	}
	view := ix.Cohort(transcripts)
	if err := put("competencies.json", view); err != nil {
		return err
	}
	if err := put("attack-layer.json", ix.Frameworks().CohortLayer(w.cohort.Name, view)); err != nil {
		return err
	}
	return z.Close()
}
