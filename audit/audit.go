// Package audit is the range's record of what staff and partners did:
// invites made, accounts created, roles changed, other people's labs stopped
// or reset, replays watched, suspicions viewed, exports taken, partner
// tokens used. The record is append-only; the database refuses to change or
// remove an entry, so nobody (an admin included) can tidy it afterwards.
//
// Other packages record through the Recorder interface:
//
//	err := rec.Record(ctx, audit.Entry{
//		ActorID: p.UserID, ActorRole: string(p.Role),
//		Action:  audit.RoleChange,
//		TargetKind: "user", TargetID: u.ID,
//		Detail:  map[string]string{"from": "trainee", "to": "instructor"},
//	})
//
// When, the request id and the source address are filled in by the Log
// when left empty (the web edge puts the last two in the context).
package audit

import (
	"context"
	"fmt"
	"maps"
	"time"
)

// Action names what was done, as "subject.verb".
type Action string

// The actions the range records. New staff actions add a constant here.
const (
	InviteCreate        Action = "invite.create"
	UserCreate          Action = "user.create"
	RoleChange          Action = "user.role_change"
	UserDisable         Action = "user.disable"
	UserEnable          Action = "user.enable"
	PasswordResetInvite Action = "user.password_reset_invite"
	InviteRevoke        Action = "invite.revoke"
	MFAReset            Action = "user.mfa_reset"
	MFAPolicyChange     Action = "mfa_policy.change" // the roles that must use a second factor
	LabStop             Action = "lab.stop"          // someone else's lab
	LabReset            Action = "lab.reset"         // someone else's lab
	LabExtend           Action = "lab.extend"        // someone else's lab
	LabShadow           Action = "lab.shadow"        // a read-only view of someone else's terminal
	LabTerminalOpen     Action = "lab.terminal_open" // a terminal into someone else's lab
	ReplayWatch         Action = "recording.watch"
	SuspicionsView      Action = "suspicions.view"
	TraineeRecordView   Action = "trainee_record.view"
	AuditExport         Action = "audit.export"
	DatabaseBackup      Action = "database.backup" // by the operator, at the command line
	PartnerTokenUse     Action = "partner_token.use"
	PartnerTokenRefused Action = "partner_token.refused"
	EventCreate         Action = "event.create" // a competition for a cohort or the range
	EventUpdate         Action = "event.update"
	EventDelete         Action = "event.delete"
	PartnerTokenCreate  Action = "partner_token.create"
	PartnerTokenRevoke  Action = "partner_token.revoke"
	PersonErase         Action = "user.erase"        // a person's data erased; their records kept under a pseudonym
	RecordingsExpire    Action = "recordings.expire" // terminal recordings past their retention, removed by the range
)

// What organisations' and cohorts' managers do to them, their members and
// their coursework, and to a class while it works.
const (
	OrganisationCreate       Action = "organisation.create"
	OrganisationMemberPut    Action = "organisation.member_put" // added, or their role changed
	OrganisationMemberRemove Action = "organisation.member_remove"
	CohortCreate             Action = "cohort.create"
	CohortUpdate             Action = "cohort.update"
	CohortArchive            Action = "cohort.archive"
	CohortMemberAdd          Action = "cohort.member_add"
	CohortMemberRemove       Action = "cohort.member_remove"
	CohortJoinCodeRotate     Action = "cohort.join_code_rotate"
	CohortRosterImport       Action = "cohort.roster_import"
	CohortExport             Action = "cohort.export"      // the whole cohort's archive, records and transcripts, downloaded
	CohortMessage            Action = "cohort.message"     // to every member
	CohortHintUnlock         Action = "cohort.hint_unlock" // for every member, at no cost to them
	AssignmentCreate         Action = "assignment.create"
	AssignmentUpdate         Action = "assignment.update"
	AssignmentDelete         Action = "assignment.delete"
)

// What range admins change in how an organisation's people sign in.
const (
	SSOProviderChange Action = "sso_provider.change" // made, changed or removed
	SSOSettingsChange Action = "sso_settings.change" // local passwords switched off or on
)

// Open Badges.
const (
	BadgeRevoke          Action = "badge.revoke"           // a trainee's badge revoked by an admin
	BadgeThresholdChange Action = "badge_threshold.change" // an organisation's work-role badge threshold set
)

// What range admins change in how learning platforms launch into the range.
const (
	LTIPlatformChange Action = "lti_platform.change" // registered or revoked
	LTIKeyRotate      Action = "lti_key.rotate"      // a new signing key; the old one stays published a while
)

// What range admins load into the competency frameworks.
const (
	FrameworkImport Action = "framework.import" // a SecBoK skill map or an ATT&CK STIX bundle, replacing the last
)

