package server

import (
	"context"
	"log/slog"
)

// staffAction names something staff did to another person's account or
// lab. Each is recorded by staffAudit.record: that one method is where the
// audit log takes these over; until it exists they go to the server's log.
type staffAction string

const (
	auditRoleChanged     staffAction = "user.role_changed"
	auditUserDisabled    staffAction = "user.disabled"
	auditUserEnabled     staffAction = "user.enabled"
	auditInviteRevoked   staffAction = "invite.revoked"
	auditResetInviteMade staffAction = "user.password_reset_invited"
	auditLabStopped      staffAction = "lab.stopped"
	auditLabReset        staffAction = "lab.reset"
	auditLabExtended     staffAction = "lab.extended"
	auditShadowStarted   staffAction = "lab.shadow_started"
)

// staffAudit records staff actions: who (actor), what, and to which user,
// invite or lab (subject), with a detail such as the new role.
type staffAudit struct {
	log *slog.Logger
}

func (a staffAudit) record(ctx context.Context, actor string, action staffAction, subject, detail string) {
	if a.log == nil {
		return
	}
	a.log.InfoContext(ctx, "staff action", "actor", actor, "action", string(action), "subject", subject, "detail", detail)
}
