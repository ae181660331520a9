package server

import (
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/server/auth"
)

// scoringAPI serves objectives, submissions, hints and scores.
type scoringAPI struct {
	scoring *scoring.Service
	audit   audit.Recorder // staff reading suspicions and trainees' records
	names   traineeNames   // names trainees and scenarios in staff views
}

type hintView struct {
	ID       string `json:"id"`
	Cost     int    `json:"cost"`
	Unlocked bool   `json:"unlocked"`
	Text     string `json:"text,omitempty"`
}

type objectiveStateView struct {
	ID           string        `json:"id"`
	Track        scoring.Track `json:"track"`
	Kind         scoring.Kind  `json:"kind"`
	Title        string        `json:"title"`
	Points       int           `json:"points"`
	Solved       bool          `json:"solved"`
	Choices      []choiceView  `json:"choices,omitempty"` // multiple choice: pick one
	Walkthrough  bool          `json:"walkthrough_available"`
	Revealed     bool          `json:"walkthrough_revealed"`
	AttemptsLeft int           `json:"attempts_left"` // -1: unlimited
	Hints        []hintView    `json:"hints"`
}

// choiceView is one choice of a multiple-choice objective: the value the
// trainee submits, and the label shown in the reader's language.
type choiceView struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

type objectiveList struct {
	Objectives []objectiveStateView `json:"objectives"`
}

// labParam is the lab id from the path, refused early if malformed. It is
// copied: Fiber's path values point into a buffer the next request reuses,
// and a lab id may outlive this one (a terminal ticket keeps it).
func labParam(c *fiber.Ctx) (string, error) {
	id := c.Params("id")
	if !labID.MatchString(id) {
		return "", labs.ErrLabNotFound
	}
	return strings.Clone(id), nil
}

func (h scoringAPI) objectives(c *fiber.Ctx) error {
	id, err := labParam(c)
	if err != nil {
		return err
	}
	list, err := h.scoring.Objectives(c.UserContext(), auth.PrincipalOf(c).UserID, id)
	if err != nil {
		return err
	}
	words := h.names.labScenarioWords(c, auth.PrincipalOf(c).UserID, id)
	return c.JSON(objectiveList{Objectives: objectiveViews(list, words)})
}

// objectiveViews shows a trainee's objectives as they stand, to the
// trainee or to staff looking at the trainee's lab, in words's language
// (nil: the manifest's English).
func objectiveViews(list []scoring.ObjectiveState, words *scenarioWords) []objectiveStateView {
	out := make([]objectiveStateView, len(list))
	for i, o := range list {
		v := objectiveStateView{ID: o.Objective.ID, Track: o.Objective.Track, Kind: o.Objective.Kind, Title: words.title(o.Objective.ID, o.Objective.Title),
			Points: o.Objective.Points, Solved: o.Solved, AttemptsLeft: o.AttemptsLeft, Hints: []hintView{},
			Walkthrough: o.WalkthroughAvailable(), Revealed: o.Revealed}
		for _, choice := range o.Objective.Choices {
			v.Choices = append(v.Choices, choiceView{Value: choice, Label: words.choice(o.Objective.ID, choice)})
		}
		for _, hs := range o.Hints {
			v.Hints = append(v.Hints, hintView{ID: hs.ID, Cost: hs.Cost, Unlocked: hs.Unlocked, Text: words.hint(hs.ID, hs.Text)})
		}
		out[i] = v
	}
	return out
}

// verdictView is the answer to an answer. Only a check has evidence,
// always (even empty); a submission never has any.
type verdictView struct {
	AlreadySolved bool    `json:"already_solved"`
	AttemptsLeft  int     `json:"attempts_left"`
	Correct       bool    `json:"correct"`
	Evidence      *string `json:"evidence,omitempty"`
	Message       string  `json:"message"`
	Points        int     `json:"points"`
}

func verdictOf(lang string, r scoring.Result, evidence *string) verdictView {
	return verdictView{AlreadySolved: r.AlreadySolved, AttemptsLeft: r.AttemptsLeft, Correct: r.Correct,
		Evidence: evidence, Message: verdictMessage(lang, r), Points: r.Points}
}

