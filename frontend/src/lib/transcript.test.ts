// The transcript's downloads: the signed-in person's or a trainee's, each
// with the access token, refreshed once when it has expired, and the
// server's error passed on when the download is refused.
import { describe, expect, it } from 'vitest'
import { ApiError, createClient } from './api'

function fake(answer: (path: string, auth: string | null) => Response) {
  const calls: { path: string; auth: string | null }[] = []
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input)
    const auth = new Headers(init?.headers).get('Authorization')
    calls.push({ path, auth })
    if (path === '/api/v1/auth/login' || path === '/api/v1/auth/refresh') {
      const token = path.endsWith('refresh') ? 'fresh' : 'stale'
      return new Response(JSON.stringify({ access_token: token, expires_at: '', user: { id: 'u1' } }), { status: 200, headers: { 'Content-Type': 'application/json' } })
    }
    return answer(path, auth)
  }
  return { fetchImpl: fetchImpl as typeof fetch, calls }
}

const pdf = () => new Response(new Blob(['%PDF-1.4'], { type: 'application/pdf' }), { status: 200 })

describe('transcript downloads', () => {
  it("fetch the signed-in person's PDF in the language asked for", async () => {
    const srv = fake(() => pdf())
    const api = createClient(srv.fetchImpl)
    await api.login({ email: 'a@range.test', password: 'x' })
    const blob = await api.transcriptPDF('ja')
    expect(await blob.text()).toBe('%PDF-1.4')
    expect(srv.calls.at(-1)).toEqual({ path: '/api/v1/me/transcript/pdf?lang=ja', auth: 'Bearer stale' })
  })

  it("fetch a trainee's layer for staff, refreshing an expired token once", async () => {
    const srv = fake((_, auth) => (auth === 'Bearer fresh' ? pdf() : new Response(JSON.stringify({ error: { code: 'token_expired', message: 'expired' } }), { status: 401 })))
    const api = createClient(srv.fetchImpl)
    await api.login({ email: 'a@range.test', password: 'x' })
    await api.transcriptLayer('t 1')
    expect(srv.calls.map((c) => c.path)).toEqual(['/api/v1/auth/login', '/api/v1/trainees/t%201/transcript/layer', '/api/v1/auth/refresh', '/api/v1/trainees/t%201/transcript/layer'])
  })

  it("pass the server's refusal on", async () => {
    const srv = fake(() => new Response(JSON.stringify({ error: { code: 'trainee_not_found', message: 'No such trainee in your classes.' } }), { status: 404 }))
    const api = createClient(srv.fetchImpl)
    await api.login({ email: 'a@range.test', password: 'x' })
    const err = await api.transcriptPDF('en', 'x').catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.code).toBe('trainee_not_found')
  })
})
