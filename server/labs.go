package server

import (
	"regexp"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/authoring"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/server/auth"
	"github.com/sakimori/sakimori/server/terminal"
)

// labsAPI serves the scenario catalogue and trainees' lab instances.
type labsAPI struct {
	labs     *labs.Service
	accounts *accounts.Service  // names trainees in staff lists
	streams  *terminal.Sessions // open event streams per person
	audit    audit.Recorder     // stops and resets of other people's labs
	// authoring and cohorts let people at scenarios written on the range
	// (authoredlabs.go); either nil: only the built-in ones.
	authoring *authoring.Service
	cohorts   *cohorts.Service

	writeTimeout time.Duration // the server's; each write moves an event stream's deadline on
}

type scenarioView struct {
	ID         string           `json:"id"`
	Version    int              `json:"version"`
	Title      string           `json:"title"`
	Summary    string           `json:"summary"`
	Story      string           `json:"story,omitempty"`
	Difficulty string           `json:"difficulty"`
	TimeLimit  string           `json:"time_limit"`
	Attack     []string         `json:"attack"`
	NICERoles  []string         `json:"nice_roles"`
	Incidents  []incidentView   `json:"incidents"`
	Tracks     []scoring.Track  `json:"tracks"` // attack, defence: which the objectives cover
	Web        []labs.WebTarget `json:"web_targets"`
	Objectives []objectiveView  `json:"objectives,omitempty"`
	Hosts      []hostView       `json:"hosts,omitempty"`        // in the detail: the briefing
	ShellEnv   []string         `json:"terminal_env,omitempty"` // in the detail: the terminal's variables, by name
	Authored   bool             `json:"authored,omitempty"`     // written on the range, not built in
}

type scenarioList struct {
	Scenarios []scenarioView `json:"scenarios"`
}

type incidentView struct {
	Name      string `json:"name"`
	Year      int    `json:"year,omitempty"`
	Reference string `json:"reference,omitempty"`
}

// objectiveView shows what to do, never the answer.
type objectiveView struct {
	ID     string        `json:"id"`
	Track  scoring.Track `json:"track"`
	Kind   scoring.Kind  `json:"kind"`
	Title  string        `json:"title"`
	Points int           `json:"points"`
}