type submitRequest struct {
	Answer string `json:"answer"`
}

func (h scoringAPI) submit(c *fiber.Ctx) error {
	id, err := labParam(c)
	if err != nil {
		return err
	}
	var req submitRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := h.scoring.Submit(c.UserContext(), auth.PrincipalOf(c).UserID, id, c.Params("objective"), req.Answer, c.IP())
	if err != nil {
		return err
	}
	return c.JSON(verdictOf(readerLanguage(c, h.names.accounts), r, nil))
}

func (h scoringAPI) check(c *fiber.Ctx) error {
	id, err := labParam(c)
	if err != nil {
		return err
	}
	r, err := h.scoring.RunCheck(c.UserContext(), auth.PrincipalOf(c).UserID, id, c.Params("objective"), c.IP())
	if err != nil {
		return err
	}
	return c.JSON(verdictOf(readerLanguage(c, h.names.accounts), r, &r.Evidence))
}

func (h scoringAPI) hint(c *fiber.Ctx) error {
	id, err := labParam(c)
	if err != nil {
		return err
	}
	hs, err := h.scoring.UnlockHint(c.UserContext(), auth.PrincipalOf(c).UserID, id, c.Params("hint"), c.IP())
	if err != nil {
		return err
	}
	words := h.names.labScenarioWords(c, auth.PrincipalOf(c).UserID, id)
	return c.JSON(hintView{ID: hs.ID, Cost: hs.Cost, Unlocked: true, Text: words.hint(hs.ID, hs.Text)})
}

type scoreView struct {
	Points int `json:"points"`
	Solved int `json:"solved"`
}

func (h scoringAPI) myScore(c *fiber.Ctx) error {
	points, solved, err := h.scoring.Score(c.UserContext(), auth.PrincipalOf(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(scoreView{Points: points, Solved: solved})
}

type suspicionView struct {
	Reason         string    `json:"reason"` // shared_flag, or the marks: fast_solve, no_session
	Trainee        string    `json:"trainee_id"`
	TraineeName    string    `json:"trainee_name"`
	SharedWith     string    `json:"shared_with,omitempty"`
	SharedWithName string    `json:"shared_with_name,omitempty"`
	ScenarioTitle  string    `json:"scenario_title"`
	Lab            string    `json:"lab_id"`
	Scenario       string    `json:"scenario"`
	Objective      string    `json:"objective"`
	IP             string    `json:"ip"`
	At             time.Time `json:"at"`
}

type suspicionList struct {
	Suspicions []suspicionView `json:"suspicions"`
}

func (h scoringAPI) suspicions(c *fiber.Ctx) error {
	a, err := actorOf(c)
	if err != nil {
		return err
	}
	list, err := h.scoring.Suspicions(c.UserContext())
	if err != nil {
		return err
	}
	// An instructor sees the marks of their classes' trainees; a flag shared
	// with someone outside them still shows, without that person's name.
	list = slices.DeleteFunc(list, func(e scoring.Event) bool { return !a.MayActFor(e.TraineeID) })
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.SuspicionsView, TargetKind: "suspicions"}); err != nil {
		return err
	}
	out := make([]suspicionView, len(list))
	name := h.names.trainees(c.UserContext())
	lang := readerLanguage(c, h.names.accounts)
	for i, e := range list {
		out[i] = suspicionView{Reason: e.SuspicionReason(), Trainee: e.TraineeID, SharedWith: e.SharedWith, Lab: e.InstanceID, Scenario: e.ScenarioID,
			Objective: strings.Clone(e.ObjectiveID), IP: e.IP, At: e.At}
		out[i].TraineeName, out[i].SharedWithName = name(e.TraineeID), name(e.SharedWith)
		if e.SharedWith != "" && !a.MayActFor(e.SharedWith) {
			out[i].SharedWithName = "" // not one of the instructor's trainees
		}
		out[i].ScenarioTitle = h.names.scenario(e.ScenarioID, lang)
	}
	return c.JSON(suspicionList{Suspicions: out})
}

