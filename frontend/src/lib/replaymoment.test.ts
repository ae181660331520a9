import { describe, expect, it } from 'vitest'
import type { Recording } from './api'
import { momentIn, replayLink } from './replaymoment'

const rec = (id: string, started: string, ended?: string): Recording =>
  ({ id, lab_id: 'l1', trainee_id: 't1', started_at: started, ended_at: ended, bytes: 10, by_staff: false, truncated: false }) as unknown as Recording

describe('momentIn', () => {
  const sessions = [rec('r1', '2026-05-01T09:00:00Z', '2026-05-01T09:10:00Z'), rec('r2', '2026-05-01T09:20:00Z')]
  it('finds the session running at the moment, and how far in', () => {
    expect(momentIn(sessions, '2026-05-01T09:05:30Z')).toEqual({ recording: 'r1', offset: 330 })
    expect(momentIn(sessions, '2026-05-01T09:21:00Z')).toEqual({ recording: 'r2', offset: 60 })
  })
  it('between sessions, shows the end of the one before', () => {
    expect(momentIn(sessions, '2026-05-01T09:15:00Z')).toEqual({ recording: 'r1', offset: 600 })
  })
  it('before any session, or at no time, finds none', () => {
    expect(momentIn(sessions, '2026-05-01T08:59:59Z')).toBeNull()
    expect(momentIn(sessions, 'soon')).toBeNull()
    expect(momentIn([], '2026-05-01T09:05:00Z')).toBeNull()
  })
  it("skips staff's sessions in the lab", () => {
    const staff = { ...rec('r3', '2026-05-01T09:12:00Z'), by_staff: true } as Recording
    expect(momentIn([...sessions, staff], '2026-05-01T09:13:00Z')).toEqual({ recording: 'r1', offset: 600 })
  })
  it('links to the replay at the moment', () => {
    expect(replayLink('l1', '2026-05-01T09:05:30Z')).toBe('/labs/l1/replay?at=2026-05-01T09%3A05%3A30Z')
  })
})
