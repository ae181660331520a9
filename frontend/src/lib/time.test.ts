import { describe, expect, it } from 'vitest'
import { timeLeft } from './time'

describe('timeLeft', () => {
  const now = Date.parse('2026-12-01T10:00:00Z')
  it.each([
    ['2026-12-01T09:59:00Z', 'ending now'],
    ['2026-12-01T10:00:20Z', 'under a minute left'],
    ['2026-12-01T10:42:00Z', '42 min left'],
    ['2026-12-01T11:59:00Z', '1 h 59 min left'],
  ])('until %s is %s', (until, want) => {
    expect(timeLeft(until, now)).toBe(want)
  })
})