type standingView struct {
	Rank        int        `json:"rank"`
	TraineeID   string     `json:"trainee_id"`
	DisplayName string     `json:"display_name"`
	Points      int        `json:"points"`
	Solved      int        `json:"solved"`
	LastSolveAt *time.Time `json:"last_solve_at,omitempty"`
}

type scoreboardView struct {
	Frozen    bool           `json:"frozen"` // trainees see the board as it stood at the freeze
	Standings []standingView `json:"standings"`
}

func (h scoringAPI) scoreboard(c *fiber.Ctx) error {
	list, frozen, err := h.scoring.Scoreboard(c.UserContext(), c.Query("scenario"), c.QueryInt("limit", 100), staffRole(auth.PrincipalOf(c).Role))
	if err != nil {
		return err
	}
	out := make([]standingView, len(list))
	for i, s := range list {
		out[i] = standingView{Rank: s.Rank, TraineeID: s.TraineeID, DisplayName: s.DisplayName, Points: s.Points, Solved: s.Solved}
		if !s.LastSolveAt.IsZero() {
			at := s.LastSolveAt
			out[i].LastSolveAt = &at
		}
	}
	return c.JSON(scoreboardView{Frozen: frozen, Standings: out})
}

type walkthroughView struct {
	Message     string `json:"message"`
	Walkthrough string `json:"walkthrough"`
}

func (h scoringAPI) walkthrough(c *fiber.Ctx) error {
	id, err := labParam(c)
	if err != nil {
		return err
	}
	text, err := h.scoring.Reveal(c.UserContext(), auth.PrincipalOf(c).UserID, id, c.Params("objective"), c.IP())
	if err != nil {
		return err
	}
	words := h.names.labScenarioWords(c, auth.PrincipalOf(c).UserID, id)
	return c.JSON(walkthroughView{Message: walkthroughMessage(readerLanguage(c, h.names.accounts)), Walkthrough: words.walkthrough(c.Params("objective"), text)})
}

type eventView struct {
	Kind       string    `json:"kind"`
	Lab        string    `json:"lab_id"`
	Scenario   string    `json:"scenario"`
	Objective  string    `json:"objective,omitempty"`
	Hint       string    `json:"hint,omitempty"`
	Correct    bool      `json:"correct"`
	Points     int       `json:"points"`
	SharedWith string    `json:"shared_with,omitempty"`
	Note       string    `json:"note,omitempty"`
	Evidence   string    `json:"evidence,omitempty"`
	Check      bool      `json:"check,omitempty"` // a state check the range ran: correct is passed, evidence its output
	IP         string    `json:"ip"`
	At         time.Time `json:"at"`
}

type historyView struct {
	TraineeName string      `json:"trainee_name"`
	Events      []eventView `json:"events"`
}

// trainee shows instructors one trainee's every record.
func (h scoringAPI) trainee(c *fiber.Ctx) error {
	trainee := strings.Clone(c.Params("trainee"))
	if ok, err := supervises(c, trainee); err != nil {
		return err
	} else if !ok {
		return errTraineeNotFound
	}
	list, err := h.scoring.History(c.UserContext(), trainee)
	if err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.TraineeRecordView, TargetKind: "user", TargetID: trainee}); err != nil {
		return err
	}
	out := make([]eventView, len(list))
	for i, e := range list {
		out[i] = eventView{Kind: string(e.Kind), Lab: e.InstanceID, Scenario: e.ScenarioID, Objective: e.ObjectiveID,
			Hint: e.HintID, Correct: e.Correct, Points: e.Points, SharedWith: e.SharedWith, Note: e.Note,
			Evidence: e.Evidence, Check: e.Kind == scoring.EventSubmission && h.names.isCheck(e.ScenarioID, e.ObjectiveID), IP: e.IP, At: e.At}
	}
	return c.JSON(historyView{TraineeName: h.names.trainees(c.UserContext())(c.Params("trainee")), Events: out})
}
