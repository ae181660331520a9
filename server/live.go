package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/live"
	"github.com/sakimori/sakimori/server/terminal"
)

// The live view's streams stay open for a class session; the browser
// reconnects after this, as after any drop, and gets a fresh snapshot.
const (
	liveLimit          = time.Hour
	liveStreamsPerUser = 4
)

// liveAPI serves the instructor's live view and cohort messages.
type liveAPI struct {
	live      *live.Service
	streams   *terminal.Sessions // open live streams per person
	heartbeat time.Duration
	// writeTimeout is the server's; each write moves a stream's deadline on.
	writeTimeout time.Duration
	open         *openStreams   // the connections the streams have taken over
	audit        audit.Recorder // messages and hints to a whole class
	names        traineeNames   // the objectives' words in the reader's language
}

type liveLab struct {
	ID        string     `json:"id"`
	State     string     `json:"state"`
	StartedAt *time.Time `json:"started_at,omitempty"`
	StoppedAt *time.Time `json:"stopped_at,omitempty"`
}

type liveRow struct {
	TraineeID    string   `json:"trainee_id"`
	DisplayName  string   `json:"display_name"`
	Cells        []string `json:"cells,omitempty"` // in column order; only in snapshots
	Lab          *liveLab `json:"lab"`
	TimeOnTask   int64    `json:"time_on_task_seconds"`
	Hints        int      `json:"hints"`
	Walkthroughs int      `json:"walkthroughs"`
	Marks        []string `json:"marks"`
}

type liveSnapshot struct {
	CohortID   string        `json:"cohort_id"`
	ScenarioID string        `json:"scenario"`
	Columns    []live.Column `json:"columns"`
	Rows       []liveRow     `json:"rows"`
	At         time.Time     `json:"at"`
}

type liveCell struct {
	TraineeID   string `json:"trainee_id"`
	ObjectiveID string `json:"objective_id"`
	State       string `json:"state"`
}

func liveRowOf(r live.Row, now time.Time, cells bool) liveRow {
	v := liveRow{TraineeID: r.TraineeID, DisplayName: r.DisplayName, TimeOnTask: int64(r.TimeOnTask(now) / time.Second),
		Hints: r.Hints, Walkthroughs: r.Walkthroughs, Marks: r.Marks}
	if v.Marks == nil {
		v.Marks = []string{}
	}
	if r.LabID != "" {
		v.Lab = &liveLab{ID: r.LabID, State: string(r.LabState), StartedAt: r.LabStarted, StoppedAt: r.LabStopped}
	}
	if cells {
		v.Cells = make([]string, len(r.Cells))
		for i, c := range r.Cells {
			v.Cells[i] = c.String()
		}
	}
	return v
}

// matrix is GET /api/v1/cohorts/:id/live?scenario=: the class matrix as
// server-sent events. Every connection, a reconnect with Last-Event-ID
// included, starts with a "snapshot" of the whole matrix, so a browser
// catches up after any drop or restart; then "cell" and "row" events as
// the class works. Comment lines keep proxies from closing a quiet stream.
func (h liveAPI) matrix(c *fiber.Ctx) error {
	a := cohortActor(c)
	if !h.streams.Begin(a.UserID) { // before the snapshot's reads: a flood costs no queries
		return errTooManyStreams
	}
	m, sub, err := h.live.Open(c.UserContext(), a, c.Params("id"), c.Query("scenario"))
	if err != nil {
		h.streams.End(a.UserID)
		return err
	}
	cohortID := strings.Clone(c.Params("id"))
	columns := columnsIn(m.Columns, h.names.scenarioIn(m.ScenarioID, readerLanguage(c, h.names.accounts)))
	takeOver(c, h.open, liveLimit, h.writeTimeout, h.heartbeat, func(ctx context.Context, s *sse) {
		defer h.streams.End(a.UserID)
		defer h.live.Hub().Close(sub)
		now := h.live.Now()
		rows := make([]liveRow, len(m.Rows))
		for i, r := range m.Rows {
			rows[i] = liveRowOf(r, now, true)
		}
		if !s.send("snapshot", liveSnapshot{CohortID: cohortID, ScenarioID: m.ScenarioID, Columns: columns, Rows: rows, At: now.UTC()}) {
			return
		}
		rows = nil // the snapshot is sent; the stream keeps only its matrix
		s.follow(ctx, sub, h.heartbeat, func(ch live.Change) bool {
			return h.apply(s, m, ch)
		})
	})
	return nil
}

