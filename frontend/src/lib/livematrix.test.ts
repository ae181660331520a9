import { describe, expect, it } from 'vitest'
import { ApiError, type LiveRow } from './api'
import { applyEvent, cellLabel, follow, onTask, type LinkState } from './livematrix'

const row = (id: string, cells: LiveRow['cells']): LiveRow => ({
  trainee_id: id, display_name: id, cells, lab: null, time_on_task_seconds: 0, hints: 0, walkthroughs: 0, marks: [],
})
const snapshot = {
  cohort_id: 'c', scenario: 's', at: '2026-05-01T09:00:00Z',
  columns: [{ id: 'o1', title: 'One' }, { id: 'o2', title: 'Two' }],
  rows: [row('a', ['untouched', 'untouched']), row('b', ['solved', 'untouched'])],
}

describe('the live matrix', () => {
  it('starts from a snapshot and moves cells and rows', () => {
    let m = applyEvent(null, 'cell', { trainee_id: 'a', objective_id: 'o1', state: 'solved' })
    expect(m).toBeNull()
    m = applyEvent(m, 'snapshot', snapshot)
    m = applyEvent(m, 'cell', { trainee_id: 'a', objective_id: 'o2', state: 'attempted' })
    expect(m?.rows[0].cells).toEqual(['untouched', 'attempted'])
    m = applyEvent(m, 'row', { ...row('b', undefined), hints: 2, lab: { id: 'l', state: 'running' } })
    expect(m?.rows[1]).toMatchObject({ hints: 2, cells: ['solved', 'untouched'], lab: { state: 'running' } })
    expect(applyEvent(m, 'cell', { trainee_id: 'a', objective_id: 'gone', state: 'solved' })).toBe(m)
  })
  it('says each cell in words and counts time on a running lab', () => {
    expect([cellLabel('solved'), cellLabel('attempted'), cellLabel('untouched'), cellLabel(undefined)]).toEqual([
      'Solved', 'Attempted', 'Not started', 'Not started',
    ])
    const r = { ...row('a', []), time_on_task_seconds: 3500, lab: { id: 'l', state: 'running' as const, started_at: '2026-05-01T08:00:00Z' } }
    expect(onTask(r, '2026-05-01T09:00:00Z', new Date('2026-05-01T09:02:00Z'))).toBe('1 h 00 min')
    expect(onTask(row('a', []), '2026-05-01T09:00:00Z', new Date())).toBe('—')
  })
  it('reconnects with the last event id, and stops on a refusal', async () => {
    const ctl = new AbortController()
    const calls: (string | undefined)[] = []
    const links: LinkState[] = []
    await expect(
      follow(
        async (last, seen) => {
          calls.push(last)
          if (calls.length === 1) return seen('3') // the stream ended after event 3
          if (calls.length === 2) throw new TypeError('network') // a drop
          throw new ApiError(404, 'cohort_not_found', 'No such cohort.')
        },
        ctl.signal,
        (s) => links.push(s),
        async () => {},
      ),
    ).rejects.toThrow('No such cohort.')
    expect(calls).toEqual([undefined, '3', '3'])
    expect(links).toEqual(['connecting', 'live', 'reconnecting', 'reconnecting'])
  })
})
