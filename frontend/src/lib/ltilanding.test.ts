// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { hasSessionHint } from './api'
import { landFromLaunch } from './ltilanding'

function at(pathname: string, hash: string) {
  const went: string[] = []
  return { loc: { pathname, hash, replace: (u: string) => void went.push(u) }, went }
}

describe('landing from an LTI launch', () => {
  it('expects the session and goes on to the page the launch was for', () => {
    localStorage.clear()
    const { loc, went } = at('/lti/landed', '#to=' + encodeURIComponent('/lti/deep-link?cohort=c1#ticket=t'))
    expect(landFromLaunch(loc)).toBe(true)
    expect(went).toEqual(['/lti/deep-link?cohort=c1#ticket=t'])
    expect(hasSessionHint()).toBe(true)
  })
  it('never goes to another site', () => {
    for (const to of ['https://evil.example/', '//evil.example/', '/\\evil.example']) {
      const { loc, went } = at('/lti/landed', '#to=' + encodeURIComponent(to))
      landFromLaunch(loc)
      expect(went).toEqual(['/'])
    }
  })
  it('leaves every other page to the app', () => {
    const { loc, went } = at('/cohorts/c1', '')
    expect(landFromLaunch(loc)).toBe(false)
    expect(went).toEqual([])
  })
})