// apply folds one piece of news into the stream's matrix and sends what
// changed; false once the browser has gone.
func (h liveAPI) apply(s *sse, m *live.Matrix, ch live.Change) bool {
	var trainee, objective string
	rowChanged := false
	switch {
	case ch.Record != nil:
		trainee = ch.Record.TraineeID
		objective, rowChanged = m.Apply(*ch.Record)
	case ch.Lab != nil:
		trainee = ch.Lab.TraineeID
		rowChanged = m.SetLab(*ch.Lab)
	}
	r := m.Row(trainee)
	if r == nil {
		return true
	}
	if objective != "" {
		for i, col := range m.Columns {
			if col.ID == objective && !s.send("cell", liveCell{TraineeID: trainee, ObjectiveID: objective, State: r.Cells[i].String()}) {
				return false
			}
		}
	}
	if rowChanged {
		return s.send("row", liveRowOf(*r, h.live.Now(), false))
	}
	return true
}

type messageRequest struct {
	Text string `json:"text"`
}

type messageView struct {
	ID         string    `json:"id"`
	CohortID   string    `json:"cohort_id"`
	CohortName string    `json:"cohort_name"`
	Text       string    `json:"text"`
	SentAt     time.Time `json:"sent_at"`
}

func messageViewOf(m live.Message) messageView {
	return messageView{ID: m.ID, CohortID: m.CohortID, CohortName: m.CohortName, Text: m.Text, SentAt: m.SentAt}
}

// broadcast is POST /api/v1/cohorts/:id/messages: a message to every
// member of the cohort, shown at once on their open lab pages.
func (h liveAPI) broadcast(c *fiber.Ctx) error {
	var req messageRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := h.live.Broadcast(c.UserContext(), cohortActor(c), c.Params("id"), req.Text)
	if err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.CohortMessage, TargetKind: "cohort", TargetID: m.CohortID,
		Detail: map[string]string{"message": m.ID}}); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(messageViewOf(m))
}

// inbox is GET /api/v1/me/messages/stream: messages to the signed-in
// person's cohorts as server-sent "message" events, each with the
// message's id as its event id. A page that was closed or offline names
// the last message it showed (?after=, or the browser's Last-Event-ID on a
// reconnect) and is first sent what it missed.
func (h liveAPI) inbox(c *fiber.Ctx) error {
	a := cohortActor(c)
	after, fromQuery := strings.Clone(c.Query("after")), c.Query("after") != ""
	if !fromQuery {
		after = strings.Clone(c.Get("Last-Event-ID"))
	}
	if !h.streams.Begin(a.UserID) {
		return errTooManyStreams
	}
	sub := h.live.Hub().WatchInbox(a.UserID) // before the missed are read: nothing falls between
	var missed []live.Message
	if after != "" {
		var err error
		missed, err = h.live.Missed(c.UserContext(), a.UserID, after)
		if errors.Is(err, live.ErrAfterInvalid) && !fromQuery {
			missed, err = nil, nil // an event id of some other stream: nothing to catch up
		}
		if err != nil {
			h.live.Hub().Close(sub)
			h.streams.End(a.UserID)
			return err
		}
	}
	takeOver(c, h.open, liveLimit, h.writeTimeout, h.heartbeat, func(ctx context.Context, s *sse) {
		defer h.streams.End(a.UserID)
		defer h.live.Hub().Close(sub)
		if !s.raw("retry: 3000\n\n") {
			return
		}
		shown := make(map[string]bool, len(missed))
		for _, m := range missed {
			if !s.sendAs(m.ID, "message", messageViewOf(m)) {
				return
			}
			shown[m.ID] = true
		}
		s.follow(ctx, sub, h.heartbeat, func(ch live.Change) bool {
			return ch.Message == nil || shown[ch.Message.ID] || s.sendAs(ch.Message.ID, "message", messageViewOf(*ch.Message))
		})
	})
	return nil
}

func sseHeaders(c *fiber.Ctx) {
	c.Set("Content-Type", "text/event-stream")
	c.Set("Cache-Control", "no-store")
	c.Set("X-Accel-Buffering", "no")
}

// sse writes numbered server-sent events to one stream.
type sse struct {
	out      interface{ emit(text string) error }
	next     int
	deadline streamDeadline
}

// raw writes text as it is: a field or a comment line.
func (s *sse) raw(text string) bool {
	s.deadline.extend()
	return s.out.emit(text) == nil
}

func (s *sse) send(event string, v any) bool {
	s.next++
	return s.sendAs(strconv.Itoa(s.next), event, v)
}

// sendAs writes one event with an id of the caller's.
func (s *sse) sendAs(id, event string, v any) bool {
	data, err := json.Marshal(v)
	if err != nil {
		return false
	}
	return s.raw(fmt.Sprintf("id: %s\nevent: %s\ndata: %s\n\n", id, event, data))
}

// follow hands each change to apply until the subscription ends (dropped
// as too slow, or closed), the browser goes, or ctx ends; a comment line
// goes out every heartbeat.
func (s *sse) follow(ctx context.Context, sub *live.Subscription, heartbeat time.Duration, apply func(live.Change) bool) {
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ch, ok := <-sub.C:
			if !ok || !apply(ch) {
				return
			}
		case <-beat.C:
			if !s.raw(": still here\n\n") {
				return
			}
		}
	}
}
