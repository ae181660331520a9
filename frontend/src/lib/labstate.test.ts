import { describe, expect, it } from 'vitest'
import type { Lab } from './api'
import { ended, failureReason } from './labstate'

const lab = (state: Lab['state'], reason?: string) => ({ state, reason }) as Lab

describe('lab states', () => {
  it('counts stopped and failed labs as ended', () => {
    expect(['stopped', 'failed'].map((s) => ended(lab(s as Lab['state'])))).toEqual([true, true])
    expect(['pending', 'provisioning', 'running', 'stopping'].some((s) => ended(lab(s as Lab['state'])))).toBe(false)
  })
  it('always gives a failure a reason', () => {
    expect(failureReason(lab('failed', 'Your lab took too long to start.'))).toBe('Your lab took too long to start.')
    expect(failureReason(lab('failed', '  '))).toMatch(/no reason/)
    expect(failureReason(lab('failed'))).toMatch(/no reason/)
  })
})