// What authors do with the scenarios they write on the range.
const (
	ScenarioUpload     Action = "authored_scenario.upload"     // a bundle kept as a draft
	ScenarioVisibility Action = "authored_scenario.visibility" // shared with the range, or made private
	ScenarioRehearse   Action = "authored_scenario.rehearse"   // a version's reference solution played on the engine
	ScenarioPublish    Action = "authored_scenario.publish"    // a rehearsed version opened to launches
	ScenarioUnpublish  Action = "authored_scenario.unpublish"  // a version withdrawn from new launches
	LabImageAdd        Action = "lab_image.add"                // an image added from an archive, after its scan
)

// What org admins change in where their organisation's learning records go.
const (
	XAPILRSChange Action = "xapi_lrs.change" // the LRS endpoint or credentials set
	XAPIReplay    Action = "xapi.replay"     // a statement the LRS refused, sent again
)

// actions is every known action, so a filter naming another is refused.
var actions = map[Action]bool{
	InviteCreate: true, UserCreate: true, RoleChange: true, UserDisable: true, UserEnable: true, PasswordResetInvite: true, InviteRevoke: true, MFAReset: true, MFAPolicyChange: true,
	LabStop: true, LabReset: true, LabExtend: true, LabShadow: true, LabTerminalOpen: true, ReplayWatch: true, SuspicionsView: true, TraineeRecordView: true,
	AuditExport: true, DatabaseBackup: true, PartnerTokenUse: true, PartnerTokenRefused: true,
	EventCreate: true, EventUpdate: true, EventDelete: true,
	PartnerTokenCreate: true, PartnerTokenRevoke: true, PersonErase: true, RecordingsExpire: true,
	OrganisationCreate: true, OrganisationMemberPut: true, OrganisationMemberRemove: true,
	CohortCreate: true, CohortUpdate: true, CohortArchive: true, CohortMemberAdd: true, CohortMemberRemove: true,
	CohortJoinCodeRotate: true, CohortRosterImport: true, CohortExport: true, CohortMessage: true, CohortHintUnlock: true,
	AssignmentCreate: true, AssignmentUpdate: true, AssignmentDelete: true,
	SSOProviderChange: true, SSOSettingsChange: true,
	BadgeRevoke: true, BadgeThresholdChange: true,
	LTIPlatformChange: true, LTIKeyRotate: true,
	FrameworkImport: true,
	ScenarioUpload:  true, ScenarioVisibility: true, ScenarioRehearse: true, ScenarioPublish: true, ScenarioUnpublish: true, LabImageAdd: true,
	XAPILRSChange: true, XAPIReplay: true,
}

// Known reports whether a is one of the actions above.
func (a Action) Known() bool { return actions[a] }

// Entry is one recorded action.
type Entry struct {
	Seq        int64             `json:"seq"` // set by the store; orders the log
	At         time.Time         `json:"at"`
	ActorID    string            `json:"actor_id"` // empty for the operator at the command line
	ActorRole  string            `json:"actor_role"`
	Action     Action            `json:"action"`
	TargetKind string            `json:"target_kind,omitempty"` // user, invite, lab, recording, …
	TargetID   string            `json:"target_id,omitempty"`
	Detail     map[string]string `json:"detail,omitempty"`
	RequestID  string            `json:"request_id,omitempty"`
	SourceIP   string            `json:"source_ip,omitempty"`
}

// Recorder is what other packages call to record an action. Record
// returns only once the entry is stored: an action whose record failed
// must be treated as failed where it can still be refused (a view, an
// export).
type Recorder interface {
	Record(ctx context.Context, e Entry) error
}

// Store keeps the log. Append stores a new entry; Entries returns entries
// matching f, newest first, at most f.Limit of them.
type Store interface {
	Append(ctx context.Context, e Entry) error
	Entries(ctx context.Context, f Filter) ([]Entry, error)
}

// Request is what the web edge knows of the request an action came in.
type Request struct {
	ID string
	IP string
}

type requestKey struct{}

// WithRequest returns ctx carrying r, so entries recorded under it name
// the request without every caller passing it along.
func WithRequest(ctx context.Context, r Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// Log is the audit log: it records entries and reads them back.
type Log struct {
	store Store
	now   func() time.Time
}

// NewLog makes the log over store; now stamps entries that carry no time.
func NewLog(store Store, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{store: store, now: now}
}

var _ Recorder = (*Log)(nil)

// Record stores e, filling in its time and request from the clock and ctx
// where e leaves them empty.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if !e.Action.Known() {
		return errUnknownAction(e.Action)
	}
	if e.At.IsZero() {
		e.At = l.now()
	}
	e.At = e.At.UTC()
	if r, ok := ctx.Value(requestKey{}).(Request); ok {
		if e.RequestID == "" {
			e.RequestID = r.ID
		}
		if e.SourceIP == "" {
			e.SourceIP = r.IP
		}
	}
	e.Detail = maps.Clone(e.Detail)
	e.Seq = 0
	return l.store.Append(ctx, e)
}

func errUnknownAction(a Action) error {
	return fmt.Errorf("audit: unknown action %q (add it to the actions the range records)", a)
}
