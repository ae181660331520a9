// Words and dates for assignments, shared by the cohort page and Home.

export type AssignmentStatusValue = 'not_started' | 'in_progress' | 'completed' | 'late'

export const statusText: Record<AssignmentStatusValue, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  completed: 'Completed',
  late: 'Late',
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
  const when = at.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
  const days = Math.round((at.getTime() - now) / 86_400_000)
  if (at.getTime() < now) return `was due ${when}`
  if (days === 0) return `due today, ${when}`
  if (days === 1) return `due tomorrow, ${when}`
  return `due in ${days} days, ${when}`
}

// latePolicyText describes a late policy in a few words.
export function latePolicyText(policy: string, percent?: number): string {
  if (policy === 'penalty') return `late work loses ${percent ?? 0}%`
  if (policy === 'closed') return 'closed after the due date'
  return 'late work accepted'
}
