import { describe, expect, it } from 'vitest'
import { createClient, type Session, type User } from './api'

const user: User = { id: 'u1', email: 'ines@range.test', display_name: 'Ines', role: 'instructor', created_at: '', disabled: false, language: '', time_zone: '' }

// A server whose login answers with the given body, and that records the
// token each later call brings.
function serverAnswering(login: unknown) {
  const auths: (string | null)[] = []
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit) => {
    auths.push(new Headers(init?.headers).get('Authorization'))
    const body = String(input) === '/api/v1/auth/login' ? login : { totp: false, totp_pending: false, passkeys: [], methods: [], required: true }
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
  }
  return { fetchImpl: fetchImpl as typeof fetch, auths }
}

describe('sign-in with a second factor', () => {
  it('signs nobody in on a challenge', async () => {
    const srv = serverAnswering({ mfa_required: true, challenge: 'c1', methods: ['totp'], expires_at: '' })
    const api = createClient(srv.fetchImpl)
    const seen: (Session | null)[] = []
    api.onSession((s) => seen.push(s))
    const r = await api.login({ email: 'ines@range.test', password: 'x' })
    expect('challenge' in r).toBe(true)
    expect(seen).toEqual([])
    await api.myMfa()
    expect(srv.auths.at(-1)).toBeNull()
  })

  it('uses an enrolment token for setting up, without signing in, until it is forgotten', async () => {
    const srv = serverAnswering({ mfa_enrolment_required: true, enrolment_token: 'enrol-1', token_type: 'Bearer', expires_at: '', user })
    const api = createClient(srv.fetchImpl)
    const seen: (Session | null)[] = []
    api.onSession((s) => seen.push(s))
    await api.login({ email: 'ines@range.test', password: 'x' })
    expect(seen).toEqual([])
    await api.myMfa()
    expect(srv.auths.at(-1)).toBe('Bearer enrol-1')
    api.forgetEnrolment()
    await api.myMfa()
    expect(srv.auths.at(-1)).toBeNull()
  })
})
