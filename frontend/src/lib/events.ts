// Words and scopes for events and scoped scoreboards, shared by the
// scoreboard and the events page.
import { m } from '../paraglide/messages.js'
import { formatDate } from './i18n.svelte'

export type EventPhase = 'upcoming' | 'running' | 'frozen' | 'ended'

const phases: Record<EventPhase, () => string> = {
  upcoming: m.phase_upcoming,
  running: m.phase_running,
  frozen: m.phase_frozen,
  ended: m.phase_ended,
}

// phaseName is an event's phase in the reader's language.
export const phaseName = (p: EventPhase) => phases[p]?.() ?? p

// A board's scope: the whole range, one cohort, or one event.
export type BoardScope = { kind: 'range' } | { kind: 'cohort'; id: string } | { kind: 'event'; id: string }

// scopeOf reads a scope from the page's query (?cohort= or ?event=).
export function scopeOf(query: URLSearchParams): BoardScope {
  const event = query.get('event')
  if (event) return { kind: 'event', id: event }
  const cohort = query.get('cohort')
  if (cohort) return { kind: 'cohort', id: cohort }
  return { kind: 'range' }
}

// scopeKey is a scope as one select value, and scopeFromKey reads it back.
export function scopeKey(s: BoardScope): string {
  return s.kind === 'range' ? 'range' : `${s.kind}:${s.id}`
}

export function scopeFromKey(key: string): BoardScope {
  const [kind, ...rest] = key.split(':')
  const id = rest.join(':')
  if ((kind === 'cohort' || kind === 'event') && id) return { kind, id }
  return { kind: 'range' }
}

// scopeQuery is the page address for a scope, so a board can be linked.
export function scopeQuery(s: BoardScope): string {
  return s.kind === 'range' ? '/scoreboard' : `/scoreboard?${s.kind}=${encodeURIComponent(s.id)}`
}

// windowText says when an event runs, in the reader's language and zone.
export function windowText(startsAt: string, endsAt: string): string {
  return `${formatDate(startsAt)} – ${formatDate(endsAt)}`
}

// frozenSince says whether a board's freeze has passed for a viewer who
// sees it live, so the page can tell them players see it frozen.
export function frozenForPlayers(freezeAt: string | undefined, phase: EventPhase | undefined, now = Date.now()): boolean {
  return !!freezeAt && phase !== 'ended' && new Date(freezeAt).getTime() <= now
}
