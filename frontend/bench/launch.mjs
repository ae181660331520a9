// Launch to first echo, as a trainee meets it: on a real range with the
// Docker engine, headless Chromium clicks "Launch lab" on a scenario's
// page, and the clock runs until a marker typed into the terminal comes
// back. Every run also says where the time went, from the browser (its
// requests, the lab's event stream, the terminal socket), the server (the
// lab's start-up events) and the engine (network and container events).
//
//   npm run bench:launch                     5 runs of each scenario
//   npm run bench:launch -- -short           1 run of each
//   SAKIMORI_BENCH_RUNS=10 SAKIMORI_BENCH_SCENARIOS=orientation npm run bench:launch
//   SAKIMORI_BENCH_BEFORE=/path/to/older/sakimori npm run bench:launch   both, taking turns
//
// Figures go to standard output as a table and, with SAKIMORI_BENCH_JSON=path,
// as JSON. They belong in docs/BENCHMARKS.md; the machine's noise makes
// before-and-after ratios measured in one sitting the figures that count.
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { launchBrowser, missing, setupAdmin, startRange } from '../e2e/range.mjs'

const short = process.argv.includes('-short') || process.env.SAKIMORI_BENCH_SHORT === '1'
const runs = short ? 1 : Number(process.env.SAKIMORI_BENCH_RUNS ?? 5)
const scenarios = (process.env.SAKIMORI_BENCH_SCENARIOS ?? 'orientation,metadata-heist').split(',').filter(Boolean)

// In the page, before any of its scripts: the times of the launch request,
// each lab event as it arrives, the terminal ticket and the socket. All
// times are wall-clock milliseconds, so they line up with the server's and
// the engine's.
function instrument() {
  window.__bench = { events: [] }
  // Read afresh each time: a run starts with a clean set.
  const marks = () => window.__bench
  document.addEventListener('click', () => marks().click ?? (marks().click = Date.now()), true)
  const fetchImpl = window.fetch.bind(window)
  window.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input.url
    const method = (init?.method ?? 'GET').toUpperCase()
    const started = Date.now()
    const res = await fetchImpl(input, init)
    if (method === 'POST' && /\/api\/v1\/labs$/.test(url)) Object.assign(marks(), { launchSent: started, launchAnswered: Date.now() })
    if (method === 'POST' && /\/terminal$/.test(url) && !marks().ticketSent) Object.assign(marks(), { ticketSent: started, ticketAnswered: Date.now() })
    if (/\/events$/.test(url) && res.body) {
      marks().streamOpened ??= Date.now()
      const [mine, theirs] = res.body.tee()
      ;(async () => {
        const reader = mine.pipeThrough(new TextDecoderStream()).getReader()
        let buffer = ''
        for (;;) {
          const { value, done } = await reader.read()
          if (done) return
          buffer += value
          const end = buffer.lastIndexOf('\n\n')
          if (end < 0) continue
          const whole = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          for (const m of whole.matchAll(/^data: (.*)$/gm)) {
            const lab = JSON.parse(m[1])
            marks().events.push({ at: Date.now(), state: lab.state, step: lab.step, started: lab.started_at })
          }
        }
      })().catch(() => {})
      return new Response(theirs, { status: res.status, statusText: res.statusText, headers: res.headers })
    }
    return res
  }
  // When the terminal first shows in the page.
  new MutationObserver(() => {
    if (!marks().terminalShown && document.querySelector('.xterm')) marks().terminalShown = Date.now()
  }).observe(document, { childList: true, subtree: true })
  const Socket = window.WebSocket
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args)
      if (!String(args[0]).includes('/terminal/ws')) return
      marks().socketMade ??= Date.now()
      this.addEventListener('open', () => (marks().socketOpen ??= Date.now()))
      this.addEventListener('message', (e) => typeof e.data !== 'string' && (marks().firstOutput ??= Date.now()))
    }
  }
}

// engineEvents follows the engine's event log, so each lab's networks and
// containers can be timed as the engine made and started them.
function engineEvents() {
  const seen = []
  const proc = spawn('docker', ['events', '--format', '{{json .}}'], { stdio: ['ignore', 'pipe', 'ignore'] })
  let rest = ''
  proc.stdout.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n')
    rest = lines.pop()
    for (const line of lines) {
      try {
        const e = JSON.parse(line)
        seen.push({ type: e.Type, action: e.Action, name: e.Actor?.Attributes?.name ?? '', at: e.timeNano / 1e6 })
      } catch {}
    }
  })
  return {
    of: (lab) => seen.filter((e) => e.name.includes(`sakimori-${lab}-`)),
    stop: () => proc.kill(),
  }
}

async function people(chrome, range) {
  const admin = await chrome.browser.newContext()
  await setupAdmin(admin, range)
  await admin.close()

  const trainee = await chrome.browser.newContext({ viewport: { width: 1400, height: 860 } })
  await trainee.addInitScript(instrument)
  const t = await trainee.newPage()
  await t.goto(range.url + '/register')
  await t.getByLabel('Email').fill('mei@academy.test')
  await t.getByLabel('Display name').fill('Mei')
  await t.getByLabel('Password').fill('cloud defender 2026')
  await t.getByRole('button', { name: 'Create account' }).click()
  await t.getByRole('heading', { name: 'Welcome, Mei' }).waitFor()
  t.on('dialog', (d) => d.accept())
  return t
}

