import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ClassCharts } from './api'
import { cellsKey, debounce, nothingYet, timeRange, scoreBands, solvesOverTime, stuckAt, timeToSolve } from './classcharts'

const empty: ClassCharts = {
  cohort_id: 'c', scenario: 's', trainees: 2, solves: [], score_bands: [], stuck: [],
  time_to_solve: [
    { objective_id: 'o1', title: 'One', solves: 0, median_minutes: 0 },
    { objective_id: 'o2', title: 'Two', solves: 0, median_minutes: 0 },
  ],
}
const busy: ClassCharts = {
  ...empty,
  solves: [{ at: '2026-05-01T09:00:00Z', solves: 1 }, { at: '2026-05-01T09:10:00Z', solves: 2 }],
  score_bands: [{ from: 0, to: 50, trainees: 1 }, { from: 50, to: 100, trainees: 1 }],
  time_to_solve: [
    { objective_id: 'o1', title: 'One', solves: 0, median_minutes: 0 },
    { objective_id: 'o2', title: 'Two', solves: 2, median_minutes: 12.345 },
  ],
  stuck: [{ objective_id: 'o2', title: 'Two', wrong: 4, stuck: 1 }, { objective_id: 'o1', title: 'One', wrong: 1, stuck: 1 }],
}

describe('the class charts', () => {
  afterEach(() => vi.useRealTimers())

  it('say when there is nothing to draw yet', () => {
    expect(nothingYet(empty)).toBe(true)
    expect(nothingYet(busy)).toBe(false)
    expect(timeToSolve(empty)).toEqual({ x: [], y: [], labels: [] })
  })

  it('shape each figure into columns for the plots', () => {
    expect(solvesOverTime(busy)).toEqual({ x: [1777626000, 1777626600], y: [1, 2], labels: [] })
    expect(scoreBands(busy)).toEqual({ x: [0, 1], y: [1, 1], labels: ['0', '50'] })
    expect(timeRange(1000, 1000)).toEqual([700, 1300])
    expect(timeRange(0, 100000)).toEqual([-5000, 105000])
    expect(timeToSolve(busy)).toEqual({ x: [0], y: [12.3], labels: ['2'] })
    expect(stuckAt(busy, 1)).toEqual({ x: [0], y: [4], labels: ['2'] })
    expect(stuckAt(busy).labels).toEqual(['2', '1'])
  })

  it('read again once cells stop moving, not on every row change', () => {
    const a = cellsKey([{ cells: ['untouched', 'solved'] }, { cells: ['attempted'] }])
    expect(a).toBe('us|a')
    expect(cellsKey([{ cells: ['untouched', 'solved'] }, { cells: ['attempted'] }])).toBe(a)
    expect(cellsKey(undefined)).toBe('')
    vi.useFakeTimers()
    const fn = vi.fn()
    const d = debounce(fn, 500)
    d.call()
    d.call()
    vi.advanceTimersByTime(499)
    expect(fn).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(fn).toHaveBeenCalledTimes(1)
    d.call()
    d.cancel()
    vi.advanceTimersByTime(1000)
    expect(fn).toHaveBeenCalledTimes(1)
  })
})
