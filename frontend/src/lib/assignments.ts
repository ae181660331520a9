// Words and dates for assignments, shared by the cohort page and Home.
import { m } from '../paraglide/messages.js'
import { formatDate } from './i18n.svelte'

export type AssignmentStatusValue = 'not_started' | 'in_progress' | 'completed' | 'late'

// Getters, so a page showing a status follows a change of language.
export const statusText: Record<AssignmentStatusValue, string> = {
  get not_started() { return m.assignment_not_started() },
  get in_progress() { return m.assignment_in_progress() },
  get completed() { return m.assignment_completed() },
  get late() { return m.assignment_late() },
}

// fromLocalInput turns a datetime-local value (the browser's own zone)
// into RFC 3339 for the API; empty stays empty, so the server names the
// missing field.
export function fromLocalInput(value: string): string {
  if (!value) return ''
  const t = new Date(value)
  return Number.isNaN(t.getTime()) ? value : t.toISOString()
}

// dueText says when something is due, and how it stands against now.
export function dueText(due: string, now = Date.now()): string {
  const at = new Date(due)
  const when = formatDate(at)
  const days = Math.round((at.getTime() - now) / 86_400_000)
  if (at.getTime() < now) return m.due_was({ when })
  if (days === 0) return m.due_today({ when })
  if (days === 1) return m.due_tomorrow({ when })
  return m.due_in_days({ days, when })
}

// latePolicyText describes a late policy in a few words.
export function latePolicyText(policy: string, percent?: number): string {
  if (policy === 'penalty') return m.late_penalty({ percent: percent ?? 0 })
  if (policy === 'closed') return m.late_closed()
  return m.late_accepted()
}
