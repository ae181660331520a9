// Several terminals, one tab per terminal host, in real Chromium against
// the real server with the orientation lab on the Docker engine. No
// built-in scenario has two terminal hosts, and a range loads built-in
// scenarios only; so the page is told the lab has two (workstation and
// web), and the second tab's ticket is asked for the first host. What
// this shows is the page: a tab per host, each with a shell of its own
// that switching tabs keeps, and "New shell" renewing only its own tab.
// The server's choice of host is tested in Go (labs/terminals_test.go and
// the lab contract).
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { launchBrowser, missing, setupAdmin, startRange } from './range.mjs'

const skip = missing() ?? false
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

const screen = (p) => p.locator('.xterm-rows').textContent()
const waitForTerminal = (p, text, timeout = 20000) =>
  p.waitForFunction((t) => document.querySelector('.xterm-rows')?.textContent?.includes(t), text, { timeout })

test('a lab with two terminal hosts has a tab and a shell for each', { skip }, async () => {
  range = await startRange({ SAKIMORI_REGISTRATION: 'open' })
  assert.ok(range.labs, 'labs need the engine')
  chrome = await launchBrowser()
  const admin = await chrome.browser.newContext()
  await setupAdmin(admin, range)
  await admin.close()

  const ctx = await chrome.browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await ctx.newPage()
  await page.goto(range.url + '/register')
  await page.getByLabel('Email').fill('ren@academy.test')
  await page.getByLabel('Display name').fill('Ren')
  await page.getByLabel('Password').fill('cloud defender 2026')
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByRole('heading', { name: 'Welcome, Ren' }).waitFor()
  await page.goto(range.url + '/scenarios/orientation')
  await page.getByRole('button', { name: 'Launch lab' }).click()
  await page.getByText('Connected').waitFor({ timeout: 90000 })
  // One terminal host, one terminal and no tabs; its shell opens on the
  // greeting that names its variables.
  assert.equal(await page.getByTestId('terminal-tab').count(), 0)
  await waitForTerminal(page, 'Your shell is given: $WEB_HOST')

  const lab = new URL(page.url()).pathname.split('/')[2]
  await page.route(`**/api/v1/labs/${lab}`, async (route) => {
    const res = await route.fetch()
    const body = await res.json()
    await route.fulfill({ response: res, json: { ...body, terminal_hosts: ['workstation', 'web'] } })
  })
  await page.route(`**/api/v1/labs/${lab}/terminal?host=web`, (route) => route.continue({ url: route.request().url().replace('?host=web', '') }))
  await page.reload()

  const tabs = page.getByTestId('terminal-tab')
  await tabs.first().waitFor()
  assert.deepEqual(await tabs.allTextContents(), ['workstation', 'web'])
  assert.equal(await tabs.first().getAttribute('aria-selected'), 'true')
  await page.getByText('Connected').waitFor()
  await page.locator('[data-testid=terminal]').click()
  await page.keyboard.type('first=one; echo "tab-$first-$((40+1))"\n')
  await waitForTerminal(page, 'tab-one-41')

  await tabs.nth(1).click()
  assert.equal(await tabs.nth(1).getAttribute('aria-selected'), 'true')
  await page.getByText('Connected').waitFor()
  await waitForTerminal(page, 'Your shell is given') // a shell of its own, with its own first screen
  assert.ok(!(await screen(page)).includes('tab-one-41'), 'the second tab shows the first one\'s screen')
  await page.locator('[data-testid=terminal]').click()
  await page.keyboard.type('echo "tab-[$first]-$((40+2))"\n')
  await waitForTerminal(page, 'tab-[]-42') // not the first tab's shell: its variable is not here

  // "New shell" renews this tab's shell only.
  page.once('dialog', (d) => d.accept())
  await page.getByRole('button', { name: 'New shell' }).click()
  await waitForTerminal(page, '[new shell]')

  // Back to the first tab: its shell, variable and screen are kept.
  await tabs.first().click()
  await page.getByText('Connected').waitFor()
  await waitForTerminal(page, 'tab-one-41')
  await page.locator('[data-testid=terminal]').click()
  await page.keyboard.type('echo "still-$first-$((40+3))"\n')
  await waitForTerminal(page, 'still-one-43')
  await ctx.close()
})
