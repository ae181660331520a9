import { describe, expect, it } from 'vitest'
import type { ObjectiveState } from './api'
import { byTrack } from './objectives'

const o = (id: string, track: string, points: number, solved = false) => ({ id, track, points, solved }) as ObjectiveState

describe('objectives by track', () => {
  it('puts attack before defence and counts what was solved', () => {
    const t = byTrack([o('d1', 'defence', 50), o('a1', 'attack', 100, true), o('a2', 'attack', 20)])
    expect(t.map((x) => x.track)).toEqual(['attack', 'defence'])
    expect(t[0]).toMatchObject({ solved: 1, points: 120, earned: 100, percent: 50 })
    expect(t[1]).toMatchObject({ solved: 0, points: 50, earned: 0, percent: 0 })
  })
  it('keeps an objective list of none empty', () => {
    expect(byTrack([])).toEqual([])
  })
})
