// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest'
import { createClient, hasSessionHint } from './api'

const user = { id: 'u1', email: 'a@range.test', display_name: 'A', role: 'trainee', created_at: '', disabled: false, language: '', time_zone: '' }
const answer = (status: number, body: unknown) =>
  new Response(body === null ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

describe('the session hint', () => {
  beforeEach(() => localStorage.clear())

  it('is set by a sign-in and cleared by a sign-out', async () => {
    const api = createClient((async (input: RequestInfo | URL) =>
      String(input).endsWith('/login') ? answer(200, { access_token: 't', expires_at: '', user }) : answer(204, null)) as typeof fetch)
    expect(hasSessionHint()).toBe(false)
    await api.login({ email: 'a@range.test', password: 'pw' })
    expect(hasSessionHint()).toBe(true)
    await api.logout()
    expect(hasSessionHint()).toBe(false)
  })

  it('is cleared when the refresh cookie no longer works', async () => {
    localStorage.setItem('sakimori.session', '1')
    const api = createClient((async () => answer(401, { error: { code: 'session_invalid', message: 'ended' } })) as typeof fetch)
    expect(await api.refresh()).toBeNull()
    expect(hasSessionHint()).toBe(false)
  })
})
