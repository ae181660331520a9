// Unlocked Console in the browser, as a trainee meets it: the cluster's
// open console in its own tab, the cloud keys read off a pod's page, used
// from the lab terminal, and the flag they reach scored.
// Needs the workstation image (sakimori images build -workstation); CI has it.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { after, test } from 'node:test'
import { launchBrowser, missing, register, setupAdmin, startRange, watchConsole } from './range.mjs'

const workstation = spawnSync('docker', ['image', 'inspect', 'sakimori-lab/workstation:latest'], { stdio: 'ignore' }).status === 0
const skip =
  missing() ??
  (workstation || process.env.SAKIMORI_TEST_WORKSTATION ? false : 'no workstation image (sakimori images build -workstation)')
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

// terminalText is what the lab terminal shows, row by row.
function terminalText(page) {
  return page.evaluate(() => [...document.querySelectorAll('[data-testid=terminal] .xterm-rows > div')].map((r) => r.textContent).join('\n'))
}

test('Unlocked Console in the browser: the open console, a pod\'s keys, the flag scored', { skip, timeout: 240000 }, async () => {
  range = await startRange({ SAKIMORI_REGISTRATION: 'open' })
  chrome = await launchBrowser()
  assert.ok(range.labs, 'labs need the engine')
  await setupAdmin(await chrome.browser.newContext(), range)
  const trainee = await chrome.browser.newContext({ viewport: { width: 1400, height: 860 }, colorScheme: 'light' })
  const tpage = await register(trainee, range, { email: 'ren@academy.test', name: 'Ren', password: 'cluster keeper 2026' })
  const terrors = watchConsole(tpage)

  await tpage.getByRole('link', { name: 'Unlocked Console' }).click()
  await tpage.getByRole('heading', { name: 'Defence track' }).waitFor()
  await tpage.getByRole('button', { name: 'Launch lab' }).click()
  await tpage.getByText('Connected').waitFor({ timeout: 120000 })

  // The console, through the platform, open to anyone: a pod's page shows
  // its environment, keys and all.
  const [cons] = await Promise.all([trainee.waitForEvent('page'), tpage.getByRole('button', { name: 'Cluster console ↗' }).click()])
  await cons.getByRole('heading', { name: 'Workloads' }).waitFor({ timeout: 30000 })
  await cons.getByRole('link', { name: /^telemetry-ingest-/ }).first().click()
  await cons.getByRole('heading', { name: /^Pod telemetry\/telemetry-ingest-/ }).waitFor()
  const valueOf = async (name) => (await cons.locator('tr', { has: cons.getByText(name, { exact: true }) }).locator('td').nth(1).textContent()).trim()
  const keyID = await valueOf('AWS_ACCESS_KEY_ID')
  const secret = await valueOf('AWS_SECRET_ACCESS_KEY')
  assert.match(keyID, /^AKIA[A-Z2-7]{16}$/)
  await cons.close()

  // The keys, used from the lab terminal, reach the fleet's flag.
  await tpage.waitForFunction(() => document.querySelector('[data-testid=terminal] .xterm-rows')?.textContent.includes('CLOUD'), null, { timeout: 60000 })
  await tpage.locator('[data-testid=terminal]').click()
  await tpage.keyboard.type(`AWS_ACCESS_KEY_ID=${keyID} AWS_SECRET_ACCESS_KEY='${secret}' aws --endpoint-url "$CLOUD" s3 cp s3://acme-vehicle-telemetry/fleet/flag.txt -; echo\n`)
  await tpage.waitForFunction(() => /FLAG\{[0-9a-z-]+\}/.test(document.querySelector('[data-testid=terminal] .xterm-rows')?.textContent ?? ''), null, { timeout: 30000 })
  const flag = (await terminalText(tpage)).match(/FLAG\{[0-9a-z-]+\}/)[0]

  const answer = tpage.getByLabel('Answer for Read the flag in the fleet folder of the vehicle telemetry bucket')
  await answer.fill(flag)
  await answer.press('Enter')
  await tpage.getByText('Correct: +200 points.').waitFor()

  tpage.once('dialog', (d) => d.accept())
  await tpage.getByRole('button', { name: 'Stop lab' }).click()
  await tpage.getByRole('heading', { name: 'Welcome, Ren' }).waitFor()
  assert.deepEqual(terrors, [])
})