// once launches the scenario, waits for the echo, stops the lab, and
// returns the run's marks.
async function once(page, range, engine, scenario, n) {
  await page.goto(range.url + '/scenarios/' + scenario)
  const launch = page.getByRole('button', { name: 'Launch lab' })
  await launch.waitFor()
  await page.evaluate(() => ((window.__bench = { events: [] }), undefined))
  await launch.click()
  await page.waitForFunction(() => window.__bench.socketOpen, null, { timeout: 120000, polling: 5 }).catch(async (e) => {
    throw new Error(`${scenario}: no terminal: ${JSON.stringify(await page.evaluate(() => window.__bench))}\n${await page.locator('main').textContent()}`, { cause: e })
  })
  const lab = new URL(page.url()).pathname.split('/')[2]
  const marker = `echo-${n}-${Math.random().toString(36).slice(2, 6)}`
  await page.evaluate(() => document.querySelector('.xterm-helper-textarea')?.focus())
  await page.keyboard.type(marker)
  const echoed = await page.waitForFunction(
    (m) => document.querySelector('.xterm-rows')?.textContent?.includes(m) && Date.now(),
    marker,
    { timeout: 30000, polling: 5 },
  )
  const marks = await page.evaluate(() => window.__bench)
  marks.echo = await echoed.jsonValue()
  await page.keyboard.press('Enter')
  await page.getByRole('button', { name: 'Stop lab' }).click()
  await page.waitForURL((u) => !u.pathname.startsWith('/labs/'), { timeout: 60000 })
  return { marks, engine: engine.of(lab) }
}

// phases splits one run into the steps the lab passes through. Each is the
// time from the previous mark; a missing mark leaves its phase out.
function phases({ marks, engine }) {
  const last = (type, action) => Math.max(...engine.filter((e) => e.type === type && e.action === action).map((e) => e.at))
  const seenAt = (state) => marks.events.find((e) => e.state === state)?.at
  // The server's time the lab became running: its started_at.
  const started = Date.parse(marks.events.find((e) => e.started)?.started ?? '')
  const points = [
    ['click', marks.click],
    ['API accepted (launch answered)', marks.launchAnswered],
    ['networks created (engine)', last('network', 'create')],
    ['hosts created (engine)', last('container', 'create')],
    ['hosts started (engine)', last('container', 'start')],
    ['lab running (server)', started],
    ['page sees running', seenAt('running')],
    ['terminal shown', marks.terminalShown],
    ['terminal ticket', marks.ticketAnswered],
    ['socket open', marks.socketOpen],
    ['first echo', marks.echo],
  ]
  const out = {}
  let prev
  for (const [name, at] of points) {
    if (!Number.isFinite(at)) continue
    if (prev !== undefined) out[name] = at - prev
    prev = at
  }
  out.total = marks.echo - marks.click
  // What starting the hosts side by side would save: the driver starts
  // them one after another, so each host's start is the time since the
  // one before it (the first: since the last create). Side by side, the
  // start phase would be about the longest of them.
  const creates = engine.filter((e) => e.type === 'container' && e.action === 'create').map((e) => e.at)
  const starts = engine.filter((e) => e.type === 'container' && e.action === 'start').map((e) => e.at).sort((a, b) => a - b)
  if (creates.length && starts.length) {
    const steps = starts.map((at, i) => at - (i === 0 ? Math.max(...creates) : starts[i - 1]))
    out['(engine: longest single host start)'] = Math.max(...steps)
  }
  return out
}

const median = (xs) => quantile(xs, 0.5)
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const i = (s.length - 1) * q
  return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i - Math.floor(i))
}

// report prints one build's figures as tables.
function report(label, results) {
  for (const [scenario, list] of Object.entries(results)) {
    console.log(`\n${label}${scenario}: launch to first echo, ${list.length} run(s), ms`)
    console.log('| phase | median | p90 |\n|---|---|---|')
    const names = [...new Set(list.flatMap(Object.keys))]
    for (const name of names) {
      const xs = list.map((r) => r[name]).filter(Number.isFinite)
      const row = `| ${name} | ${median(xs).toFixed(0)} | ${quantile(xs, 0.9).toFixed(0)} |`
      console.log(name === 'total' ? row.replace(/\| (\S+) \|/g, '| **$1** |') : row)
    }
  }
}

async function main() {
  const lacks = missing()
  if (lacks) throw new Error(lacks)
  // SAKIMORI_BENCH_BEFORE names an earlier build of the server: its range
  // runs beside this one, on a pool of its own, and the two take turns at
  // every launch, so the machine's noise falls on both alike.
  const builds = [{ label: '', env: {} }]
  if (process.env.SAKIMORI_BENCH_BEFORE) {
    builds[0].label = 'after: '
    builds.push({ label: 'before: ', env: { SAKIMORI_LAB_POOL: '10.225.0.0/16' }, binary: process.env.SAKIMORI_BENCH_BEFORE })
  }
  const engine = engineEvents()
  const chrome = await launchBrowser()
  try {
    for (const b of builds) {
      b.range = await startRange({ SAKIMORI_REGISTRATION: 'open', ...b.env }, b.binary ? { binary: b.binary } : {})
      if (!b.range.labs) throw new Error('labs need the Docker engine and the lab images')
      b.page = await people(chrome, b.range)
      b.results = {}
    }
    for (const scenario of scenarios) {
      // One launch first, unmeasured: the first of a range pays for cold caches.
      for (const b of builds) await once(b.page, b.range, engine, scenario, 0)
      for (const b of builds) b.results[scenario] = []
      for (let n = 1; n <= runs; n++) {
        for (const b of builds) b.results[scenario].push(phases(await once(b.page, b.range, engine, scenario, n)))
      }
    }
  } finally {
    await chrome.close()
    engine.stop()
    for (const b of builds) await b.range?.stop()
  }
  for (const b of builds) report(b.label, b.results)
  if (process.env.SAKIMORI_BENCH_JSON) {
    writeFileSync(process.env.SAKIMORI_BENCH_JSON, JSON.stringify(Object.fromEntries(builds.map((b) => [b.label || 'this', b.results])), null, 2))
  }
}

await main()
