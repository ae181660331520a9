// What stranded trainees, in real Chromium against the real server with
// the orientation lab on the Docker engine: a signed-out visit, the
// sign-in form, a shell that must outlive a visit to Progress, the lab's
// web page, replays, stories, every page on a 360 px phone, and a lab that
// fails (its hosts gone while the range was down) with its reason, Launch
// again and the history. The tests share one range and run in order.
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { launchBrowser, missing, setupAdmin, startRange } from './range.mjs'

const skip = missing() ?? false
const shots = process.env.SAKIMORI_SCREENSHOTS
let range, chrome, env, admin, trainee, labID

// A fixed port, so the range restarted in the last test is the same origin
// and the browser's sessions carry over.
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })

async function start() {
  if (range) return
  const port = await freePort()
  // The scoreboard froze long ago: trainees see it frozen, staff live.
  env = { SAKIMORI_REGISTRATION: 'open', SAKIMORI_LISTEN: `127.0.0.1:${port}`, SAKIMORI_SCOREBOARD_FREEZE: '2020-01-01T00:00:00Z' }
  range = await startRange(env)
  chrome = await launchBrowser()
}

after(async () => {
  await chrome?.close()
  await range?.stop()
})

// consoleErrors collects every console error of a context's pages, 4xx
// answers included: these tests insist on none.
function consoleErrors(ctx) {
  const errors = []
  ctx.on('console', (m) => m.type() === 'error' && errors.push(`${m.page()?.url()}: ${m.text()}`))
  ctx.on('weberror', (e) => errors.push(String(e.error())))
  return errors
}

async function shot(page, name) {
  if (!shots) return
  mkdirSync(shots, { recursive: true })
  await page.screenshot({ path: join(shots, `${name}.png`) })
}

// people makes the range's administrator and a trainee, each signed in in
// a browser context of their own.
async function people() {
  if (trainee) return
  admin = await chrome.browser.newContext({ viewport: { width: 1280, height: 800 } })
  await setupAdmin(admin, range)

  trainee = await chrome.browser.newContext({ viewport: { width: 1280, height: 800 } })
  const t = await trainee.newPage()
  await t.goto(range.url + '/register')
  await t.getByLabel('Email').fill('mei@academy.test')
  await t.getByLabel('Display name').fill('Mei')
  await t.getByLabel('Password').fill('cloud defender 2026')
  await t.getByRole('button', { name: 'Create account' }).click()
  await t.getByRole('heading', { name: 'Welcome, Mei' }).waitFor()
  await t.close()
}

// terminalText is what the terminal shows now.
const terminalText = (page) => page.locator('.xterm-rows').textContent()
const waitForTerminal = (page, text, timeout = 20000) =>
  page.waitForFunction((t) => document.querySelector('.xterm-rows')?.textContent?.includes(t), text, { timeout })

