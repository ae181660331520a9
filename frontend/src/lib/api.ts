// The API client. The access token lives only in memory (never in storage a
// script could read later); the refresh token is an HttpOnly cookie the
// browser sends to /api/v1/auth/* alone. On a 401 the client refreshes once
// and retries; concurrent callers share one refresh, because presenting a
// refresh token twice ends the whole session by design.

import type { components } from './api-types'

// The wire types are generated from the server's OpenAPI document
// (api-types.ts, by `npm run api:types`); these are their names here.
type Schemas = components['schemas']

export type Role = Schemas['Role']
export type User = Schemas['User']
export type Session = Schemas['Session']
export type SetupStatus = Schemas['SetupStatus']
export type WebTarget = Schemas['WebTarget']
export type Scenario = Schemas['Scenario']
export type Recording = Schemas['Recording']
export type Competency = Schemas['Competency']
export type Progress = Schemas['Progress']
export type LabState = Schemas['LabState']
export type Lab = Schemas['Lab']
export type LabHealth = Schemas['LabHealth']
export type HintState = Schemas['HintState']
export type ObjectiveState = Schemas['ObjectiveState']
export type Verdict = Schemas['Verdict']
export type Invite = Schemas['Invite']

// ApiError is the server's {"error":{code,message,field}} as a thrown value.
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly field?: string
  readonly requestId?: string

  constructor(status: number, code: string, message: string, field?: string, requestId?: string) {
    super(message)
    this.status = status
    this.code = code
    this.field = field
    this.requestId = requestId
  }
}

type Fetch = typeof fetch

interface RequestOptions {
  body?: unknown
  auth?: boolean // send the access token and refresh on 401 (default true)
}