func viewOfScenario(s *labs.Scenario, detail bool) scenarioView {
	v := scenarioView{
		ID: s.ID, Version: s.Version, Title: s.Title, Summary: s.Summary, Difficulty: s.Difficulty,
		TimeLimit: time.Duration(s.TimeLimit).String(), Attack: nonNil(s.Attack), NICERoles: nonNil(s.NICERoles),
		Incidents: []incidentView{},
	}
	for _, i := range s.Incidents {
		v.Incidents = append(v.Incidents, incidentView{Name: i.Name, Year: i.Year, Reference: i.Reference})
	}
	_, _, v.Authored = labs.SplitAuthoredID(s.ID)
	v.Tracks, v.Web = scoring.TracksOf(s.Objectives), s.WebTargets()
	if v.Web == nil {
		v.Web = []labs.WebTarget{}
	}
	if detail {
		v.Story = s.Story
		v.Hosts, v.ShellEnv = briefingOf(s)
		for _, o := range s.Objectives {
			v.Objectives = append(v.Objectives, objectiveView{ID: o.ID, Track: o.Track, Kind: o.Kind, Title: o.Title, Points: o.Points})
		}
	}
	return v
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (h labsAPI) scenarios(c *fiber.Ctx) error {
	authored, err := h.authored(c)
	if err != nil {
		return err
	}
	all := append(h.labs.Catalogue().All(), authored...)
	out := make([]scenarioView, len(all))
	lang := readerLanguage(c, h.accounts)
	for i, s := range all {
		out[i] = viewOfScenario(s.In(lang), false)
	}
	return c.JSON(scenarioList{Scenarios: out})
}

func (h labsAPI) scenario(c *fiber.Ctx) error {
	id := scenarioParam(c)
	if err := h.mayUse(c, id); err != nil {
		return err
	}
	s, err := h.labs.Catalogue().Scenario(id)
	if err != nil {
		return err
	}
	return c.JSON(viewOfScenario(s.In(readerLanguage(c, h.accounts)), true))
}

type instanceView struct {
	ID           string     `json:"id"`
	Trainee      string     `json:"trainee_id"`
	TraineeName  string     `json:"trainee_name,omitempty"` // in staff lists
	Scenario     string     `json:"scenario"`
	State        string     `json:"state"`
	Step         string     `json:"step,omitempty"`
	Progress     int        `json:"progress"`
	Reason       string     `json:"reason,omitempty"`
	TerminalHost string     `json:"terminal_host,omitempty"`
	Extensions   int        `json:"extensions"`
	CreatedAt    time.Time  `json:"created_at"`
	StartedAt    *time.Time `json:"started_at,omitempty"`
	ExpiresAt    time.Time  `json:"expires_at"`
	StoppedAt    *time.Time `json:"stopped_at,omitempty"`

	// TerminalHosts are every host a terminal may open in, the first being
	// TerminalHost: the lab page shows a tab for each.
	TerminalHosts []string `json:"terminal_hosts,omitempty"`
}

type labList struct {
	Labs []instanceView `json:"labs"`
}

func (h labsAPI) view(i labs.Instance) instanceView {
	v := instanceView{
		ID: i.ID, Trainee: i.TraineeID, Scenario: i.ScenarioID, State: string(i.State), Step: i.Step,
		Progress: i.Progress(), Reason: i.Reason, Extensions: i.Extensions, CreatedAt: i.CreatedAt,
		StartedAt: i.StartedAt, ExpiresAt: i.ExpiresAt, StoppedAt: i.StoppedAt,
	}
	if s, err := h.labs.Catalogue().Scenario(i.ScenarioID); err == nil {
		v.TerminalHost, v.TerminalHosts = s.TerminalHost(), s.TerminalHosts()
	}
	return v
}

type launchRequest struct {
	Scenario string `json:"scenario"`
}

func (h labsAPI) launch(c *fiber.Ctx) error {
	var req launchRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Scenario == "" {
		return fault.InvalidField("scenario", "scenario_required", "Name the scenario to launch.")
	}
	if err := h.mayUse(c, req.Scenario); err != nil {
		return err
	}
	inst, err := h.labs.Launch(c.UserContext(), auth.PrincipalOf(c).UserID, req.Scenario)
	if err != nil {
		return err
	}
	c.Location("/api/v1/labs/" + inst.ID)
	return c.Status(fiber.StatusAccepted).JSON(h.view(inst))
}

func (h labsAPI) list(c *fiber.Ctx) error {
	a, err := actorOf(c)
	if err != nil {
		return err
	}
	list, err := h.labs.Labs(c.UserContext(), a, c.Query("all") == "1", c.Query("active") == "1")
	if err != nil {
		return err
	}
	out := make([]instanceView, len(list))
	names := map[string]string{}
	for i, inst := range list {
		out[i] = h.view(inst)
		// Staff lists name each trainee (by display name, never email).
		if a.Staff && h.accounts != nil {
			if _, ok := names[inst.TraineeID]; !ok {
				if u, err := h.accounts.User(c.UserContext(), inst.TraineeID); err == nil {
					names[inst.TraineeID] = u.DisplayName
				}
			}
			out[i].TraineeName = names[inst.TraineeID]
		}
	}
	return c.JSON(labList{Labs: out})
}

// labID refuses ids that are not of the platform's own shape before any
// lookup, so odd paths never reach storage.
var labID = regexp.MustCompile(`^l[a-z2-7]{12}$`)

// labOp is one action on a lab instance, by id.
type labOp func(*labs.Service, *fiber.Ctx, labs.Actor, string) (labs.Instance, error)

func (h labsAPI) instanceOp(op labOp) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := labParam(c)
		if err != nil {
			return err
		}
		a, err := actorOf(c)
		if err != nil {
			return err
		}
		inst, err := op(h.labs, c, a, id)
		if err != nil {
			return err
		}
		return c.JSON(h.view(inst))
	}
}

// byOthersAudited records op when it acts on a lab that is not the
// actor's own (staff stopping or resetting a trainee's lab).
func (h labsAPI) byOthersAudited(action audit.Action, op labOp) labOp {
	return func(s *labs.Service, c *fiber.Ctx, a labs.Actor, id string) (labs.Instance, error) {
		inst, err := op(s, c, a, id)
		if err != nil || inst.TraineeID == a.UserID {
			return inst, err
		}
		err = recordAction(c, h.audit, audit.Entry{Action: action, TargetKind: "lab", TargetID: inst.ID,
			Detail: map[string]string{"trainee": inst.TraineeID, "scenario": inst.ScenarioID}})
		return inst, err
	}
}

func getLab(s *labs.Service, c *fiber.Ctx, a labs.Actor, id string) (labs.Instance, error) {
	return s.Lab(c.UserContext(), a, id)
}

func stopLab(s *labs.Service, c *fiber.Ctx, a labs.Actor, id string) (labs.Instance, error) {
	return s.Stop(c.UserContext(), a, id)
}

func extendLab(s *labs.Service, c *fiber.Ctx, a labs.Actor, id string) (labs.Instance, error) {
	return s.Extend(c.UserContext(), a, id)
}

func resetLab(s *labs.Service, c *fiber.Ctx, a labs.Actor, id string) (labs.Instance, error) {
	return s.Reset(c.UserContext(), a, id)
}