test('signed out: no request refused on load, and an empty sign-in form is never sent', { skip }, async () => {
  await start()
  await people()
  const ctx = await chrome.browser.newContext()
  const errors = consoleErrors(ctx)
  const page = await ctx.newPage()
  const auth = []
  // The page reads the list of institutions people may sign in through; what
  // must never leave it is a sign-in with an empty or half-filled form.
  const sent = (r) => r.url().includes('/api/v1/auth/') && !r.url().endsWith('/api/v1/auth/sso/providers')
  page.on('request', (r) => sent(r) && auth.push(r.url()))

  await page.goto(range.url + '/')
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByText('Enter your email.').waitFor()
  await page.getByText('Enter your password.').waitFor()
  await page.getByLabel('Email').fill('mei@academy.test')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByText('Enter your password.').waitFor()
  assert.deepEqual(auth, [], 'nothing went to the server')
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('leaving the lab page keeps the shell: Progress and back finds its variables and scrollback', { skip }, async () => {
  await start()
  await people()
  assert.ok(range.labs, 'labs need the engine')
  const errors = consoleErrors(trainee)
  const page = await trainee.newPage()
  await page.goto(range.url + '/scenarios/orientation')
  await page.getByRole('button', { name: 'Launch lab' }).click()
  await page.getByText('Connected').waitFor({ timeout: 90000 })
  labID = new URL(page.url()).pathname.split('/')[2]

  await page.locator('[data-testid=terminal]').click()
  await page.keyboard.type('export LOOT=stolen-$((6*7)); echo "before-leaving-$((40+2))"\n')
  await waitForTerminal(page, 'before-leaving-42')

  // To Progress in the app, and back with the browser's Back.
  await page.getByRole('link', { name: 'Progress' }).click()
  await page.getByRole('heading', { name: 'Your progress' }).waitFor()
  await page.goBack()
  await page.getByText('Connected').waitFor()
  assert.ok((await terminalText(page)).includes('before-leaving-42'), 'the scrollback came back')
  await page.locator('[data-testid=terminal]').click()
  await page.keyboard.type('echo "loot=$LOOT"\n')
  await waitForTerminal(page, 'loot=stolen-42')

  // Home and the lab's Open lab link: the same shell again.
  await page.getByRole('link', { name: 'My labs' }).click()
  await page.getByRole('link', { name: 'Open lab' }).click()
  await page.getByText('Connected').waitFor()
  await page.locator('[data-testid=terminal]').click()
  await page.keyboard.type('echo "again=$LOOT"\n')
  await waitForTerminal(page, 'again=stolen-42')
  assert.ok(!(await terminalText(page)).includes('new one'), 'no new shell was opened')

  // An explicit new shell is a new shell.
  page.once('dialog', (d) => d.accept())
  await page.getByRole('button', { name: 'New shell' }).click()
  await waitForTerminal(page, '[new shell]')
  await page.getByText('Connected').waitFor()
  await page.locator('[data-testid=terminal]').click()
  await page.keyboard.type('echo "fresh=${LOOT:-none}"\n')
  await waitForTerminal(page, 'fresh=none')
  await shot(page, 'workspace')
  await page.close()
  assert.deepEqual(errors, [])
})

test('the lab web page opens with no console error', { skip }, async () => {
  assert.ok(labID, 'needs the lab of the test before')
  const errors = consoleErrors(trainee)
  const page = await trainee.newPage()
  await page.goto(range.url + '/labs/' + labID)
  await page.getByText('Connected').waitFor()
  // The terminal's pane is resized from its handle, by keyboard too.
  const before = (await page.getByTestId('terminal').boundingBox()).width
  await page.getByRole('separator', { name: 'Terminal width' }).focus()
  await page.keyboard.press('ArrowRight')
  await page.keyboard.press('ArrowRight')
  await page.waitForFunction((w) => document.querySelector('[data-testid=terminal]').getBoundingClientRect().width > w + 40, before)

  // Objectives by track; a hint's cost and the walkthrough's forfeit are
  // said in the page, and a result lands in a live region.
  await page.getByRole('progressbar', { name: 'attack track' }).waitFor()
  await page.getByRole('button', { name: 'Hint 1 · −10 pts' }).click()
  await page.getByText('Hint 1 costs 10 points.').waitFor()
  await page.getByRole('button', { name: 'Not now' }).click()
  await page.getByRole('button', { name: 'Walkthrough…' }).click()
  await page.getByText('This forfeits the points.').waitFor()
  await page.getByRole('button', { name: 'Keep trying' }).click()
  await page.getByLabel('Answer for Read the flag the web host serves').fill('FLAG{not-this-one}')
  await page.getByRole('button', { name: 'Submit' }).click()
  await page.locator('.objective [aria-live=polite]').getByText('That is not the answer.').waitFor()
  assert.equal(await page.getByTestId('score').textContent(), '0 points · 0 solved', 'looking cost nothing')

  // Full screen, and back.
  await page.getByRole('button', { name: 'Full screen' }).click()
  await page.waitForFunction(() => document.fullscreenElement?.classList.contains('terminal-frame'))
  await page.getByRole('button', { name: 'Exit full screen' }).click()
  await page.waitForFunction(() => !document.fullscreenElement)

  // The briefing names the hosts, the terminal's host and its variables.
  await page.getByRole('tab', { name: 'Briefing' }).click()
  const briefing = page.getByTestId('briefing')
  await briefing.getByText('$WEB_HOST').waitFor()
  await briefing.locator('li', { hasText: 'workstation' }).getByText('your terminal').waitFor()
  await shot(page, 'briefing')
  await page.getByRole('tab', { name: 'Objectives' }).click()
  const [web] = await Promise.all([trainee.waitForEvent('page'), page.getByRole('button', { name: 'Status page ↗' }).click()])
  await web.waitForURL('**/lab-web/**')
  await web.goto(web.url() + 'status')
  await web.getByText('ok').waitFor()
  await web.waitForTimeout(500) // the icon request comes after the page
  await web.close()
  await page.close()
  assert.deepEqual(errors.filter((e) => !/status of 404/.test(e)), [])
})

test('replays name the scenario and the trainee; a lab with nothing recorded says so', { skip }, async () => {
  assert.ok(labID, 'needs the lab of the test before')
  const t = await trainee.newPage()
  await t.goto(range.url + `/labs/${labID}/replay`)
  await t.getByTestId('replay-of').getByText('Range Orientation · your lab').waitFor()
  await t.close()

  const page = await admin.newPage()
  await page.goto(range.url + `/labs/${labID}/replay`)
  await page.getByTestId('replay-of').getByText('Range Orientation · Mei').waitFor()
  assert.ok(!(await page.getByTestId('replay-of').textContent()).includes(labID))

  // The administrator's own lab, stopped before any terminal opened.
  await page.goto(range.url + '/')
  await page.getByRole('button', { name: 'Launch Range Orientation' }).click()
  await page.getByRole('link', { name: 'Open lab' }).waitFor({ timeout: 90000 })
  await page.getByRole('button', { name: 'Stop lab' }).click()
  const item = page.getByTestId('history-item').first()
  await item.getByText('stopped').waitFor()
  await item.getByRole('link', { name: 'Replay' }).click()
  await page.getByTestId('replay-empty').getByText('Nothing to replay.').waitFor()
  assert.equal(await page.getByTestId('replay').isVisible(), false, 'no empty player')
  await page.close()
})

test('stories render their markdown', { skip }, async () => {
  const page = await trainee.newPage()
  await page.goto(range.url + '/scenarios/metadata-heist')
  const story = page.getByTestId('story')
  await story.locator('code', { hasText: 'analyst' }).waitFor()
  assert.ok(!(await story.textContent()).includes('`'), 'no raw markdown')
  await page.close()
})

test('the scoreboard says when it is frozen', { skip }, async () => {
  const t = await trainee.newPage()
  await t.goto(range.url + '/')
  await t.getByRole('link', { name: 'Scoreboard' }).click()
  await t.getByTestId('frozen').waitFor()
  await t.close()
  const a = await admin.newPage()
  await a.goto(range.url + '/scoreboard')
  await a.getByRole('heading', { name: 'Scoreboard' }).waitFor()
  await a.getByText(/No points scored yet|Rank/).first().waitFor()
  assert.equal(await a.getByTestId('frozen').count(), 0, 'staff see it live')
  await a.close()
})

// fits reports whether the page scrolls sideways.
const scrollsSideways = (page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)

test('every page fits a 360 px phone', { skip }, async () => {
  assert.ok(labID, 'needs the lab of the test before')
  // Not isMobile: a mobile viewport widens itself to fit what overflows.
  const phone = { viewport: { width: 360, height: 740 }, hasTouch: true }
  const wide = []
  let who = 'signed out'
  async function visit(page, path, ready) {
    await page.goto(range.url + path)
    await ready(page)
    await page.waitForTimeout(300)
    if (await scrollsSideways(page)) wide.push(`${who}: ${path} scrolls sideways`)
    if (process.env.DEBUG_SHOTS) await page.screenshot({ path: `${process.env.DEBUG_SHOTS}/${path.replaceAll('/', '_')}-${Date.now()}.png`, fullPage: true })
  }
  const heading = (name) => (p) => p.getByRole('heading', { name }).first().waitFor()

  const out = await chrome.browser.newContext(phone)
  const o = await out.newPage()
  await visit(o, '/signin', heading('Sign in'))
  await visit(o, '/register', heading('Create your account'))
  await out.close()

  // Signed in afresh: a copy of another context's refresh cookie would be
  // a refresh token presented twice, which ends that session.
  for (const [person, email, password] of [['trainee', 'mei@academy.test', 'cloud defender 2026'], ['admin', 'admin@academy.test', 'frontier guard 2026']]) {
    who = person
    const ctx = await chrome.browser.newContext(phone)
    const p = await ctx.newPage()
    await p.goto(range.url + '/signin')
    await p.getByLabel('Email').fill(email)
    await p.getByLabel('Password').fill(password)
    await p.getByRole('button', { name: 'Sign in' }).click()
    await p.getByRole('heading', { name: /Welcome/ }).waitFor()
    await visit(p, '/', heading(/Welcome/))
    await visit(p, '/catalogue', heading('Catalogue'))
    await visit(p, '/scoreboard', heading('Scoreboard'))
    await visit(p, '/events', heading('Events'))
    await visit(p, '/progress', heading('Your progress'))
    for (const s of ['orientation', 'metadata-heist', 'keys-in-the-repo', 'open-by-default']) await visit(p, `/scenarios/${s}`, heading('The story'))
    await visit(p, `/labs/${labID}/replay`, heading('Session replay'))
    await visit(p, '/no-such-page', (q) => q.locator('main h1').waitFor())
    if (who === 'trainee') {
      await visit(p, `/labs/${labID}`, (q) => q.getByText('Connected').waitFor())
      const stop = await p.getByRole('button', { name: 'Stop lab' }).boundingBox()
      if (!(stop && stop.x >= 0 && stop.x + stop.width <= 360)) wide.push(`Stop lab off the screen: ${JSON.stringify(stop)}`)
      const score = await p.getByTestId('score').boundingBox()
      if (!(score && score.height < 30)) wide.push(`the score wraps: ${JSON.stringify(score)}`)
      await shot(p, 'lab-phone')
    }
    await ctx.close()
  }
  assert.deepEqual(wide, [])
})

test('a failed lab: its reason in an error, Launch again, and the history', { skip }, async () => {
  assert.ok(labID, 'needs the lab of the test before')
  // The range goes down, the engine loses the lab's hosts meanwhile, and
  // the range comes back: it finds the lab gone and fails it.
  await range.stop({ keepData: true })
  range = await startRange(env, { dataDir: range.dataDir })
  const errors = consoleErrors(trainee)
  const page = await trainee.newPage()
  await page.goto(range.url + '/labs/' + labID)
  const alert = page.getByRole('alert')
  await alert.getByText('This lab failed.').waitFor()
  await alert.getByText('hosts disappeared').waitFor()

  await page.getByRole('link', { name: '← Your labs' }).click()
  const failed = page.getByTestId('history-item').filter({ hasText: 'failed' }).first()
  await failed.getByText('hosts disappeared').waitFor()
  await failed.getByRole('link', { name: 'Replay' }).waitFor()
  await failed.getByRole('link', { name: 'Recap' }).click()
  await page.getByRole('heading', { name: 'Recap: Range Orientation' }).waitFor()
  await page.getByTestId('recap-stats').getByText('0 / 2').waitFor()
  await page.getByText('T1046').waitFor()
  await page.getByRole('link', { name: 'Replay them' }).waitFor()
  await shot(page, 'recap')
  await page.goBack()

  await page.goBack()
  await page.getByRole('button', { name: 'Launch again' }).click()
  await page.waitForURL((u) => u.pathname.startsWith('/labs/') && !u.pathname.endsWith(labID))
  await page.getByText('Connected').waitFor({ timeout: 90000 })
  await page.close()
  assert.deepEqual(errors.filter((e) => !/status of 4\d\d/.test(e)), [])
})
