import { describe, expect, it } from 'vitest'
import { ApiError, createClient, type Session, type User } from './api'

const user: User = { id: 'u1', email: 'a@range.test', display_name: 'A', role: 'trainee', created_at: '', disabled: false, language: '', time_zone: '' }

function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

// fakeServer answers like the real API: /me needs the current token, and
// each refresh hands out the next one.
function fakeServer() {
  const calls: { path: string; auth: string | null }[] = []
  let current = 'token-0'
  let refreshes = 0
  let refreshWorks = true
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input)
    const auth = new Headers(init?.headers).get('Authorization')
    calls.push({ path, auth })
    await new Promise((r) => setTimeout(r, 1))
    if (path === '/api/v1/auth/refresh') {
      refreshes++
      if (!refreshWorks) return json(401, { error: { code: 'session_invalid', message: 'ended' } })
      current = `token-${refreshes}`
      return json(200, { access_token: current, expires_at: '', user })
    }
    if (path === '/api/v1/auth/login') return json(200, { access_token: current, expires_at: '', user })
    if (path === '/api/v1/me') {
      return auth === `Bearer ${current}`
        ? json(200, user)
        : json(401, { error: { code: 'token_expired', message: 'expired' } })
    }
    return json(400, { error: { code: 'email_invalid', message: 'Enter a valid email.', field: 'email', request_id: 'r1' } })
  }
  return {
    fetchImpl: fetchImpl as typeof fetch,
    calls,
    expire: () => (current = 'rotated-elsewhere'),
    get refreshes() { return refreshes },
    breakRefresh: () => (refreshWorks = false),
  }
}

describe('api client', () => {
  it('sends the access token it was given at sign-in', async () => {
    const srv = fakeServer()
    const api = createClient(srv.fetchImpl)
    await api.login({ email: 'a@range.test', password: 'x' })
    await api.me()
    expect(srv.calls.at(-1)?.auth).toBe('Bearer token-0')
  })

  it('refreshes once on 401 and retries with the new token', async () => {
    const srv = fakeServer()
    const api = createClient(srv.fetchImpl)
    await api.login({ email: 'a@range.test', password: 'x' })
    srv.expire()
    await expect(api.me()).resolves.toMatchObject({ id: 'u1' })
    expect(srv.refreshes).toBe(1)
  })

  it('shares one refresh among concurrent requests, since a reused refresh token ends the session', async () => {
    const srv = fakeServer()
    const api = createClient(srv.fetchImpl)
    await api.login({ email: 'a@range.test', password: 'x' })
    srv.expire()
    await Promise.all([api.me(), api.me(), api.me(), api.me()])
    expect(srv.refreshes).toBe(1)
  })

  it('signs the app out when the session cannot be refreshed', async () => {
    const srv = fakeServer()
    const api = createClient(srv.fetchImpl)
    const seen: (Session | null)[] = []
    api.onSession((s) => seen.push(s))
    await api.login({ email: 'a@range.test', password: 'x' })
    srv.expire()
    srv.breakRefresh()
    await expect(api.me()).rejects.toMatchObject({ status: 401, code: 'token_expired' })
    expect(seen.at(-1)).toBeNull()
  })

  it('turns error bodies into ApiError with code, field and request id', async () => {
    const api = createClient(fakeServer().fetchImpl)
    const err = await api.register({ email: 'x', display_name: '', password: '', invite_code: '' }).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 400, code: 'email_invalid', field: 'email', requestId: 'r1', message: 'Enter a valid email.' })
  })

  it('reports an unreachable server plainly', async () => {
    const api = createClient((async () => { throw new TypeError('Failed to fetch') }) as typeof fetch)
    await expect(api.setupStatus()).rejects.toMatchObject({ status: 0, code: 'network' })
  })
})

describe('lab events', () => {
  it('reads server-sent events split across chunks, with the token, and ignores comments', async () => {
    const chunks = ['event: lab\ndata: {"id":"l1","state":"pen', 'ding","progress":5}\n\n: still here\n\n', 'event: lab\ndata: {"id":"l1","state":"running","progress":100}\n\n']
    let auth: string | null = null
    const fetchImpl = (async (_: RequestInfo | URL, init?: RequestInit) => {
      auth = new Headers(init?.headers).get('Authorization')
      const body = new ReadableStream({
        start(c) {
          for (const ch of chunks) c.enqueue(new TextEncoder().encode(ch))
          c.close()
        },
      })
      return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } })
    }) as typeof fetch
    const client = createClient(fetchImpl)
    const seen: string[] = []
    await client.labEvents('l1', (l) => seen.push(`${l.state}:${l.progress}`))
    expect(seen).toEqual(['pending:5', 'running:100'])
    expect(auth).toBeNull() // signed out: no token to send
  })

  it('reports a refused stream as the API error', async () => {
    const client = createClient((async () => json(404, { error: { code: 'lab_not_found', message: 'no' } })) as typeof fetch)
    await expect(client.labEvents('l1', () => {})).rejects.toMatchObject({ code: 'lab_not_found', status: 404 })
  })
})
