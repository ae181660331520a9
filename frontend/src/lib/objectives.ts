// Objectives grouped by track (attack first, as the scenarios tell them),
// with how far the trainee has got in each.
import type { ObjectiveState } from './api'

export interface TrackProgress {
  track: string
  objectives: ObjectiveState[]
  solved: number
  points: number // what the track is worth
  earned: number // what its solved objectives were worth
  percent: number
}

const order = ['attack', 'defence']

export function byTrack(list: ObjectiveState[]): TrackProgress[] {
  const tracks = new Map<string, ObjectiveState[]>()
  for (const o of list) tracks.set(o.track, [...(tracks.get(o.track) ?? []), o])
  const rank = (t: string) => (order.includes(t) ? order.indexOf(t) : order.length)
  return [...tracks.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([track, objectives]) => {
      const solved = objectives.filter((o) => o.solved).length
      return {
        track,
        objectives,
        solved,
        points: objectives.reduce((n, o) => n + o.points, 0),
        earned: objectives.filter((o) => o.solved).reduce((n, o) => n + o.points, 0),
        percent: Math.round((100 * solved) / objectives.length),
      }
    })
}
