package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/live"
)

type solvePointView struct {
	At     time.Time `json:"at"`
	Solves int       `json:"solves"`
}

type scoreBandView struct {
	From     int `json:"from"`
	To       int `json:"to"`
	Trainees int `json:"trainees"`
}

type solveTimeView struct {
	ObjectiveID   string  `json:"objective_id"`
	Title         string  `json:"title"`
	Solves        int     `json:"solves"`
	MedianMinutes float64 `json:"median_minutes"`
}

type stuckView struct {
	ObjectiveID string `json:"objective_id"`
	Title       string `json:"title"`
	Wrong       int    `json:"wrong"`
	Stuck       int    `json:"stuck"`
}

type classChartsView struct {
	CohortID    string           `json:"cohort_id"`
	ScenarioID  string           `json:"scenario"`
	Trainees    int              `json:"trainees"`
	Solves      []solvePointView `json:"solves"`
	ScoreBands  []scoreBandView  `json:"score_bands"`
	TimeToSolve []solveTimeView  `json:"time_to_solve"`
	Stuck       []stuckView      `json:"stuck"`
}

func classChartsViewOf(cohortID, scenarioID string, c live.Charts) classChartsView {
	v := classChartsView{CohortID: cohortID, ScenarioID: scenarioID, Trainees: c.Trainees,
		Solves: make([]solvePointView, len(c.Solves)), ScoreBands: make([]scoreBandView, len(c.ScoreBands)),
		TimeToSolve: make([]solveTimeView, len(c.TimeToSolve)), Stuck: make([]stuckView, len(c.Stuck))}
	for i, p := range c.Solves {
		v.Solves[i] = solvePointView{At: p.At.UTC(), Solves: p.Solves}
	}
	for i, b := range c.ScoreBands {
		v.ScoreBands[i] = scoreBandView(b)
	}
	for i, t := range c.TimeToSolve {
		v.TimeToSolve[i] = solveTimeView(t)
	}
	for i, s := range c.Stuck {
		v.Stuck[i] = stuckView(s)
	}
	return v
}

// charts is GET /api/v1/cohorts/:id/charts?scenario=: the class's figures
// beside the live matrix, for the same people. The page reads it again
// when the matrix's stream tells of a changed cell.
func (h liveAPI) charts(c *fiber.Ctx) error {
	scenarioID := c.Query("scenario")
	ch, err := h.live.Charts(c.UserContext(), cohortActor(c), c.Params("id"), scenarioID)
	if err != nil {
		return err
	}
	v := classChartsViewOf(c.Params("id"), scenarioID, ch)
	if sc := h.names.scenarioIn(scenarioID, readerLanguage(c, h.names.accounts)); sc != nil {
		for i := range v.TimeToSolve {
			v.TimeToSolve[i].Title = objectiveTitle(sc, v.TimeToSolve[i].ObjectiveID, v.TimeToSolve[i].Title)
		}
		for i := range v.Stuck {
			v.Stuck[i].Title = objectiveTitle(sc, v.Stuck[i].ObjectiveID, v.Stuck[i].Title)
		}
	}
	return c.JSON(v)
}
