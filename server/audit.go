package server

import (
	"bufio"
	"context"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/server/auth"
)

// auditRequest puts the request's id and source address into its context,
// so whatever records an action under it names the request.
func auditRequest(c *fiber.Ctx) error {
	c.SetUserContext(audit.WithRequest(c.UserContext(), audit.Request{ID: requestIDOf(c), IP: strings.Clone(c.IP())}))
	return c.Next()
}

// recordAction records an action of the signed-in person. Handlers call it
// after the action succeeds, or before serving a view, so a view whose
// record failed is not served.
func recordAction(c *fiber.Ctx, rec audit.Recorder, e audit.Entry) error {
	p := auth.PrincipalOf(c)
	e.ActorID, e.ActorRole = p.UserID, string(p.Role)
	return rec.Record(c.UserContext(), e)
}

// auditAPI lets admins read and export the audit log.
type auditAPI struct {
	log    *audit.Log
	logger *slog.Logger
}

func queryOf(c *fiber.Ctx) audit.Query {
	return audit.Query{
		Actor: strings.Clone(c.Query("actor")), Action: strings.Clone(c.Query("action")),
		Since: c.Query("since"), Until: c.Query("until"), Cursor: c.Query("cursor"), Limit: c.Query("limit"),
	}
}

// list is GET /api/v1/audit: one page, newest first.
func (h auditAPI) list(c *fiber.Ctx) error {
	f, err := audit.ParseFilter(queryOf(c))
	if err != nil {
		return err
	}
	page, err := h.log.Read(c.UserContext(), f)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(page)
}

// export is GET /api/v1/audit/export: every matching entry, as a download.
// The export is recorded before it is sent, so it appears in itself.
func (h auditAPI) export(c *fiber.Ctx) error {
	q := queryOf(c)
	q.Cursor, q.Limit = "", ""
	f, err := audit.ParseFilter(q)
	if err != nil {
		return err
	}
	format, err := audit.ParseFormat(c.Query("format"))
	if err != nil {
		return err
	}
	err = recordAction(c, h.log, audit.Entry{Action: audit.AuditExport, TargetKind: "audit_log",
		Detail: map[string]string{"format": string(format), "actor": q.Actor, "action": q.Action, "since": q.Since, "until": q.Until}})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, format.ContentType())
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="sakimori-audit.`+string(format)+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	// The log is written as it is read, a page at a time. The status is
	// sent by then, so a failure midway can only be logged (the download
	// ends short).
	ctx, requestID := context.WithoutCancel(c.UserContext()), requestIDOf(c)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := h.log.Export(ctx, f, format, w); err != nil {
			h.logger.Error("audit export ended early", "request_id", requestID, "err", err)
		}
		_ = w.Flush()
	})
	return nil
}
