package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/fasthttp/websocket"
	fiberws "github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/server/terminal"
)

// staffLabsAPI shows staff a trainee's lab as the trainee has it: their
// objectives, their score, and, read-only, their terminal.
type staffLabsAPI struct {
	log      *slog.Logger
	labs     labsAPI
	scoring  *scoring.Service
	accounts *accounts.Service
	shells   *terminal.Shells
	tickets  *terminal.Tickets // shadow tickets, never valid for a terminal of one's own
	origins  origins
	audit    audit.Recorder
}

// closeNoShell is the close code of a shadow socket when the trainee has no
// terminal open: the page waits and tries again.
const closeNoShell = 4404

type staffScoreView struct {
	Points int `json:"points"`
	Solved int `json:"solved"`
}

type staffLabView struct {
	Lab           instanceView         `json:"lab"`
	TraineeName   string               `json:"trainee_name"`
	ScenarioTitle string               `json:"scenario_title"`
	Objectives    []objectiveStateView `json:"objectives"`
	Score         staffScoreView       `json:"score"` // in this lab
}

// lab is GET /api/v1/staff/labs/:id: the trainee's lab, as the trainee sees it.
func (h staffLabsAPI) lab(c *fiber.Ctx) error {
	id, err := labParam(c)
	if err != nil {
		return err
	}
	a, err := actorOf(c)
	if err != nil {
		return err
	}
	inst, err := h.labs.labs.Lab(c.UserContext(), a, id)
	if err != nil {
		return err
	}
	v := staffLabView{Lab: h.labs.view(inst), ScenarioTitle: inst.ScenarioID, Objectives: []objectiveStateView{}}
	v.Lab.TraineeName = h.labs.traineeName(c.UserContext(), inst.TraineeID)
	v.TraineeName = v.Lab.TraineeName
	if s, err := h.labs.labs.Catalogue().Scenario(inst.ScenarioID); err == nil {
		v.ScenarioTitle = s.In(readerLanguage(c, h.accounts)).Title
	}
	if h.scoring != nil {
		list, err := h.scoring.Objectives(c.UserContext(), inst.TraineeID, id)
		if err != nil {
			return err
		}
		v.Objectives = objectiveViews(list, traineeNames{accounts: h.accounts, labs: h.labs.labs}.labScenarioWords(c, inst.TraineeID, id))
		if v.Score.Points, v.Score.Solved, err = h.scoring.LabScore(c.UserContext(), inst.TraineeID, id); err != nil {
			return err
		}
	}
	return c.JSON(v)
}

// shadowTicket is POST /api/v1/staff/labs/:id/shadow: a one-time pass for
// the read-only view of the trainee's terminal.
func (h staffLabsAPI) shadowTicket(c *fiber.Ctx) error {
	id, err := labParam(c)
	if err != nil {
		return err
	}
	a, err := actorOf(c)
	if err != nil {
		return err
	}
	inst, err := h.labs.labs.Lab(c.UserContext(), a, id)
	if err != nil {
		return err
	}
	if inst.State != labs.StateRunning {
		return labs.ErrNotRunning
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.LabShadow, TargetKind: "lab", TargetID: inst.ID,
		Detail: map[string]string{"trainee": inst.TraineeID}}); err != nil {
		return err
	}
	code := h.tickets.Issue(a.UserID, a.Staff, id)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(ticketView{ExpiresIn: int(ticketTTL.Seconds()), Ticket: code, URL: "/api/v1/staff/labs/" + id + "/shadow/ws?ticket=" + code})
}

// upgradeShadow admits a shadow socket only from an allowed page, with a
// valid shadow ticket of a member of staff.
func (h staffLabsAPI) upgradeShadow(c *fiber.Ctx) error {
	return admitSocket(c, h.origins, h.tickets, "shadow.ticket", func(tk terminal.Ticket) bool { return tk.Staff })
}

// shadow shows the trainee's newest shell in the lab until it or the
// socket ends.
func (h staffLabsAPI) shadow(conn *fiberws.Conn) {
	tk := conn.Locals("shadow.ticket").(terminal.Ticket)
	ctx := context.Background()
	inst, err := h.labs.labs.Lab(ctx, labs.Actor{UserID: tk.UserID, Staff: tk.Staff}, tk.LabID)
	if err != nil {
		closeWith(conn, websocket.CloseInternalServerErr, "the lab could not be read")
		return
	}
	sh, ok := h.shells.Newest(inst.TraineeID, inst.ID)
	if !ok {
		closeWith(conn, closeNoShell, "the trainee has no terminal open")
		return
	}
	sh.Watch(conn)
}

// shadowHandshake bounds the shadow socket's opening like the terminal's.
var shadowHandshake = fiberws.Config{HandshakeTimeout: 10 * time.Second}

// traineeName is the trainee's display name (never their email), or empty.
func (h labsAPI) traineeName(ctx context.Context, id string) string {
	if h.accounts == nil {
		return ""
	}
	u, err := h.accounts.User(ctx, id)
	if err != nil {
		return ""
	}
	return u.DisplayName
}
