import { describe, expect, it } from 'vitest'
import { dueText, fromLocalInput, latePolicyText } from './assignments'

describe('assignments', () => {
  const now = Date.parse('2026-12-01T10:00:00Z')
  it('says how a due date stands against now', () => {
    expect(dueText('2026-11-30T10:00:00Z', now)).toMatch(/^was due /)
    expect(dueText('2026-12-01T12:00:00Z', now)).toMatch(/^due today, /)
    expect(dueText('2026-12-02T10:00:00Z', now)).toMatch(/^due tomorrow, /)
    expect(dueText('2026-12-08T10:00:00Z', now)).toMatch(/^due in 7 days, /)
  })
  it('sends the local time as an instant and leaves empty alone', () => {
    expect(fromLocalInput('')).toBe('')
    expect(fromLocalInput('2026-12-01T09:00')).toBe(new Date('2026-12-01T09:00').toISOString())
  })
  it('describes each late policy', () => {
    expect(latePolicyText('penalty', 20)).toBe('late work loses 20%')
    expect(latePolicyText('closed')).toBe('closed after the due date')
    expect(latePolicyText('accept')).toBe('late work accepted')
  })
})
