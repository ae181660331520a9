// The API client. The access token lives only in memory (never in storage a
// script could read later); the refresh token is an HttpOnly cookie the
// browser sends to /api/v1/auth/* alone. On a 401 the client refreshes once
// and retries; concurrent callers share one refresh, because presenting a
// refresh token twice ends the whole session by design.

export type Role = 'trainee' | 'instructor' | 'partner' | 'admin'

export interface User {
  id: string
  email: string
  display_name: string
  role: Role
  created_at: string
  disabled: boolean
}

export interface Session {
  access_token: string
  expires_at: string
  user: User
}

export interface SetupStatus {
  setup_required: boolean
  registration: 'open' | 'invite'
  version: string
}

export interface WebTarget {
  host: string
  port: number
  label: string
}

export interface Scenario {
  id: string
  version: number
  title: string
  summary: string
  difficulty: string
  time_limit: string
  attack: string[]
  nice_roles: string[]
  incidents: { name: string; year?: number; reference?: string }[]
  tracks: ('attack' | 'defence')[]
  web_targets: WebTarget[]
  story?: string
  objectives?: { id: string; track: 'attack' | 'defence'; kind: string; title: string; points: number }[]
}

export interface Recording {
  id: string
  lab_id: string
  trainee_id: string
  by_staff: boolean
  started_at: string
  ended_at?: string
  bytes: number
  truncated: boolean
}

export interface Competency {
  id: string
  solved: number
  scenarios: string[]
}

export interface Progress {
  points: number
  solved: number
  completed: number
  scenarios: {
    id: string
    title: string
    points: number
    solved: number
    total: number
    attack_solved: number
    attack_total: number
    defence_solved: number
    defence_total: number
    complete: boolean
    last_activity?: string
  }[]
  techniques: Competency[]
  roles: Competency[]
}

export type LabState = 'pending' | 'provisioning' | 'running' | 'stopping' | 'stopped' | 'failed'

export interface Lab {
  id: string
  scenario: string
  trainee_id?: string
  trainee_name?: string // in staff lists
  state: LabState
  step?: string
  progress: number
  reason?: string
  terminal_host?: string
  extensions: number
  created_at: string
  started_at?: string
  expires_at: string
  stopped_at?: string
}

export interface HintState {
  id: string
  cost: number
  unlocked: boolean
  text?: string
}

export interface ObjectiveState {
  id: string
  track: 'attack' | 'defence'
  kind: 'flag' | 'question' | 'check' | 'detection'
  title: string
  points: number
  solved: boolean
  attempts_left: number
  choices?: string[]
  walkthrough_available: boolean
  walkthrough_revealed: boolean
  hints: HintState[]
}

export interface Verdict {
  correct: boolean
  already_solved: boolean
  points: number
  attempts_left: number
  message: string
  evidence?: string
}

export interface Invite {
  id: string
  code: string
  role: Role
  email?: string
  expires_at: string
}

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
    setup: (body: { setup_code: string; email: string; display_name: string; password: string }) =>
      signedIn(request<Session>('POST', '/api/v1/setup', { body, auth: false })),
    login: (body: { email: string; password: string }) =>
      signedIn(request<Session>('POST', '/api/v1/auth/login', { body, auth: false })),
    register: (body: { email: string; display_name: string; password: string; invite_code: string }) =>
      signedIn(request<Session>('POST', '/api/v1/auth/register', { body, auth: false })),
    async logout() {
      try {
        await request<void>('POST', '/api/v1/auth/logout', { auth: false })
      } finally {
        publish(null)
      }
    },
    me: () => request<User>('GET', '/api/v1/me'),
    createInvite: (body: { role: Role; email?: string; valid_hours?: number }) =>
      request<Invite>('POST', '/api/v1/invites', { body }),
    scenarios: () => request<{ scenarios: Scenario[] }>('GET', '/api/v1/scenarios').then((r) => r.scenarios),
    scenario: (id: string) => request<Scenario>('GET', `/api/v1/scenarios/${encodeURIComponent(id)}`),
    // labEvents follows a lab's start-up until it settles.
    labEvents: (id: string, onLab: (l: Lab) => void, signal?: AbortSignal) =>
      stream(`/api/v1/labs/${encodeURIComponent(id)}/events`, (d) => onLab(JSON.parse(d) as Lab), signal),
    resetLab: (id: string) => request<Lab>('POST', `/api/v1/labs/${encodeURIComponent(id)}/reset`),
    openWeb: (lab: string, t: WebTarget) =>
      request<{ url: string }>('POST', `/api/v1/labs/${encodeURIComponent(lab)}/web`, { body: { host: t.host, port: t.port } }),
    myProgress: () => request<Progress>('GET', '/api/v1/me/progress'),
    allLabs: () => request<{ labs: Lab[] }>('GET', '/api/v1/labs?all=1').then((r) => r.labs),
    recordings: (lab: string) =>
      request<{ recordings: Recording[] }>('GET', `/api/v1/labs/${encodeURIComponent(lab)}/recordings`).then((r) => r.recordings),
    cast: (id: string) => text(`/api/v1/recordings/${encodeURIComponent(id)}`),
    myLabs: () => request<{ labs: Lab[] }>('GET', '/api/v1/labs?active=1').then((r) => r.labs),
    lab: (id: string) => request<Lab>('GET', `/api/v1/labs/${encodeURIComponent(id)}`),
    launch: (scenario: string) => request<Lab>('POST', '/api/v1/labs', { body: { scenario } }),
    stopLab: (id: string) => request<Lab>('DELETE', `/api/v1/labs/${encodeURIComponent(id)}`),
    extendLab: (id: string) => request<Lab>('POST', `/api/v1/labs/${encodeURIComponent(id)}/extend`),
    objectives: (lab: string) =>
      request<{ objectives: ObjectiveState[] }>('GET', `/api/v1/labs/${encodeURIComponent(lab)}/objectives`).then((r) => r.objectives),
    submit: (lab: string, objective: string, answer: string) =>
      request<Verdict>('POST', `/api/v1/labs/${encodeURIComponent(lab)}/objectives/${encodeURIComponent(objective)}`, { body: { answer } }),
    check: (lab: string, objective: string) =>
      request<Verdict>('POST', `/api/v1/labs/${encodeURIComponent(lab)}/objectives/${encodeURIComponent(objective)}/check`),
    hint: (lab: string, hint: string) =>
      request<HintState>('POST', `/api/v1/labs/${encodeURIComponent(lab)}/hints/${encodeURIComponent(hint)}`),
    walkthrough: (lab: string, objective: string) =>
      request<{ walkthrough: string }>('POST', `/api/v1/labs/${encodeURIComponent(lab)}/objectives/${encodeURIComponent(objective)}/walkthrough`),
    myScore: () => request<{ points: number; solved: number }>('GET', '/api/v1/me/score'),
    terminalTicket: (lab: string) =>
      request<{ ticket: string; url: string }>('POST', `/api/v1/labs/${encodeURIComponent(lab)}/terminal`),
  }
}

export type Client = ReturnType<typeof createClient>

export const api = createClient()
