// What a lab came to, for its recap.
import type { Lab, ObjectiveState } from './api'
import { m } from '../paraglide/messages.js'

export interface Recap {
  solved: number
  total: number
  points: number // what the solved objectives are worth
  hintCost: number
  time: string // how long the lab ran, in words
}

export function recapOf(lab: Lab, objectives: ObjectiveState[]): Recap {
  const solved = objectives.filter((o) => o.solved)
  const from = Date.parse(lab.started_at ?? lab.created_at)
  const to = Date.parse(lab.stopped_at ?? new Date().toISOString())
  return {
    solved: solved.length,
    total: objectives.length,
    points: solved.reduce((n, o) => n + o.points, 0),
    hintCost: objectives.flatMap((o) => o.hints).filter((h) => h.unlocked).reduce((n, h) => n + h.cost, 0),
    time: span(Math.max(0, to - from)),
  }
}

function span(ms: number): string {
  const min = Math.round(ms / 60000)
  if (min < 1) return m.recap_under_a_minute()
  if (min < 60) return m.duration_minutes({ min })
  return `${m.duration_hours({ h: Math.floor(min / 60) })} ${m.duration_minutes({ min: min % 60 })}`
}
