// A moment of a lab, found in its terminal recordings: which session was
// running then, and how far into it. The trainee's timeline links each
// entry to the replay at its moment.
import type { Recording } from './api'

export interface Moment {
  recording: string
  offset: number // seconds into the session
}

// momentIn is the session that covers `at`, or else the last one begun
// before it (its end, where the trainee had left the terminal), or null
// if no session had begun by then. Staff's own sessions in the lab are not
// the trainee's moments.
export function momentIn(recordings: Recording[], at: string): Moment | null {
  const t = Date.parse(at)
  if (Number.isNaN(t)) return null
  let best: Recording | null = null
  for (const r of recordings) {
    if (r.by_staff) continue
    if (Date.parse(r.started_at) <= t && (!best || Date.parse(r.started_at) >= Date.parse(best.started_at))) best = r
  }
  if (!best) return null
  const start = Date.parse(best.started_at)
  const end = best.ended_at ? Date.parse(best.ended_at) : Infinity
  return { recording: best.id, offset: Math.max(0, Math.floor((Math.min(t, end) - start) / 1000)) }
}

// replayLink is the replay page at a moment of the lab.
export const replayLink = (lab: string, at: string) => `/labs/${encodeURIComponent(lab)}/replay?at=${encodeURIComponent(at)}`
