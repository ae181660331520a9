import { describe, expect, it } from 'vitest'
import { frozenForPlayers, scopeFromKey, scopeKey, scopeOf, scopeQuery } from './events'

describe('board scopes', () => {
  it('reads the scope from the query, an event first', () => {
    expect(scopeOf(new URLSearchParams('event=e1&cohort=c1'))).toEqual({ kind: 'event', id: 'e1' })
    expect(scopeOf(new URLSearchParams('cohort=c1'))).toEqual({ kind: 'cohort', id: 'c1' })
    expect(scopeOf(new URLSearchParams(''))).toEqual({ kind: 'range' })
  })
  it('round-trips a scope through its select value', () => {
    for (const s of [{ kind: 'range' } as const, { kind: 'cohort', id: 'c:1' } as const, { kind: 'event', id: 'e1' } as const]) {
      expect(scopeFromKey(scopeKey(s))).toEqual(s)
    }
    expect(scopeFromKey('event:')).toEqual({ kind: 'range' })
    expect(scopeFromKey('nonsense')).toEqual({ kind: 'range' })
  })
  it('links a scope', () => {
    expect(scopeQuery({ kind: 'event', id: 'a b' })).toBe('/scoreboard?event=a%20b')
    expect(scopeQuery({ kind: 'range' })).toBe('/scoreboard')
  })
})

describe('frozenForPlayers', () => {
  const now = Date.parse('2026-04-01T10:00:00Z')
  it('holds from the freeze until the event ends', () => {
    expect(frozenForPlayers('2026-04-01T09:00:00Z', 'frozen', now)).toBe(true)
    expect(frozenForPlayers('2026-04-01T11:00:00Z', 'running', now)).toBe(false)
    expect(frozenForPlayers('2026-04-01T09:00:00Z', 'ended', now)).toBe(false)
    expect(frozenForPlayers(undefined, 'running', now)).toBe(false)
  })
})
