// Stealer Logs to Warehouse in the browser: the market of infostealer
// logs opens as the lab's web app; then, as the defender in the lab
// terminal, the warehouse's login history shows the reporting account
// signed in from outside Acme without a second factor once the intruder
// has come, and that address is scored.
// Needs the workstation, runner and warehouse images (sakimori images build -workstation); CI has them.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { after, test } from 'node:test'
import { launchBrowser, missing, register, setupAdmin, startRange, watchConsole } from './range.mjs'

const warehouse = spawnSync('docker', ['image', 'inspect', 'sakimori-lab/warehouse:latest'], { stdio: 'ignore' }).status === 0
const skip =
  missing() ??
  (warehouse || process.env.SAKIMORI_TEST_WORKSTATION ? false : 'no warehouse image (sakimori images build -workstation)')
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

const rows = () => document.querySelector('.xterm-rows')?.textContent ?? ''

test('Stealer Logs in the browser: the log market, then the intruder found in the login history', { skip, timeout: 300000 }, async () => {
  range = await startRange({ SAKIMORI_REGISTRATION: 'open' })
  chrome = await launchBrowser()
  assert.ok(range.labs, 'labs need the engine')
  await setupAdmin(await chrome.browser.newContext(), range)
  const trainee = await chrome.browser.newContext({ viewport: { width: 1400, height: 860 }, colorScheme: 'light' })
  const tpage = await register(trainee, range, { email: 'sora@academy.test', name: 'Sora', password: 'warehouse keeper 2026' })
  const terrors = watchConsole(tpage)

  await tpage.getByRole('link', { name: 'Stealer Logs to Warehouse' }).click()
  await tpage.getByRole('heading', { name: 'Defence track' }).waitFor()
  await tpage.getByRole('button', { name: 'Launch lab' }).click()
  await tpage.getByText('Connected').waitFor({ timeout: 150000 })

  // The market sells its packs by name, through the platform.
  const [market] = await Promise.all([trainee.waitForEvent('page'), tpage.getByRole('button', { name: 'Log market ↗' }).click()])
  await market.getByRole('link', { name: /jp-corp-2024-05/ }).waitFor()
  await market.close()

  // The login history, as the security team: a sign-in without a second
  // factor from outside 10.20.0.0/16 once the intruder comes, about 30 s in.
  await tpage.locator('[data-testid=terminal]').click()
  const query = `PGPASSWORD=$DW_ADMIN_PASSWORD psql -XAt -h acme-dw.warehouse.example -U dw_admin -d acme -c "SELECT DISTINCT 'seen: ' || user_name || ' ' || client_ip FROM account_usage.login_history WHERE is_success = 'YES' AND second_authentication_factor IS NULL AND NOT client_ip::inet <<= '10.20.0.0/16'"\n`
  let seen = ''
  for (let i = 0; i < 24 && !seen; i++) {
    await tpage.keyboard.type('clear\n')
    await tpage.keyboard.type(query)
    await tpage.waitForTimeout(5000)
    seen = (await tpage.evaluate(rows)).match(/seen: svc_reporting (\d+\.\d+\.\d+\.\d+)/)?.[1] ?? ''
  }
  assert.equal(seen, '192.0.2.145')

  const answer = tpage.getByLabel('Answer for From which address did the intruder sign in?')
  await answer.fill(seen)
  await answer.press('Enter')
  await tpage.getByText('Correct: +50 points.').waitFor()

  tpage.once('dialog', (d) => d.accept())
  await tpage.getByRole('button', { name: 'Stop lab' }).click()
  await tpage.getByRole('heading', { name: 'Welcome, Sora' }).waitFor()
  assert.deepEqual(terrors, [])
})
