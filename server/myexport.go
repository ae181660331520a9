package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/server/auth"
)

// myDataAPI gives a person everything the range holds about them, as one
// JSON file (APPI and GDPR access): their account, cohorts, labs and every
// scoring record, the address each answer came from included.
type myDataAPI struct {
	accounts *accounts.Service
	cohorts  *cohorts.Service // nil: not listed
	labs     *labs.Service    // nil: not listed
	scoring  *scoring.Service // nil: not listed
	log      *slog.Logger
}

type myAccountExport struct {
	ID          string     `json:"id"`
	Email       string     `json:"email"`
	DisplayName string     `json:"display_name"`
	Role        string     `json:"role"`
	CreatedAt   time.Time  `json:"created_at"`
	DisabledAt  *time.Time `json:"disabled_at,omitempty"`
}

type myCohortExport struct {
	ID             string `json:"id"`
	OrganisationID string `json:"organisation_id"`
	Name           string `json:"name"`
	Role           string `json:"role"`
}

type myLabExport struct {
	ID         string     `json:"id"`
	ScenarioID string     `json:"scenario_id"`
	State      string     `json:"state"`
	CreatedAt  time.Time  `json:"created_at"`
	StoppedAt  *time.Time `json:"stopped_at,omitempty"`
}

type myRecordExport struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	LabID       string    `json:"lab_id"`
	ScenarioID  string    `json:"scenario_id"`
	ObjectiveID string    `json:"objective_id,omitempty"`
	HintID      string    `json:"hint_id,omitempty"`
	Correct     bool      `json:"correct"`
	Points      int       `json:"points"`
	Note        string    `json:"note,omitempty"`
	IP          string    `json:"ip,omitempty"`
	At          time.Time `json:"at"`
}

// export is GET /api/v1/me/export. What is read is read before the reply
// starts, so a failure is an error reply, not a cut-off file; one person's
// data is small. The records are written one at a time.
func (h myDataAPI) export(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), auth.PrincipalOf(c)
	me, err := h.accounts.User(ctx, p.UserID)
	if err != nil {
		return err
	}
	doc := struct {
		Account myAccountExport  `json:"account"`
		Cohorts []myCohortExport `json:"cohorts"`
		Labs    []myLabExport    `json:"labs"`
	}{Account: myAccountExport{ID: me.ID, Email: me.Email, DisplayName: me.DisplayName, Role: string(me.Role), CreatedAt: me.CreatedAt, DisabledAt: me.DisabledAt},
		Cohorts: []myCohortExport{}, Labs: []myLabExport{}}
	if h.cohorts != nil {
		list, err := h.cohorts.MyCohorts(ctx, cohorts.Actor{UserID: me.ID, Role: me.Role}, me.Email)
		if err != nil {
			return err
		}
		for _, mc := range list {
			doc.Cohorts = append(doc.Cohorts, myCohortExport{ID: mc.ID, OrganisationID: mc.OrganisationID, Name: mc.Name, Role: string(mc.Role)})
		}
	}
	if h.labs != nil {
		list, err := h.labs.Labs(ctx, labs.Actor{UserID: me.ID}, false, false)
		if err != nil {
			return err
		}
		for _, l := range list {
			doc.Labs = append(doc.Labs, myLabExport{ID: l.ID, ScenarioID: l.ScenarioID, State: string(l.State), CreatedAt: l.CreatedAt, StoppedAt: l.StoppedAt})
		}
	}
	var records []scoring.Event
	if h.scoring != nil {
		if records, err = h.scoring.History(ctx, me.ID); err != nil {
			return err
		}
	}
	head, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return streamDownload(c, "sakimori-my-data.json", fiber.MIMEApplicationJSON, h.log, func(_ context.Context, w io.Writer) error {
		if _, err := w.Write(append(head[:len(head)-1], []byte(`,"records":[`)...)); err != nil {
			return err
		}
		enc := json.NewEncoder(w)
		for i, e := range records {
			if i > 0 {
				if _, err := io.WriteString(w, ","); err != nil {
					return err
				}
			}
			if err := enc.Encode(myRecordExport{ID: e.ID, Kind: string(e.Kind), LabID: e.InstanceID, ScenarioID: e.ScenarioID, ObjectiveID: e.ObjectiveID,
				HintID: e.HintID, Correct: e.Correct, Points: e.Points, Note: e.Note, IP: e.IP, At: e.At.UTC()}); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, "]}\n")
		return err
	})
}
