// A person's first visit to a new range, in real Chromium against the real
// server: first-run setup, inviting a trainee, signing out and in (a wrong
// password first), staying signed in across a reload, and the invitee
// registering from the link.
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { launchBrowser, missing, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false // a reason string skips; false runs
const shots = process.env.SAKIMORI_SCREENSHOTS // a directory to save README screenshots in
let range, chrome

// started by the first test that needs them (not in a before hook, whose
// failure node:test would report as skipped tests rather than a failure)
async function start() {
  range ??= await startRange()
  chrome ??= await launchBrowser()
}

after(async () => {
  await chrome?.close()
  await range?.stop()
})

async function shot(page, name) {
  if (!shots) return
  mkdirSync(shots, { recursive: true })
  await page.screenshot({ path: join(shots, `${name}.png`) })
}

test('first-run setup, invite, sign out, sign in, register', { skip }, async () => {
  await start()
  const admin = await chrome.browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await admin.newPage()
  const errors = watchConsole(page)

  // A fresh range sends everyone to setup.
  await page.goto(range.url + '/')
  await page.waitForURL('**/setup')
  await page.getByRole('heading', { name: 'Set up your range' }).waitFor()
  await shot(page, 'setup')

  // A wrong code is refused next to the field, and nothing is lost.
  await page.getByLabel('Setup code').fill('not-the-code')
  await page.getByLabel('Your email').fill('admin@academy.test')
  await page.getByLabel('Display name').fill('Aiko Tanaka')
  await page.getByLabel('Password').fill('frontier guard 2026')
  await page.getByRole('button', { name: 'Create administrator' }).click()
  await page.getByText('The setup code is wrong').waitFor()
  assert.equal(await page.getByLabel('Your email').inputValue(), 'admin@academy.test')

  await page.getByLabel('Setup code').fill(range.setupCode)
  await page.getByRole('button', { name: 'Create administrator' }).click()
  await page.getByRole('heading', { name: 'Welcome, Aiko Tanaka' }).waitFor()
  assert.equal(new URL(page.url()).pathname, '/')

  // Invite a trainee from the home page.
  await page.getByRole('button', { name: 'Make invite' }).click()
  const inviteLink = (await page.locator('.invite-link').textContent()).trim()
  assert.match(inviteLink, /\/register\?invite=/)
  await shot(page, 'home-admin')

  // A reload keeps the session: the access token is gone from memory, the
  // refresh cookie brings it back.
  await page.reload()
  await page.getByRole('heading', { name: 'Welcome, Aiko Tanaka' }).waitFor()

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByText('You have been signed out.').waitFor()
  await page.getByLabel('Email').fill('admin@academy.test')
  await page.getByLabel('Password').fill('wrong password entirely')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByText('The email or password is wrong.').waitFor()
  await shot(page, 'signin-error')
  await page.getByLabel('Password').fill('frontier guard 2026')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Welcome, Aiko Tanaka' }).waitFor()

  // Signed-out pages are not reachable once signed in, and vice versa.
  await page.goto(range.url + '/signin')
  await page.waitForURL(range.url + '/')
  assert.deepEqual(errors, [])

  // The invitee, in a browser of their own.
  const trainee = await chrome.browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' })
  const tpage = await trainee.newPage()
  const terrors = watchConsole(tpage)
  await tpage.goto(inviteLink)
  await tpage.getByRole('heading', { name: 'Create your account' }).waitFor()
  await tpage.getByLabel('Email').fill('kenji@academy.test')
  await tpage.getByLabel('Display name').fill('Kenji')
  await tpage.getByLabel('Password').fill('short')
  await tpage.getByRole('button', { name: 'Create account' }).click()
  await tpage.getByText('Use a password of at least 12 characters.').waitFor()
  await shot(tpage, 'register-error-dark')
  await tpage.getByLabel('Password').fill('cloud defender 2026')
  await tpage.getByRole('button', { name: 'Create account' }).click()
  await tpage.getByRole('heading', { name: 'Welcome, Kenji' }).waitFor()
  assert.equal(await tpage.locator('.page-head .badge').textContent(), 'Trainee')
  assert.equal(await tpage.getByRole('heading', { name: 'Invite someone' }).count(), 0, 'trainees cannot invite')

  // The catalogue filters: by difficulty, then by technique, then cleared.
  const launchButton = () => tpage.getByRole('button', { name: 'Launch Range Orientation' })
  await launchButton().waitFor()
  await tpage.getByLabel('Difficulty').selectOption('intermediate')
  assert.equal(await launchButton().count(), 0, 'a beginner lab under an intermediate filter')
  assert.match(new URL(tpage.url()).search, /difficulty=intermediate/, 'filters live in the address bar')
  await tpage.getByLabel('ATT&CK technique').selectOption('T1046')
  await tpage.getByText('No scenario matches these filters.').waitFor()
  await tpage.getByRole('button', { name: 'Clear filters' }).first().click()
  await launchButton().waitFor()
  await tpage.getByLabel('NICE role').selectOption('Vulnerability Analysis')
  await shot(tpage, 'catalogue-dark')
  await tpage.getByRole('button', { name: 'Clear filters' }).first().click()

  // The scenario page: story, what it practises, the tracks.
  await tpage.getByRole('link', { name: 'Range Orientation' }).click()
  await tpage.getByRole('heading', { name: 'The story' }).waitFor()
  await tpage.getByRole('heading', { name: 'Attack track' }).waitFor()
  await tpage.getByText('T1046').first().waitFor()

  // Launch from it and watch the lab come up (a real engine).
  if (range.labs) {
    await tpage.getByRole('button', { name: 'Launch lab' }).click()
    await tpage.waitForURL('**/labs/*')
    await tpage.getByText('Connected').waitFor({ timeout: 60000 })
    await tpage.getByRole('link', { name: '← Your labs' }).click()
    await tpage.getByText(/Running · .* left/).waitFor({ timeout: 10000 })
    await shot(tpage, 'home-trainee-dark')
    // A second launch is refused while one runs: the buttons say so.
    assert.equal(await launchButton().isDisabled(), true)

    // Into the lab: a real shell in the browser.
    await tpage.getByRole('link', { name: 'Open lab' }).click()
    await tpage.getByText('Connected').waitFor({ timeout: 20000 })
    const screen = tpage.locator('.xterm-rows')
    await tpage.locator('[data-testid=terminal]').click()
    await tpage.keyboard.type('echo marker-$((6*7))\n')
    await tpage.waitForFunction(() => document.querySelector('.xterm-rows')?.textContent?.includes('marker-42'))
    await tpage.keyboard.type('wget -q -O - http://$WEB_HOST:8080/flag.txt\n')
    await tpage.waitForFunction(() => /FLAG\{l[a-z2-7]{12}-[0-9a-f]{24}\}/.test(document.querySelector('.xterm-rows')?.textContent ?? ''))
    const flag = /FLAG\{l[a-z2-7]{12}-[0-9a-f]{24}\}/.exec(await screen.textContent())[0]

    const answer = tpage.getByLabel('Answer for Read the flag the web host serves')
    await answer.fill('FLAG{not-this-one}')
    await tpage.getByRole('button', { name: 'Submit' }).first().click()
    await tpage.getByText('That is not the answer.').waitFor()
    await answer.fill(flag)
    await tpage.getByRole('button', { name: 'Submit' }).first().click()
    await tpage.getByText('Correct: +100 points.').waitFor()
    await tpage.getByText('100 points · 1 solved').waitFor()
    await shot(tpage, 'lab-terminal-dark')

    // The lab's web target opens in a new tab, through the platform.
    const [web] = await Promise.all([tpage.context().waitForEvent('page'), tpage.getByRole('button', { name: 'Status page ↗' }).click()])
    await web.waitForURL('**/lab-web/**')
    await web.goto(web.url() + 'flag.txt')
    assert.equal((await web.textContent('body')).trim(), flag, 'the web target serves this lab, through the proxy')
    await web.close()

    // Progress: the points and the technique the lab touched.
    await tpage.getByRole('link', { name: 'Progress' }).click()
    await tpage.getByRole('heading', { name: 'Your progress' }).waitFor()
    await tpage.getByTestId('progress-stats').getByText('100').waitFor()
    await tpage.getByText('T1046').waitFor()
    await shot(tpage, 'progress-dark')
    await tpage.goBack()

    tpage.once('dialog', (d) => d.accept())
    await tpage.getByRole('button', { name: 'Stop lab' }).click()
    await tpage.getByRole('heading', { name: 'Welcome, Kenji' }).waitFor()
    await tpage.getByRole('button', { name: 'Launch Range Orientation' }).and(tpage.locator(':enabled')).waitFor()

    // The instructor replays the trainee's terminal session.
    await page.goto(range.url + '/')
    await page.getByRole('heading', { name: "Trainees' labs" }).waitFor()
    await page.getByRole('link', { name: 'Replay' }).first().click()
    await page.getByRole('heading', { name: 'Session replay' }).waitFor()
    // One session: the shell the flag was read in is the one the trainee
    // came back to from Progress.
    await page.getByRole('button', { name: 'Session 1' }).click()
    assert.equal(await page.getByRole('button', { name: 'Session 2' }).count(), 0)
    await page.waitForFunction(() => document.querySelector('[data-testid=replay]')?.textContent?.includes('marker-42'), null, { timeout: 30000 })
    await shot(page, 'replay')
    assert.deepEqual(errors, [], 'the replay page logs no errors (CSP included)')
  } else {
    await shot(tpage, 'home-trainee-dark')
  }

  // The theme follows the system (dark here) until the person picks one.
  const theme = () => tpage.evaluate(() => document.documentElement.dataset.theme)
  assert.equal(await theme(), 'dark')
  const toggle = tpage.getByRole('button', { name: /Colour theme/ })
  await toggle.click() // system → dark
  assert.equal(await theme(), 'dark')
  await toggle.click() // dark → light
  assert.equal(await theme(), 'light')
  await tpage.reload()
  await tpage.getByRole('heading', { name: 'Welcome, Kenji' }).waitFor()
  assert.equal(await theme(), 'light', 'the chosen theme is remembered')
  await tpage.getByRole('button', { name: /Colour theme/ }).click() // light → system
  assert.equal(await theme(), 'dark')

  // The invite is spent: a second use is refused.
  const other = await chrome.browser.newContext()
  const opage = await other.newPage()
  await opage.goto(inviteLink)
  await opage.getByLabel('Email').fill('someone@academy.test')
  await opage.getByLabel('Password').fill('another long password')
  await opage.getByRole('button', { name: 'Create account' }).click()
  await opage.getByText('This invite code is unknown, used or expired.').waitFor()
  assert.deepEqual(terrors, [])
})

// Runs after the first test, on the range it set up.
test('keyboard alone completes sign-in', { skip }, async () => {
  await start()
  const ctx = await chrome.browser.newContext()
  const page = await ctx.newPage()
  await page.goto(range.url + '/signin')
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  // Email has focus on arrival; Tab moves to password; Enter submits.
  await page.keyboard.type('admin@academy.test')
  await page.keyboard.press('Tab')
  await page.keyboard.type('frontier guard 2026')
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { name: 'Welcome, Aiko Tanaka' }).waitFor()
})
