import { describe, expect, it } from 'vitest'
import type { Scenario } from './api'
import { active, duration, matches, noFilters, options } from './catalogue'

const base = { version: 1, summary: '', time_limit: '1h0m0s', web_targets: [] }
const heist: Scenario = {
  ...base, id: 'metadata-heist', title: 'Metadata Heist', difficulty: 'intermediate', tracks: ['attack', 'defence'],
  attack: ['T1190', 'T1552.005'], nice_roles: ['Incident Response'], incidents: [{ name: 'Capital One data breach', year: 2019 }],
}
const orientation: Scenario = {
  ...base, id: 'orientation', title: 'Range Orientation', difficulty: 'beginner', tracks: ['attack'],
  attack: ['T1046'], nice_roles: ['Vulnerability Analysis'], incidents: [],
}

describe('catalogue filters', () => {
  it('passes everything with no filters', () => {
    expect([heist, orientation].filter((s) => matches(s, noFilters))).toHaveLength(2)
    expect(active(noFilters)).toBe(false)
  })
  it('filters by track, difficulty, role and incident', () => {
    expect(matches(orientation, { ...noFilters, track: 'defence' })).toBe(false)
    expect(matches(heist, { ...noFilters, track: 'defence' })).toBe(true)
    expect(matches(heist, { ...noFilters, difficulty: 'beginner' })).toBe(false)
    expect(matches(heist, { ...noFilters, role: 'Incident Response' })).toBe(true)
    expect(matches(orientation, { ...noFilters, incident: 'Capital One data breach' })).toBe(false)
  })
  it('matches a technique and its sub-techniques', () => {
    expect(matches(heist, { ...noFilters, technique: 'T1552' })).toBe(true)
    expect(matches(heist, { ...noFilters, technique: 'T155' })).toBe(false)
  })
  it('searches titles, incidents and techniques by every word', () => {
    expect(matches(heist, { ...noFilters, text: 'capital 2019' })).toBe(false)
    expect(matches(heist, { ...noFilters, text: 'capital heist' })).toBe(true)
    expect(matches(orientation, { ...noFilters, text: 't1046' })).toBe(true)
  })
  it('offers the options the catalogue has, difficulties in order', () => {
    const o = options([heist, orientation])
    expect(o.difficulties).toEqual(['beginner', 'intermediate'])
    expect(o.techniques).toEqual(['T1046', 'T1190', 'T1552.005'])
    expect(o.incidents).toEqual(['Capital One data breach'])
  })
  it('writes durations for people', () => {
    expect(duration('1h30m0s')).toBe('1 h 30 min')
    expect(duration('1h0m0s')).toBe('1 h')
    expect(duration('45m0s')).toBe('45 min')
  })

  it('finds text as Japanese keyboards type it', () => {
    const ja: Scenario = { ...heist, title: 'メタデータ強奪', summary: 'SSRF で IMDSv1 の認証情報を盗む' }
    expect(matches(ja, { ...noFilters, text: 'ＩＭＤＳｖ１' })).toBe(true) // full-width
    expect(matches(ja, { ...noFilters, text: 'ﾒﾀﾃﾞｰﾀ' })).toBe(true) // half-width katakana
    expect(matches(ja, { ...noFilters, text: 'めたでーた' })).toBe(true) // hiragana for katakana
    expect(matches(ja, { ...noFilters, text: '強奪' })).toBe(true)
    expect(matches(ja, { ...noFilters, text: '奪取' })).toBe(false)
    expect(matches(heist, { ...noFilters, text: 'ｃａｐｉｔａｌ　ｏｎｅ' })).toBe(true) // an ideographic space splits words
  })
})
