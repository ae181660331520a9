import { describe, expect, it } from 'vitest'
import type { Lab, ObjectiveState } from './api'
import { recapOf } from './recap'

const lab = { created_at: '2026-12-01T10:00:00Z', started_at: '2026-12-01T10:00:30Z', stopped_at: '2026-12-01T11:15:30Z' } as Lab
const o = (points: number, solved: boolean, hints: { cost: number; unlocked: boolean }[] = []) =>
  ({ points, solved, hints: hints.map((h, i) => ({ id: `h${i}`, ...h })) }) as unknown as ObjectiveState

describe('recap', () => {
  it('counts what was solved, its points, the hints taken and the time', () => {
    const r = recapOf(lab, [o(100, true, [{ cost: 10, unlocked: true }]), o(20, false, [{ cost: 5, unlocked: false }])])
    expect(r).toEqual({ solved: 1, total: 2, points: 100, hintCost: 10, time: '1 h 15 min' })
  })
  it('says a short lab was short', () => {
    expect(recapOf({ ...lab, stopped_at: '2026-12-01T10:00:40Z' }, []).time).toBe('under a minute')
  })
})
