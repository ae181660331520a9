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
