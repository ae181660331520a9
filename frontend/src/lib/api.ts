// The API client. The access token lives only in memory (never in storage a
// script could read later); the refresh token is an HttpOnly cookie the
// browser sends to /api/v1/auth/* alone. On a 401 the client refreshes once
// and retries; concurrent callers share one refresh, because presenting a
// refresh token twice ends the whole session by design.

import type { components } from './api-types'
import { m } from '../paraglide/messages.js'

// The wire types are generated from the server's OpenAPI document
// (api-types.ts, by `npm run api:types`); these are their names here.
type Schemas = components['schemas']

export type Role = Schemas['Role']
export type User = Schemas['User']
export type Session = Schemas['Session']
export type SetupStatus = Schemas['SetupStatus']
export type WebTarget = Schemas['WebTarget']
export type Scenario = Schemas['Scenario']
export type ScenarioNotes = Schemas['ScenarioNotes']
export type Recording = Schemas['Recording']
export type Competency = Schemas['Competency']
export type Progress = Schemas['Progress']
export type Transcript = Schemas['Transcript']
export type XAPILRS = Schemas['XAPILRS']
export type AuthoredScenario = Schemas['AuthoredScenario']
export type ScenarioVersion = Schemas['ScenarioVersion']
export type ScenarioDiff = Schemas['ScenarioDiff']
export type ScenarioFile = Schemas['ScenarioFile']
export type ManifestValidation = Schemas['ManifestValidation']
export type Rehearsal = Schemas['Rehearsal']
export type XAPIDeadLetter = Schemas['XAPIDeadLetter']
export type CohortCompetencies = Schemas['CohortCompetencies']
export type LabState = Schemas['LabState']
export type Lab = Schemas['Lab']
export type LabHealth = Schemas['LabHealth']
export type HintState = Schemas['HintState']
export type ObjectiveState = Schemas['ObjectiveState']
export type Verdict = Schemas['Verdict']
export type Invite = Schemas['Invite']
export type StaffLab = Schemas['StaffLab']
export type ListedInvite = Schemas['ListedInvite']
export type Suspicion = Schemas['Suspicion']
export type TraineeHistory = Schemas['TraineeHistory']
export type TypedSession = Schemas['TypedSession']
export type MfaChallenge = Schemas['MFAChallenge']
export type MfaEnrolment = Schemas['MFAEnrolment']
export type MfaStatus = Schemas['MFAStatus']
export type Passkey = Schemas['Passkey']
export type TotpEnrolment = Schemas['TOTPEnrolment']
export type PasskeyCeremony = Schemas['PasskeyCeremony']
// What a right password leads to: a session, a second-factor step, or
// (for a role that requires a second factor) setting one up first.
export type SignInResult = Session | MfaChallenge | MfaEnrolment
export type Organisation = Schemas['Organisation']
export type OrgMember = Schemas['OrgMember']
export type PartnerToken = Schemas['PartnerToken']
export type PartnerScope = Schemas['PartnerScope']
export type Cohort = Schemas['Cohort']
export type CohortMember = Schemas['CohortMember']
export type CohortMemberList = Schemas['CohortMemberList']
export type RosterImport = Schemas['RosterImport']
export type RosterRowError = Schemas['RosterRowError']
export type LiveSnapshot = Schemas['LiveSnapshot']
export type LiveRow = Schemas['LiveRow']
export type LiveCell = Schemas['LiveCell']
export type ClassCharts = Schemas['ClassCharts']
export type CohortMessage = Schemas['CohortMessage']
export type Assignment = Schemas['Assignment']
export type AssignmentStatus = Schemas['AssignmentStatus']
export type MyAssignment = Schemas['MyAssignment']
export type RangeEvent = Schemas['Event']
export type EventRequest = Schemas['EventRequest']
export type ScopedScoreboard = Schemas['ScopedScoreboard']
export type SsoProviderPublic = Schemas['SSOProviderPublic']
export type SsoProvider = Schemas['SSOProvider']
export type SsoProviderRequest = Schemas['SSOProviderRequest']
export type SsoSettings = Schemas['SSOSettings']
export type SsoIdentity = Schemas['SSOIdentity']
export type Badge = Schemas['Badge']
export type BadgeVerification = Schemas['BadgeVerification']
export type BadgeSettings = Schemas['BadgeSettings']
export type LtiPlatform = Schemas['LTIPlatform']
export type LtiPlatformRequest = Schemas['LTIPlatformRequest']
export type LtiPlatformList = Schemas['LTIPlatformList']