export function createClient(fetchImpl: Fetch = (...a) => fetch(...a)) {
  let token: string | null = null
  let refreshing: Promise<Session | null> | null = null
  const listeners = new Set<(s: Session | null) => void>()

  function publish(s: Session | null) {
    token = s?.access_token ?? null
    for (const l of listeners) l(s)
  }

  async function send<T>(method: string, path: string, opt: RequestOptions): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (opt.body !== undefined) headers['Content-Type'] = 'application/json'
    if (opt.auth !== false && token) headers.Authorization = `Bearer ${token}`
    let res: Response
    try {
      res = await fetchImpl(path, {
        method,
        headers,
        credentials: 'same-origin',
        body: opt.body === undefined ? undefined : JSON.stringify(opt.body),
      })
    } catch {
      throw new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.')
    }
    if (res.status === 204) return undefined as T
    const data = await res.json().catch(() => null)
    if (!res.ok) {
      const e = data?.error
      throw new ApiError(
        res.status,
        e?.code ?? 'http_' + res.status,
        e?.message ?? `The server answered ${res.status}.`,
        e?.field,
        e?.request_id,
      )
    }
    return data as T
  }

  // refresh exchanges the cookie for a new access token; null means signed out.
  function refresh(): Promise<Session | null> {
    refreshing ??= send<Session>('POST', '/api/v1/auth/refresh', { auth: false })
      .then((s) => (publish(s), s))
      .catch((e) => {
        if (e instanceof ApiError && e.status === 401) {
          publish(null)
          return null
        }
        throw e
      })
      .finally(() => (refreshing = null))
    return refreshing
  }

  async function request<T>(method: string, path: string, opt: RequestOptions = {}): Promise<T> {
    try {
      return await send<T>(method, path, opt)
    } catch (e) {
      if (opt.auth === false || !(e instanceof ApiError) || e.status !== 401) throw e
      if (!(await refresh())) throw e
      return send<T>(method, path, opt)
    }
  }

  // stream reads server-sent events from path with the access token (an
  // EventSource cannot send one), calling onEvent with each event's data.
  async function stream(path: string, onEvent: (data: string) => void, signal?: AbortSignal): Promise<void> {
    const open = () => {
      const headers: Record<string, string> = { Accept: 'text/event-stream' }
      if (token) headers.Authorization = `Bearer ${token}`
      return fetchImpl(path, { headers, credentials: 'same-origin', signal })
    }
    let res = await open()
    if (res.status === 401 && (await refresh())) res = await open()
    if (!res.ok || !res.body) {
      const e = (await res.json().catch(() => null))?.error
      throw new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? `The server answered ${res.status}.`)
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += value
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n')
        if (data) onEvent(data)
      }
    }
  }

  // text fetches a non-JSON resource (a recording) with the access token.
  async function text(path: string): Promise<string> {
    const open = () => fetchImpl(path, { headers: token ? { Authorization: `Bearer ${token}` } : {}, credentials: 'same-origin' })
    let res = await open()
    if (res.status === 401 && (await refresh())) res = await open()
    if (!res.ok) {
      const e = (await res.json().catch(() => null))?.error
      throw new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? `The server answered ${res.status}.`)
    }
    return res.text()
  }

  function signedIn(p: Promise<Session>): Promise<Session> {
    return p.then((s) => (publish(s), s))
  }

  return {
    onSession(fn: (s: Session | null) => void) {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
    refresh,
    setupStatus: () => request<SetupStatus>('GET', '/api/v1/setup', { auth: false }),
    setup: (body: Schemas['SetupRequest']) =>
      signedIn(request<Session>('POST', '/api/v1/setup', { body, auth: false })),
    login: (body: Schemas['LoginRequest']) =>
      signedIn(request<Session>('POST', '/api/v1/auth/login', { body, auth: false })),
    register: (body: Schemas['RegisterRequest']) =>
      signedIn(request<Session>('POST', '/api/v1/auth/register', { body, auth: false })),
    async logout() {
      try {
        await request<void>('POST', '/api/v1/auth/logout', { auth: false })
      } finally {
        publish(null)
      }
    },
    me: () => request<User>('GET', '/api/v1/me'),
    createInvite: (body: Schemas['InviteRequest']) =>
      request<Invite>('POST', '/api/v1/invites', { body }),
    scenarios: () => request<Schemas['ScenarioList']>('GET', '/api/v1/scenarios').then((r) => r.scenarios),
    scenario: (id: string) => request<Scenario>('GET', `/api/v1/scenarios/${encodeURIComponent(id)}`),
    // labEvents follows a lab's start-up until it settles.
    labEvents: (id: string, onLab: (l: Lab) => void, signal?: AbortSignal) =>
      stream(`/api/v1/labs/${encodeURIComponent(id)}/events`, (d) => onLab(JSON.parse(d) as Lab), signal),
    resetLab: (id: string) => request<Lab>('POST', `/api/v1/labs/${encodeURIComponent(id)}/reset`),
    labHealth: (id: string) => request<LabHealth>('GET', `/api/v1/labs/${encodeURIComponent(id)}/health`),
    openWeb: (lab: string, t: WebTarget) =>
      request<Schemas['WebLink']>('POST', `/api/v1/labs/${encodeURIComponent(lab)}/web`, {
        body: { host: t.host, port: t.port } satisfies Schemas['WebLinkRequest'],
      }),
    myProgress: () => request<Progress>('GET', '/api/v1/me/progress'),
    allLabs: () => request<Schemas['LabList']>('GET', '/api/v1/labs?all=1').then((r) => r.labs),
    recordings: (lab: string) =>
      request<Schemas['RecordingList']>('GET', `/api/v1/labs/${encodeURIComponent(lab)}/recordings`).then((r) => r.recordings),
    cast: (id: string) => text(`/api/v1/recordings/${encodeURIComponent(id)}`),
    myLabs: () => request<Schemas['LabList']>('GET', '/api/v1/labs?active=1').then((r) => r.labs),
    lab: (id: string) => request<Lab>('GET', `/api/v1/labs/${encodeURIComponent(id)}`),
    launch: (scenario: string) => request<Lab>('POST', '/api/v1/labs', { body: { scenario } satisfies Schemas['LaunchRequest'] }),
    stopLab: (id: string) => request<Lab>('DELETE', `/api/v1/labs/${encodeURIComponent(id)}`),
    extendLab: (id: string) => request<Lab>('POST', `/api/v1/labs/${encodeURIComponent(id)}/extend`),
    objectives: (lab: string) =>
      request<Schemas['ObjectiveList']>('GET', `/api/v1/labs/${encodeURIComponent(lab)}/objectives`).then((r) => r.objectives),
    submit: (lab: string, objective: string, answer: string) =>
      request<Verdict>('POST', `/api/v1/labs/${encodeURIComponent(lab)}/objectives/${encodeURIComponent(objective)}`, { body: { answer } satisfies Schemas['AnswerRequest'] }),
    check: (lab: string, objective: string) =>
      request<Verdict>('POST', `/api/v1/labs/${encodeURIComponent(lab)}/objectives/${encodeURIComponent(objective)}/check`),
    hint: (lab: string, hint: string) =>
      request<HintState>('POST', `/api/v1/labs/${encodeURIComponent(lab)}/hints/${encodeURIComponent(hint)}`),
    walkthrough: (lab: string, objective: string) =>
      request<Schemas['Walkthrough']>('POST', `/api/v1/labs/${encodeURIComponent(lab)}/objectives/${encodeURIComponent(objective)}/walkthrough`),
    myScore: () => request<Schemas['Score']>('GET', '/api/v1/me/score'),
    terminalTicket: (lab: string) =>
      request<Schemas['TerminalTicket']>('POST', `/api/v1/labs/${encodeURIComponent(lab)}/terminal`),
  }
}

export type Client = ReturnType<typeof createClient>

export const api = createClient()
