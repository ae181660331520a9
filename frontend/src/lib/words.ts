// Names of the range's fixed vocabularies (roles, tracks, difficulties,
// lab states) in the reader's language. A value the catalogue has no name
// for is shown as it came, so a new one is never hidden.
import { m } from '../paraglide/messages.js'

const roles: Record<string, () => string> = {
  trainee: m.role_trainee, instructor: m.role_instructor, partner: m.role_partner, admin: m.role_admin,
}
const tracks: Record<string, () => string> = { attack: m.track_attack, defence: m.track_defence }
const difficulties: Record<string, () => string> = {
  beginner: m.difficulty_beginner, intermediate: m.difficulty_intermediate, advanced: m.difficulty_advanced, expert: m.difficulty_expert,
}

export const roleName = (r: string) => roles[r]?.() ?? r
export const trackName = (t: string) => tracks[t]?.() ?? t
export const difficultyName = (d: string) => difficulties[d]?.() ?? d

const labStates: Record<string, () => string> = {
  pending: m.state_pending, provisioning: m.state_provisioning, running: m.state_running,
  stopping: m.state_stopping, stopped: m.state_stopped, failed: m.state_failed,
}
export const labStateName = (s: string) => labStates[s]?.() ?? s

// The steps a lab's start-up reports, as the server words them.
const labSteps: Record<string, () => string> = {
  queued: m.step_queued, 'creating networks and hosts': m.step_networks, 'waiting for hosts to run': m.step_starting,
  'removing the old hosts': m.step_resetting, 'removing hosts and networks': m.step_stopping,
}
export const labStepName = (s: string) => labSteps[s]?.() ?? s

const cohortRoles: Record<string, () => string> = { member: m.org_role_member, instructor: m.org_role_instructor }
export const cohortRoleName = (r: string) => cohortRoles[r]?.() ?? r

// How a member came into a cohort.
const joinedVia: Record<string, () => string> = {
  added: m.joined_via_added, join_code: m.joined_via_join_code, import: m.joined_via_import, invite: m.joined_via_invite,
}
export const joinedViaName = (v: string) => joinedVia[v]?.() ?? v

// The suspicion marks on a row of the live view.
const marks: Record<string, () => string> = {
  shared_flag: m.mark_shared_flag, fast_solve: m.mark_fast_solve, no_session: m.mark_no_session,
}
export const markName = (k: string) => marks[k]?.() ?? k.replace('_', ' ')