// ApiError is the server's {"error":{code,message,field}} as a thrown value.
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly field?: string
  readonly requestId?: string
  readonly rows?: RosterRowError[] // a refused roster's wrong rows, by line

  constructor(status: number, code: string, message: string, field?: string, requestId?: string, rows?: RosterRowError[]) {
    super(message)
    this.status = status
    this.code = code
    this.field = field
    this.requestId = requestId
    this.rows = rows
  }
}

type Fetch = typeof fetch

// A hint, not a secret: whether this browser holds a sign-in session. With
// no hint the app does not try the refresh cookie on load, so a signed-out
// visit makes no request the server must refuse (and the console shows no
// 401). The session itself stays in the HttpOnly cookie.
const sessionHint = 'sakimori.session'
const storage = () => (typeof localStorage === 'undefined' ? null : localStorage)

export function hasSessionHint(): boolean {
  return storage()?.getItem(sessionHint) === '1'
}
// expectSession is for leaving the app to sign in at an organisation's
// identity provider: the range answers the provider's return with the
// refresh cookie, and on coming back the app should try it. A sign-in that
// failed leaves no cookie, and the refresh then clears the hint.
export function expectSession() {
  setSessionHint(true)
}
function setSessionHint(signedIn: boolean) {
  if (signedIn) storage()?.setItem(sessionHint, '1')
  else storage()?.removeItem(sessionHint)
}

interface RequestOptions {
  body?: unknown
  csv?: string // sent as text/csv instead of a JSON body
  file?: Blob // sent as it is, with its own type (an imported framework)
  auth?: boolean // send the access token and refresh on 401 (default true)
}

// AuditFilter narrows the audit log; empty fields do not filter.
export type AuditFilter = { actor?: string; action?: string; since?: string; until?: string }
export type AuditEntry = Schemas['AuditEntry']

function auditQuery(f: AuditFilter, extra: Record<string, string>): string {
  const q = new URLSearchParams(extra)
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v)
  return q.toString()
}

// The language the person reads the app in, sent with every request so the
// server's error messages match the page around them.
let readerLanguage = ''
export function setRequestLanguage(language: string) {
  readerLanguage = language
}
export type Preferences = Schemas['Preferences']

