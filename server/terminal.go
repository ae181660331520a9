package server

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/fasthttp/websocket"
	fiberws "github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/server/terminal"
)

// terminalAPI opens browser terminals into running labs.
type terminalAPI struct {
	log      *slog.Logger
	labs     *labs.Service
	tickets  *terminal.Tickets
	sessions *terminal.Sessions
	shells   *terminal.Shells
	origins  origins
	audit    audit.Recorder // staff opening a terminal in someone's lab
}

// Terminal limits.
const (
	ticketTTL          = 30 * time.Second
	terminalsPerPerson = 3
	maxTerminalFrame   = 64 << 10 // a paste larger than this ends the session
)

var (
	errTicketInvalid = fault.New(fault.Unauthenticated, "ticket_invalid", "The terminal ticket is missing, used, expired or for another lab; open the terminal again.")
	errNotWebSocket  = fault.New(fault.Invalid, "websocket_required", "This address speaks WebSocket only.")
)

type ticketView struct {
	ExpiresIn int    `json:"expires_in"` // seconds
	Ticket    string `json:"ticket"`
	URL       string `json:"url"`
}

// ticket issues a one-time pass for the lab's terminal socket.
func (h terminalAPI) ticket(c *fiber.Ctx) error {
	id, err := labParam(c)
	if err != nil {
		return err
	}
	a, err := actorOf(c)
	if err != nil {
		return err
	}
	inst, err := h.labs.Lab(c.UserContext(), a, id)
	if err != nil {
		return err
	}
	if inst.State != labs.StateRunning {
		return labs.ErrNotRunning
	}
	if inst.TraineeID != a.UserID {
		err := recordAction(c, h.audit, audit.Entry{Action: audit.LabTerminalOpen, TargetKind: "lab", TargetID: inst.ID,
			Detail: map[string]string{"trainee": inst.TraineeID, "scenario": inst.ScenarioID}})
		if err != nil {
			return err
		}
	}
	// A terminal in another of the lab's terminal hosts is asked for here,
	// so a wrong host is a clear answer rather than a closed socket.
	where := ""
	if host := c.Query("host"); host != "" {
		sc, err := h.labs.Catalogue().Scenario(inst.ScenarioID)
		if err != nil {
			return err
		}
		if err := sc.CheckTerminalHost(host); err != nil {
			return err
		}
		where = "&host=" + url.QueryEscape(host)
	}
	// The shell greets in the language the page asks in (the app sends the
	// reader's choice with every request).
	where += "&lang=" + acceptedLanguage(c.Get(fiber.HeaderAcceptLanguage))
	code := h.tickets.Issue(a.UserID, a.Staff, id)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(ticketView{ExpiresIn: int(ticketTTL.Seconds()), Ticket: code, URL: "/api/v1/labs/" + id + "/terminal/ws?ticket=" + code + where})
}

// upgrade admits a WebSocket only from an allowed page, with a valid ticket.
func (h terminalAPI) upgrade(c *fiber.Ctx) error {
	return admitSocket(c, h.origins, h.tickets, "terminal.ticket", func(terminal.Ticket) bool { return true })
}

// admitSocket is the door of every lab socket (a terminal, a shadow): a
// WebSocket upgrade, from an allowed page, with a ticket for this lab that
// may open it. The redeemed ticket is left in the locals under key.
func admitSocket(c *fiber.Ctx, o origins, tickets *terminal.Tickets, key string, may func(terminal.Ticket) bool) error {
	if !fiberws.IsWebSocketUpgrade(c) {
		return errNotWebSocket
	}
	if origin := c.Get(fiber.HeaderOrigin); origin == "" || !o.allow(origin) {
		return errForeignOrigin
	}
	id, err := labParam(c)
	if err != nil {
		return err
	}
	tk, ok := tickets.Redeem(c.Query("ticket"), id)
	if !ok || !may(tk) {
		return errTicketInvalid
	}
	c.Locals(key, tk)
	return c.Next()
}

// serve runs one terminal: a shell in the lab, pumped to the socket. With
// resume=<shell id>, it returns to the person's shell that lost its
// connection, if that shell still waits; else it opens a new one, in the
// host named by host=<name> (a scenario may have several terminal hosts),
// or the first.
func (h terminalAPI) serve(conn *fiberws.Conn) {
	tk := conn.Locals("terminal.ticket").(terminal.Ticket)
	ctx := context.Background()
	if id := conn.Query("resume"); id != "" {
		if sh, ok := h.shells.Resume(id, tk.UserID, tk.LabID); ok {
			sh.Attach(ctx, conn, true)
			return
		}
	}
	lang := acceptedLanguage(conn.Query("lang")) // "en" or "ja", whatever the query says
	if !h.sessions.Begin(tk.UserID) {
		closeWith(conn, websocket.ClosePolicyViolation, terminalNote(lang, noteTooMany))
		return
	}
	actor := labs.Actor{UserID: tk.UserID, Staff: tk.Staff}
	rows, cols := uint(clamp(conn.Query("rows"), 24)), uint(clamp(conn.Query("cols"), 80))
	host := strings.Clone(conn.Query("host")) // outlives the request
	shell, err := h.labs.OpenTerminal(ctx, actor, tk.LabID, host, lang, rows, cols)
	if errors.Is(err, labs.ErrNoTerminalHost) {
		h.sessions.End(tk.UserID)
		closeWith(conn, websocket.ClosePolicyViolation, terminalNote(lang, noteNoHost))
		return
	}
	if err != nil {
		h.sessions.End(tk.UserID)
		closeWith(conn, websocket.CloseInternalServerErr, terminalNote(lang, noteNotStarted))
		return
	}
	var rec terminal.Recorder
	// A session that cannot be recorded still runs: losing the replay is
	// better than losing the lab. The failure is logged for the operator.
	if cast, err := h.labs.StartRecording(ctx, actor, tk.LabID, rows, cols); err != nil {
		h.log.Warn("terminal session not recorded", "lab", tk.LabID, "err", err)
	} else if cast != nil {
		rec = cast
	}
	sh := h.shells.Start(tk.UserID, tk.LabID, shell, rec, maxTerminalFrame, func() { h.sessions.End(tk.UserID) })
	sh.Attach(ctx, conn, false)
}

func closeWith(conn *fiberws.Conn, code int, reason string) {
	_ = conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason))
	_ = conn.Close()
}

// clamp reads a terminal dimension, falling back to def when absent or odd.
func clamp(v string, def int) int {
	n := 0
	for _, r := range v {
		if r < '0' || r > '9' || n > 1000 {
			return def
		}
		n = n*10 + int(r-'0')
	}
	if n < 2 || n > 500 {
		return def
	}
	return n
}
