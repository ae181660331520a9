// Helpers for browser tests: start the real sakimori binary on a loopback
// port with a fresh data directory, and a headless Chromium to drive it.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium } from 'playwright-core'

const here = import.meta.dirname
export const binary = resolve(process.env.SAKIMORI_BIN ?? join(here, '../../bin/sakimori'))
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium'

// missing names what this machine lacks to run browser tests, or null.
// In CI nothing may be missing: the test fails instead of skipping.
export function missing() {
  const lacks = []
  if (!existsSync(binary)) lacks.push(`the server binary at ${binary} (go tool task build)`)
  if (!existsSync(chromiumPath)) lacks.push(`Chromium at ${chromiumPath}`)
  if (lacks.length === 0) return null
  const why = 'missing ' + lacks.join(' and ')
  if (process.env.CI) throw new Error(why)
  return why
}

// startRange runs `sakimori serve` and resolves once it prints its address
// and setup code. A dataDir from an earlier range (stopped with keepData)
// starts that range again, as a server restart does.
// binary runs another build of the server (a benchmark's "before").
export async function startRange(extraEnv = {}, { dataDir: earlier, binary: server = binary } = {}) {
  const dataDir = earlier ?? mkdtempSync(join(tmpdir(), 'sakimori-e2e-'))
  // Lab images, if an engine is here (a no-op when they are up to date).
  const images = spawnSync(server, ['images', 'build'], { encoding: 'utf8' })
  const proc = spawn(server, ['serve'], {
    env: {
      PATH: process.env.PATH,
      SAKIMORI_DATA_DIR: dataDir,
      SAKIMORI_LISTEN: '127.0.0.1:0',
      SAKIMORI_LOG_LEVEL: 'warn',
      SAKIMORI_LAB_POOL: '10.224.0.0/16', // apart from any range running on this engine
      ...extraEnv,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let log = ''
  const ready = new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start:\n' + log)), 15000)
    proc.stderr.on('data', (chunk) => {
      log += chunk
      const addr = /listening\s+(127\.0\.0\.1:\d+)/.exec(log)
      const code = /one-time code:\s+(\S+)/.exec(log)
      if (addr && (code || earlier)) { // a range set up before has no code
        clearTimeout(timer)
        resolveReady({ url: `http://${addr[1]}`, setupCode: code?.[1] })
      }
    })
    proc.on('exit', (c) => reject(new Error(`server exited with ${c}:\n${log}`)))
  })
  const { url, setupCode } = await ready
  const readiness = await fetch(url + '/readyz').then((r) => r.json())
  const labs = readiness.checks?.docker?.status === 'ok' && images.status === 0
  if (!labs && process.env.CI) throw new Error('CI needs a Docker engine and lab images: ' + (images.stderr || JSON.stringify(readiness)))
  return {
    url,
    setupCode,
    dataDir,
    labs, // whether labs can run here
    log: () => log,
    // stop ends the server and removes the range's labs from the engine;
    // keepData keeps its data directory for a restart.
    async stop({ keepData = false } = {}) {
      const exited = new Promise((r) => proc.once('exit', r))
      proc.kill('SIGTERM')
      await exited
      // A server leaves its labs running by design; a test range's go with
      // it, so a run that failed midway leaves nothing in the next one's way.
      const range = /range id (\S+)/.exec(log)?.[1]
      if (range && labs) {
        for (const kind of [['ps', '-aq'], ['network', 'ls', '-q']]) {
          const ids = spawnSync('docker', [...kind, '--filter', `label=io.sakimori.range=${range}`], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean)
          if (ids.length) spawnSync('docker', kind[0] === 'ps' ? ['rm', '-f', ...ids] : ['network', 'rm', ...ids], { stdio: 'ignore' })
        }
      }
      if (!keepData) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

// Playwright gives each launch a fresh, empty profile of its own.
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  })
  return {
    browser,
    close: () => browser.close(),
  }
}

// watchConsole collects page errors and console errors (CSP violations
// among them), so a test can insist there were none.
export function watchConsole(page) {
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('console', (m) => {
    // Chromium logs every 4xx answer; those are the API refusing bad input
    // on purpose (and the UI showing it), not faults of the page.
    if (m.type() === 'error' && !/responded with a status of 4\d\d/.test(m.text())) errors.push(m.text())
  })
  return errors
}

// setupAdmin makes the range's first administrator through the setup page,
// in a page of its own in the given browser context.
export async function setupAdmin(context, range, { email = 'admin@academy.test', name = 'Aiko Tanaka', password = 'frontier guard 2026' } = {}) {
  const page = await context.newPage()
  await page.goto(range.url + '/setup')
  await page.getByLabel('Setup code').fill(range.setupCode)
  await page.getByLabel('Your email').fill(email)
  await page.getByLabel('Display name').fill(name)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Create administrator' }).click()
  await page.getByRole('heading', { name: `Welcome, ${name}` }).waitFor()
  await page.close()
}

// register makes a trainee through open registration, in a page of its
// own in the given browser context, and returns that page on the home page.
export async function register(context, range, { email, name, password }) {
  const page = await context.newPage()
  await page.goto(range.url + '/register')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Display name').fill(name)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByRole('heading', { name: `Welcome, ${name}` }).waitFor()
  return page
}

// apiCall calls the range's API directly, failing the test on any refusal.
export async function apiCall(range, method, path, token, body) {
  const res = await fetch(range.url + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const data = await res.json().catch(() => null)
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(data)}`)
  return data
}

// signIn opens a page in context signed in as email, on the home page.
export async function signIn(context, range, email, password = 'long enough password') {
  const page = await context.newPage()
  await page.goto(range.url + '/signin')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: /Welcome/ }).waitFor()
  return page
}

// flagOf reads a trainee's flag where their lab's web host keeps it, as the
// trainee would find it by solving the lab.
export function flagOf(lab) {
  const ps = spawnSync('docker', ['ps', '-q', '--filter', `label=io.sakimori.instance=${lab}`, '--filter', 'label=io.sakimori.host=web'], { encoding: 'utf8' })
  const id = ps.stdout.trim().split(/\s+/)[0]
  if (!id) throw new Error(`lab ${lab} has no web host: ${ps.stderr}`)
  const out = spawnSync('docker', ['exec', id, 'sh', '-c', 'echo "$FLAG"'], { encoding: 'utf8' }).stdout.trim()
  if (!/^FLAG\{/.test(out)) throw new Error(`lab ${lab}'s web host holds no flag: ${out}`)
  return out
}

// seedClass sets a started range up as the class tests need it: its admin
// (admin@range.test), an instructor (sensei@uni.test) in an organisation and a
// trainee (hanako@uni.test), all with the password 'long enough password'. It
// returns the admin's access token and the organisation.
export async function seedClass(range, organisation = { name: 'Academy', slug: 'academy', kind: 'academy' }) {
  const admin = (await apiCall(range, 'POST', '/api/v1/setup', null, {
    setup_code: range.setupCode, email: 'admin@range.test', password: 'long enough password',
  })).access_token
  for (const [email, role] of [['sensei@uni.test', 'instructor'], ['hanako@uni.test', 'trainee']]) {
    await apiCall(range, 'POST', '/api/v1/users', admin, { email, password: 'long enough password', role })
  }
  const org = await apiCall(range, 'POST', '/api/v1/organisations', admin, organisation)
  await apiCall(range, 'POST', `/api/v1/organisations/${org.id}/members`, admin, { email: 'sensei@uni.test', role: 'instructor' })
  return { admin, org }
}

// startPeer starts the independent peer in test/<name> (an identity
// provider, an LMS), installing its packages first if need be, with env
// added to this process's. It resolves to the peer's address, which the
// peer prints as "listening <url>", and to the process, to kill when done.
export async function startPeer(name, env = {}) {
  const dir = join(here, '../../test', name)
  if (!existsSync(join(dir, 'node_modules'))) {
    const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' })
    if (ci.status !== 0) throw new Error(`npm ci in test/${name}: ${ci.stderr}`)
  }
  const proc = spawn(process.execPath, ['peer.mjs'], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise((resolveURL, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`the peer in test/${name} did not start: ${out}`)), 30000)
    proc.stdout.on('data', (chunk) => {
      out += chunk
      const m = /listening (\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolveURL(m[1])
      }
    })
    proc.on('exit', (c) => reject(new Error(`the peer in test/${name} exited with ${c}: ${out}`)))
  })
  return { url, proc }
}