export function createClient(fetchImpl: Fetch = (...a) => fetch(...a)) {
  let token: string | null = null
  let enrolling = false // token is an enrolment token, not a session's
  let refreshing: Promise<Session | null> | null = null
  const listeners = new Set<(s: Session | null) => void>()

  function publish(s: Session | null) {
    token = s?.access_token ?? null
    enrolling = false
    setSessionHint(s !== null)
    for (const l of listeners) l(s)
  }

  async function send<T>(method: string, path: string, opt: RequestOptions): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (opt.body !== undefined) headers['Content-Type'] = 'application/json'
    if (opt.csv !== undefined) headers['Content-Type'] = 'text/csv'
    if (opt.file !== undefined) headers['Content-Type'] = opt.file.type
    if (opt.auth !== false && token) headers.Authorization = `Bearer ${token}`
    if (readerLanguage) headers['Accept-Language'] = readerLanguage
    let res: Response
    try {
      res = await fetchImpl(path, {
        method,
        headers,
        credentials: 'same-origin',
        body: opt.file ?? opt.csv ?? (opt.body === undefined ? undefined : JSON.stringify(opt.body)),
      })
    } catch {
      throw new ApiError(0, 'network', m.network_unreachable())
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
        data?.rows,
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
  // stream reads server-sent events until the stream ends; each event's
  // data goes to onEvent with its name and id. lastEventId is sent as a
  // browser's EventSource would when it reconnects.
  async function stream(
    path: string,
    onEvent: (data: string, name: string, id: string) => void,
    signal?: AbortSignal,
    lastEventId?: string,
  ): Promise<void> {
    const open = () => {
      const headers: Record<string, string> = { Accept: 'text/event-stream' }
      if (token) headers.Authorization = `Bearer ${token}`
      if (lastEventId) headers['Last-Event-ID'] = lastEventId
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
        const lines = block.split('\n')
        const field = (name: string) => lines.filter((l) => l.startsWith(name + ': ')).map((l) => l.slice(name.length + 2))
        const data = field('data').join('\n')
        if (data) onEvent(data, field('event')[0] ?? 'message', field('id')[0] ?? '')
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

  // file fetches a download (a PDF, a layer, an archive) with the access
  // token, as a blob to save.
  async function file(path: string): Promise<Blob> {
    const open = () => fetchImpl(path, { headers: token ? { Authorization: `Bearer ${token}` } : {}, credentials: 'same-origin' })
    let res = await open()
    if (res.status === 401 && (await refresh())) res = await open()
    if (!res.ok) {
      const e = (await res.json().catch(() => null))?.error
      throw new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? `The server answered ${res.status}.`)
    }
    return res.blob()
  }

  function signedIn(p: Promise<Session>): Promise<Session> {
    return p.then((s) => (publish(s), s))
  }

  // afterPassword publishes a session; an enrolment token is kept for the
  // second-factor endpoints alone, and nobody counts as signed in with it.
  function afterPassword(p: Promise<SignInResult>): Promise<SignInResult> {
    return p.then((r) => {
      if ('access_token' in r) {
        publish(r)
      } else if ('enrolment_token' in r) {
        token = r.enrolment_token
        enrolling = true
      }
      return r
    })
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
      afterPassword(request<SignInResult>('POST', '/api/v1/auth/login', { body, auth: false })),
    register: (body: Schemas['RegisterRequest']) =>
      afterPassword(request<SignInResult>('POST', '/api/v1/auth/register', { body, auth: false })),
    // The second-factor step of a sign-in, and the person's own factors.
    signInTotp: (body: Schemas['TOTPSignInRequest']) =>
      signedIn(request<Session>('POST', '/api/v1/auth/mfa/totp', { body, auth: false })),
    signInPasskeyBegin: (challenge: string) =>
      request<PasskeyCeremony>('POST', '/api/v1/auth/mfa/passkey/begin', { body: { challenge }, auth: false }),
    signInPasskeyFinish: (challenge: string, credential: Record<string, unknown>) =>
      signedIn(request<Session>('POST', '/api/v1/auth/mfa/passkey/finish', { body: { challenge, credential }, auth: false })),
    passkeyOnlyBegin: () => request<PasskeyCeremony>('POST', '/api/v1/auth/passkey/begin', { auth: false }),
    passkeyOnlyFinish: (ceremony: string, credential: Record<string, unknown>) =>
      signedIn(request<Session>('POST', '/api/v1/auth/passkey/finish', { body: { ceremony, credential }, auth: false })),
    // ssoStep takes the second-factor step a provider's sign-in was sent on
    // with, as a right password's reply would have brought it.
    ssoStep: (r: MfaChallenge | MfaEnrolment) => afterPassword(Promise.resolve(r)),
    // forgetEnrolment drops an enrolment token once it has done its work.
    forgetEnrolment() {
      if (enrolling) token = null
      enrolling = false
    },
    myMfa: () => request<MfaStatus>('GET', '/api/v1/me/mfa'),
    beginTotp: () => request<TotpEnrolment>('POST', '/api/v1/me/mfa/totp'),
    confirmTotp: (code: string) => request<MfaStatus>('POST', '/api/v1/me/mfa/totp/confirm', { body: { code } }),
    removeTotp: (proof: Schemas['ProofRequest']) => request<void>('DELETE', '/api/v1/me/mfa/totp', { body: proof }),
    beginPasskey: () => request<PasskeyCeremony>('POST', '/api/v1/me/mfa/passkeys/begin'),
    finishPasskey: (body: Schemas['PasskeyFinishRequest']) =>
      request<Passkey>('POST', '/api/v1/me/mfa/passkeys/finish', { body }),
    removePasskey: (id: string, proof: Schemas['ProofRequest']) =>
      request<void>('DELETE', `/api/v1/me/mfa/passkeys/${encodeURIComponent(id)}`, { body: proof }),
    mfaPolicy: () => request<Schemas['MFAPolicy']>('GET', '/api/v1/admin/mfa-policy'),
    setMfaPolicy: (body: Schemas['MFAPolicy']) => request<Schemas['MFAPolicy']>('PUT', '/api/v1/admin/mfa-policy', { body }),
    async logout() {
      try {
        await request<void>('POST', '/api/v1/auth/logout', { auth: false })
      } finally {
        publish(null)
      }
    },
    me: () => request<User>('GET', '/api/v1/me'),
    setPreferences: (p: Preferences) => request<User>('PUT', '/api/v1/me/preferences', { body: p }),
    createInvite: (body: Schemas['InviteRequest']) =>
      request<Invite>('POST', '/api/v1/invites', { body }),
    scenarios: () => request<Schemas['ScenarioList']>('GET', '/api/v1/scenarios').then((r) => r.scenarios),
    scenario: (id: string) => request<Scenario>('GET', `/api/v1/scenarios/${encodeURIComponent(id)}`),
    scenarioNotes: (id: string) => request<ScenarioNotes>('GET', `/api/v1/scenarios/${encodeURIComponent(id)}/notes`),
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
    // Competency transcripts: the signed-in person's, or a trainee's for
    // staff (trainee set), as JSON, a PDF in a language, or a Navigator layer.
    transcript: (trainee?: string) => request<Transcript>('GET', transcriptPath(trainee)),
    transcriptPDF: (lang: string, trainee?: string) => file(`${transcriptPath(trainee)}/pdf?lang=${encodeURIComponent(lang)}`),
    transcriptLayer: (trainee?: string) => file(`${transcriptPath(trainee)}/layer`),
    cohortCompetencies: (cohort: string) =>
      request<CohortCompetencies>('GET', `/api/v1/cohorts/${encodeURIComponent(cohort)}/competencies`),
    cohortLayer: (cohort: string) => file(`/api/v1/cohorts/${encodeURIComponent(cohort)}/competencies/layer`),
    cohortArchive: (cohort: string, lang: string) =>
      file(`/api/v1/cohorts/${encodeURIComponent(cohort)}/archive?lang=${encodeURIComponent(lang)}`),
    allLabs: () => request<Schemas['LabList']>('GET', '/api/v1/labs?all=1').then((r) => r.labs),
    recordings: (lab: string) =>
      request<Schemas['RecordingList']>('GET', `/api/v1/labs/${encodeURIComponent(lab)}/recordings`).then((r) => r.recordings),
    cast: (id: string) => text(`/api/v1/recordings/${encodeURIComponent(id)}`),
    myLabs: () => request<Schemas['LabList']>('GET', '/api/v1/labs?active=1').then((r) => r.labs),
    // myLabHistory is every lab of one's own, newest first: the active one
    // and those that stopped or failed.
    myLabHistory: () => request<Schemas['LabList']>('GET', '/api/v1/labs').then((r) => r.labs),
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
    scoreboard: (scenario?: string) =>
      request<Schemas['Scoreboard']>('GET', '/api/v1/scoreboard' + (scenario ? `?scenario=${encodeURIComponent(scenario)}` : '')),
    myScore: () => request<Schemas['Score']>('GET', '/api/v1/me/score'),
    // host: one of the lab's terminal hosts; empty for the first.
    terminalTicket: (lab: string, host = '') =>
      request<Schemas['TerminalTicket']>(
        'POST',
        `/api/v1/labs/${encodeURIComponent(lab)}/terminal` + (host ? `?host=${encodeURIComponent(host)}` : ''),
      ),

    // Staff: a trainee's lab and its read-only terminal, suspicions and timelines.
    staffLab: (id: string) => request<StaffLab>('GET', `/api/v1/staff/labs/${encodeURIComponent(id)}`),
    shadowTicket: (lab: string) =>
      request<Schemas['TerminalTicket']>('POST', `/api/v1/staff/labs/${encodeURIComponent(lab)}/shadow`),
    suspicions: () => request<Schemas['SuspicionList']>('GET', '/api/v1/scoring/suspicions').then((r) => r.suspicions),
    traineeHistory: (trainee: string) =>
      request<TraineeHistory>('GET', `/api/v1/scoring/trainees/${encodeURIComponent(trainee)}`),
    traineeTerminal: (trainee: string) =>
      request<Schemas['TypedSessionList']>('GET', `/api/v1/scoring/trainees/${encodeURIComponent(trainee)}/terminal`).then((r) => r.sessions),

    // Admin: accounts, invites and password resets.
    users: (q: string, limit = 50, offset = 0) =>
      request<Schemas['UserList']>('GET', `/api/v1/users?${new URLSearchParams({ q, limit: String(limit), offset: String(offset) })}`),
    changeUser: (id: string, body: Schemas['ChangeUserRequest']) =>
      request<User>('PATCH', `/api/v1/users/${encodeURIComponent(id)}`, { body }),
    passwordReset: (id: string) =>
      request<Schemas['PasswordReset']>('POST', `/api/v1/users/${encodeURIComponent(id)}/password-reset`),
    resetPassword: (body: Schemas['ResetPasswordRequest']) =>
      request<void>('POST', '/api/v1/auth/password-reset', { body, auth: false }),
    invites: () => request<Schemas['InviteList']>('GET', '/api/v1/invites').then((r) => r.invites),
    inviteMany: (body: Schemas['InviteRequest'][]) =>
      request<Schemas['InviteBatch']>('POST', '/api/v1/invites', { body }).then((r) => r.invites),
    revokeInvite: (id: string) => request<ListedInvite>('DELETE', `/api/v1/invites/${encodeURIComponent(id)}`),

    // Admin: the audit log of staff and partner actions, a page at a time,
    // and its export (itself recorded) as NDJSON or CSV text.
    audit: (filter: AuditFilter, cursor = '') =>
      request<Schemas['AuditPage']>('GET', `/api/v1/audit?${auditQuery(filter, cursor ? { cursor } : {})}`),
    auditExport: (filter: AuditFilter, format: 'csv' | 'ndjson') => text(`/api/v1/audit/export?${auditQuery(filter, { format })}`),
    // Admin: competency catalogues imported (SecBoK, a full ATT&CK bundle).
    frameworks: () => request<Schemas['Frameworks']>('GET', '/api/v1/admin/frameworks'),
    importSecBoK: (file: Blob, version: string) =>
      request<Schemas['FrameworkImport']>('POST', `/api/v1/admin/frameworks/secbok?${new URLSearchParams({ version })}`, {
        file: new Blob([file], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }),
      }),
    importAttack: (file: Blob) =>
      request<Schemas['FrameworkImport']>('POST', '/api/v1/admin/frameworks/attack', {
        file: new Blob([file], { type: 'application/json' }),
      }),
    // Admin: lab images, and adding one from an image archive (docker save).
    labImages: () => request<Schemas['LabImages']>('GET', '/api/v1/admin/lab-images'),
    addLabImage: (file: Blob) =>
      request<Schemas['LabImage']>('POST', '/api/v1/admin/lab-images', { file: new Blob([file], { type: 'application/x-tar' }) }),
    // Organisations and cohorts.
    organisations: () => request<Schemas['OrganisationList']>('GET', '/api/v1/organisations').then((r) => r.organisations),
    createOrganisation: (body: Schemas['OrganisationRequest']) =>
      request<Organisation>('POST', '/api/v1/organisations', { body }),
    orgMembers: (org: string) =>
      request<Schemas['OrgMemberList']>('GET', `/api/v1/organisations/${encodeURIComponent(org)}/members`).then((r) => r.members),
    putOrgMember: (org: string, body: Schemas['OrgMemberRequest']) =>
      request<OrgMember>('POST', `/api/v1/organisations/${encodeURIComponent(org)}/members`, { body }),
    removeOrgMember: (org: string, user: string) =>
      request<void>('DELETE', `/api/v1/organisations/${encodeURIComponent(org)}/members/${encodeURIComponent(user)}`),
    // Everything the range holds about the signed-in person, as JSON text.
    myData: () => text('/api/v1/me/export'),
    // Signing in through an organisation's identity provider: the page
    // leaves for ssoStartURL; linking starts signed in and leaves for the
    // URL returned.
    ssoProviders: () =>
      request<Schemas['SSOProviderPublicList']>('GET', '/api/v1/auth/sso/providers', { auth: false }).then((r) => r.providers),
    ssoStartURL: (id: string, returnTo = '/') =>
      `/api/v1/auth/sso/${encodeURIComponent(id)}/start?return_to=${encodeURIComponent(returnTo)}`,
    ssoLink: (id: string) => request<Schemas['SSORedirect']>('POST', `/api/v1/me/sso/${encodeURIComponent(id)}/link`).then((r) => r.redirect_url),
    mySso: () => request<Schemas['SSOIdentityList']>('GET', '/api/v1/me/sso').then((r) => r.identities),
    // An organisation's identity providers (range admins).
    orgSso: (org: string) => request<SsoSettings>('GET', `/api/v1/organisations/${encodeURIComponent(org)}/sso`),
    setOrgSso: (org: string, passwordsOff: boolean) =>
      request<SsoSettings>('PUT', `/api/v1/organisations/${encodeURIComponent(org)}/sso`, { body: { passwords_off: passwordsOff } }),
    createSsoProvider: (org: string, body: SsoProviderRequest) =>
      request<SsoProvider>('POST', `/api/v1/organisations/${encodeURIComponent(org)}/sso/providers`, { body }),
    updateSsoProvider: (id: string, body: SsoProviderRequest) =>
      request<SsoProvider>('PUT', `/api/v1/sso/providers/${encodeURIComponent(id)}`, { body }),
    deleteSsoProvider: (id: string) => request<void>('DELETE', `/api/v1/sso/providers/${encodeURIComponent(id)}`),
    // Open Badges: the signed-in person's, any badge's public check (no
    // sign-in), revocation (range admins) and an organisation's threshold.
    myBadges: () => request<Schemas['BadgeList']>('GET', '/api/v1/me/badges').then((r) => r.badges),
    badgeVerification: (id: string) =>
      request<BadgeVerification>('GET', `/api/v1/badges/credentials/${encodeURIComponent(id)}/verification`, { auth: false }),
    revokeBadge: (id: string) => request<Badge>('POST', `/api/v1/badges/credentials/${encodeURIComponent(id)}/revoke`),
    // Scenarios an organisation's instructors write, kept as bundles.
    authoredScenarios: (org: string) =>
      request<Schemas['AuthoredScenarioList']>('GET', `/api/v1/organisations/${encodeURIComponent(org)}/authored-scenarios`).then((r) => r.scenarios),
    uploadScenario: (org: string, bundle: Blob) =>
      request<ScenarioVersion>('POST', `/api/v1/organisations/${encodeURIComponent(org)}/authored-scenarios`, {
        file: new Blob([bundle], { type: 'application/gzip' }),
      }),
    scenarioVersions: (org: string, scenario: string) =>
      request<Schemas['ScenarioVersionList']>('GET', `${authoredPath(org, scenario)}/versions`).then((r) => r.versions),
    scenarioBundle: (org: string, scenario: string, digest: string) =>
      file(`${authoredPath(org, scenario)}/versions/${encodeURIComponent(digest)}/bundle`),
    scenarioDiff: (org: string, scenario: string, from: string, to: string) =>
      request<ScenarioDiff>('GET', `${authoredPath(org, scenario)}/diff?${new URLSearchParams({ from, to })}`),
    setScenarioVisibility: (org: string, scenario: string, visibility: 'private' | 'range') =>
      request<void>('PUT', `${authoredPath(org, scenario)}/visibility`, { body: { visibility } }),
    // The scenario editor: templates, a manifest checked as typed (with the
    // trainees' page when valid), drafts saved from files, a version's
    // files, its rehearsal on the engine, publishing and withdrawing it.
    scenarioTemplates: () => request<Schemas['ScenarioTemplates']>('GET', '/api/v1/scenario-templates'),
    validateFolder: (files: Record<string, string>, encoded: Record<string, string> = {}) =>
      request<ManifestValidation>('POST', '/api/v1/scenario-validate', { body: { files, encoded } }),
    builtInScenarios: () => request<Schemas['BuiltInScenarios']>('GET', '/api/v1/builtin-scenarios').then((r) => r.scenarios),
    builtInFiles: (id: string) =>
      request<Schemas['ScenarioFiles']>('GET', `/api/v1/builtin-scenarios/${encodeURIComponent(id)}/files`).then((r) => r.files),
    saveDraft: (org: string, files: Record<string, string>, encoded: Record<string, string> = {}) =>
      request<ScenarioVersion>('POST', `/api/v1/organisations/${encodeURIComponent(org)}/authored-scenarios/drafts`, { body: { files, encoded } }),
    scenarioFiles: (org: string, scenario: string, digest: string) =>
      request<Schemas['ScenarioFiles']>('GET', `${authoredPath(org, scenario)}/versions/${encodeURIComponent(digest)}/files`).then((r) => r.files),
    rehearse: (org: string, scenario: string, digest: string) =>
      request<Rehearsal>('POST', `${authoredPath(org, scenario)}/versions/${encodeURIComponent(digest)}/rehearsals`),
    rehearsal: (org: string, scenario: string, digest: string, from = 0) =>
      request<Rehearsal>('GET', `${authoredPath(org, scenario)}/versions/${encodeURIComponent(digest)}/rehearsal?from=${from}`),
    publishVersion: (org: string, scenario: string, digest: string) =>
      request<ScenarioVersion>('POST', `${authoredPath(org, scenario)}/versions/${encodeURIComponent(digest)}/publish`),
    unpublishVersion: (org: string, scenario: string, digest: string) =>
      request<ScenarioVersion>('POST', `${authoredPath(org, scenario)}/versions/${encodeURIComponent(digest)}/unpublish`),
    orgBadgeSettings: (org: string) => request<BadgeSettings>('GET', `/api/v1/organisations/${encodeURIComponent(org)}/badge-settings`),
    setOrgBadgeSettings: (org: string, body: BadgeSettings) =>
      request<BadgeSettings>('PUT', `/api/v1/organisations/${encodeURIComponent(org)}/badge-settings`, { body }),

    // LTI 1.3: an organisation's learning platforms (range admins), and the
    // reply to a deep linking request an instructor picks an assignment for.
    ltiPlatforms: (org: string) => request<LtiPlatformList>('GET', `/api/v1/organisations/${encodeURIComponent(org)}/lti/platforms`),
    registerLtiPlatform: (org: string, body: LtiPlatformRequest) =>
      request<LtiPlatform>('POST', `/api/v1/organisations/${encodeURIComponent(org)}/lti/platforms`, { body }),
    revokeLtiPlatform: (id: string) => request<LtiPlatform>('POST', `/api/v1/lti/platforms/${encodeURIComponent(id)}/revoke`),
    ltiRegistrationURL: (org: string) =>
      request<Schemas['LTIRegistrationURL']>('POST', `/api/v1/organisations/${encodeURIComponent(org)}/lti/registration-url`),
    ltiDeepLink: (ticket: string, assignment: string) =>
      request<Schemas['LTIDeepLinkReply']>('POST', '/api/v1/lti/deep-link', { body: { ticket, assignment_id: assignment } }),
    // An organisation's partner tokens (its org admins and range admins).
    partnerTokens: (org: string) =>
      request<Schemas['PartnerTokenList']>('GET', `/api/v1/organisations/${encodeURIComponent(org)}/partner-tokens`).then((r) => r.tokens),
    createPartnerToken: (org: string, body: Schemas['PartnerTokenRequest']) =>
      request<PartnerToken>('POST', `/api/v1/organisations/${encodeURIComponent(org)}/partner-tokens`, { body }),
    revokePartnerToken: (org: string, id: string) =>
      request<PartnerToken>('DELETE', `/api/v1/organisations/${encodeURIComponent(org)}/partner-tokens/${encodeURIComponent(id)}`),
    partnerCalls: (org: string, cursor = '') =>
      request<Schemas['AuditPage']>('GET', `/api/v1/organisations/${encodeURIComponent(org)}/partner-calls${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`),
    // An organisation's xAPI forwarding (its org admins and range admins).
    xapiLRS: (org: string) => request<Schemas['XAPILRS']>('GET', `/api/v1/organisations/${encodeURIComponent(org)}/xapi`),
    putXapiLRS: (org: string, body: Schemas['XAPILRSRequest']) =>
      request<Schemas['XAPILRS']>('PUT', `/api/v1/organisations/${encodeURIComponent(org)}/xapi`, { body }),
    xapiDeadLetters: (org: string) =>
      request<Schemas['XAPIDeadLetterList']>('GET', `/api/v1/organisations/${encodeURIComponent(org)}/xapi/dead-letters`).then((r) => r.dead_letters),
    replayXapi: (org: string, record: string) =>
      request<Schemas['XAPIReplay']>('POST', `/api/v1/organisations/${encodeURIComponent(org)}/xapi/dead-letters/${encodeURIComponent(record)}/replay`),
    cohorts: () => request<Schemas['CohortList']>('GET', '/api/v1/cohorts').then((r) => r.cohorts),
    myCohorts: () => request<Schemas['CohortList']>('GET', '/api/v1/me/cohorts').then((r) => r.cohorts),
    cohort: (id: string) => request<Cohort>('GET', `/api/v1/cohorts/${encodeURIComponent(id)}`),
    createCohort: (body: Schemas['CohortRequest']) => request<Cohort>('POST', '/api/v1/cohorts', { body }),
    archiveCohort: (id: string) => request<Cohort>('DELETE', `/api/v1/cohorts/${encodeURIComponent(id)}`),
    cohortMembers: (id: string) => request<CohortMemberList>('GET', `/api/v1/cohorts/${encodeURIComponent(id)}/members`),
    addCohortMember: (id: string, body: Schemas['CohortMemberRequest']) =>
      request<CohortMember>('POST', `/api/v1/cohorts/${encodeURIComponent(id)}/members`, { body }),
    removeCohortMember: (id: string, user: string) =>
      request<void>('DELETE', `/api/v1/cohorts/${encodeURIComponent(id)}/members/${encodeURIComponent(user)}`),
    rotateJoinCode: (id: string) => request<Cohort>('POST', `/api/v1/cohorts/${encodeURIComponent(id)}/join-code`),
    importRoster: (id: string, csv: string) =>
      request<RosterImport>('POST', `/api/v1/cohorts/${encodeURIComponent(id)}/roster`, { csv }),
    // cohortLive follows a class's matrix: a snapshot, then cell and row
    // events, until the stream ends (the caller reconnects).
    cohortLive: (id: string, scenario: string, on: (name: string, data: unknown, eventId: string) => void, signal?: AbortSignal, lastEventId?: string) =>
      stream(
        `/api/v1/cohorts/${encodeURIComponent(id)}/live?scenario=${encodeURIComponent(scenario)}`,
        (d, name, eventId) => on(name, JSON.parse(d), eventId),
        signal,
        lastEventId,
      ),
    // cohortCharts are the class's figures beside the live matrix.
    cohortCharts: (id: string, scenario: string) =>
      request<ClassCharts>('GET', `/api/v1/cohorts/${encodeURIComponent(id)}/charts?scenario=${encodeURIComponent(scenario)}`),
    sendCohortMessage: (id: string, text: string) =>
      request<CohortMessage>('POST', `/api/v1/cohorts/${encodeURIComponent(id)}/messages`, {
        body: { text } satisfies Schemas['CohortMessageRequest'],
      }),
    // myMessages follows messages to the signed-in person's cohorts, first
    // those sent after the message `after` (the last one shown).
    myMessages: (onMessage: (m: CohortMessage) => void, signal?: AbortSignal, after?: string) =>
      stream(
        '/api/v1/me/messages/stream' + (after ? `?after=${encodeURIComponent(after)}` : ''),
        (d, name) => name === 'message' && onMessage(JSON.parse(d) as CohortMessage),
        signal,
      ),
    giveCohortHint: (id: string, scenario: string, hint: string) =>
      request<Schemas['CohortHintGiven']>('POST', `/api/v1/cohorts/${encodeURIComponent(id)}/hints`, {
        body: { scenario, hint } satisfies Schemas['CohortHintRequest'],
      }),
    joinCohort: (code: string) => request<Cohort>('POST', '/api/v1/cohorts/join', { body: { code } satisfies Schemas['JoinRequest'] }),
    // Assignments.
    assignments: (cohort: string) =>
      request<Schemas['AssignmentList']>('GET', `/api/v1/cohorts/${encodeURIComponent(cohort)}/assignments`).then((r) => r.assignments),
    createAssignment: (cohort: string, body: Schemas['AssignmentRequest']) =>
      request<Assignment>('POST', `/api/v1/cohorts/${encodeURIComponent(cohort)}/assignments`, { body }),
    updateAssignment: (id: string, body: Schemas['AssignmentRequest']) =>
      request<Assignment>('PUT', `/api/v1/assignments/${encodeURIComponent(id)}`, { body }),
    deleteAssignment: (id: string) => request<void>('DELETE', `/api/v1/assignments/${encodeURIComponent(id)}`),
    assignmentStatus: (id: string) => request<AssignmentStatus>('GET', `/api/v1/assignments/${encodeURIComponent(id)}/status`),
    myAssignments: () => request<Schemas['MyAssignmentList']>('GET', '/api/v1/me/assignments').then((r) => r.assignments),
    // Events, and the boards scoped to an event or a cohort.
    events: () => request<Schemas['EventList']>('GET', '/api/v1/events').then((r) => r.events),
    event: (id: string) => request<RangeEvent>('GET', `/api/v1/events/${encodeURIComponent(id)}`),
    createEvent: (body: EventRequest) => request<RangeEvent>('POST', '/api/v1/events', { body }),
    updateEvent: (id: string, body: EventRequest) => request<RangeEvent>('PUT', `/api/v1/events/${encodeURIComponent(id)}`, { body }),
    deleteEvent: (id: string) => request<void>('DELETE', `/api/v1/events/${encodeURIComponent(id)}`),
    eventScoreboard: (id: string) => request<ScopedScoreboard>('GET', `/api/v1/events/${encodeURIComponent(id)}/scoreboard`),
    cohortScoreboard: (id: string) => request<ScopedScoreboard>('GET', `/api/v1/cohorts/${encodeURIComponent(id)}/scoreboard`),
  }
}

export type Client = ReturnType<typeof createClient>

export const api = createClient()

// transcriptPath is the signed-in person's transcript, or a trainee's.
function transcriptPath(trainee?: string): string {
  return trainee ? `/api/v1/trainees/${encodeURIComponent(trainee)}/transcript` : '/api/v1/me/transcript'
}

// authoredPath is one of an organisation's authored scenarios.
function authoredPath(org: string, scenario: string): string {
  return `/api/v1/organisations/${encodeURIComponent(org)}/authored-scenarios/${encodeURIComponent(scenario)}`
}
