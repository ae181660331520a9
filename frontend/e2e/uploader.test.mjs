// Poisoned Uploader in the browser, as a defender meets it: the lab's CI
// opened as a web target, a pipeline's job log read, the project's masked
// variables counted from its settings page and the answer scored, the
// vendor's docs page with the checksum opened beside it.
// Needs the workstation and runner images (sakimori images build -workstation); CI has them.
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

test('Poisoned Uploader in the browser: the CI as a web target, a job log, the masked variables counted', { skip, timeout: 300000 }, async () => {
  range = await startRange({ SAKIMORI_REGISTRATION: 'open' })
  chrome = await launchBrowser()
  assert.ok(range.labs, 'labs need the engine')
  await setupAdmin(await chrome.browser.newContext(), range)
  const trainee = await chrome.browser.newContext({ viewport: { width: 1400, height: 860 }, colorScheme: 'light' })
  const tpage = await register(trainee, range, { email: 'sora@academy.test', name: 'Sora', password: 'pipeline keeper 2026' })
  const terrors = watchConsole(tpage)

  await tpage.getByRole('link', { name: 'Poisoned Uploader' }).click()
  await tpage.getByRole('heading', { name: 'Defence track' }).waitFor()
  await tpage.getByRole('button', { name: 'Launch lab' }).click()
  await tpage.getByText('Connected').waitFor({ timeout: 120000 })

  // The CI, through the platform: its first scheduled pipeline runs about
  // 20 s after the lab starts; the page is reloaded until it is there.
  const [ci] = await Promise.all([trainee.waitForEvent('page'), tpage.getByRole('button', { name: 'Acme CI ↗' }).click()])
  await ci.getByRole('heading', { name: 'Projects' }).waitFor({ timeout: 30000 })
  await ci.getByRole('link', { name: 'acme/api' }).click()
  await ci.getByRole('heading', { name: 'acme/api' }).waitFor()
  const first = ci.locator('tr', { hasText: '#212' })
  for (let i = 0; i < 30 && !(await first.locator('td.success').count()); i++) {
    await ci.waitForTimeout(3000)
    await ci.reload()
  }
  await first.locator('td.success').waitFor({ timeout: 5000 })

  // Its test job's log: the uploader ran, and the log names the token's
  // variable, never its value.
  await first.getByRole('link', { name: 'unit-tests' }).click()
  await ci.getByRole('heading', { name: /unit-tests/ }).waitFor()
  const trace = await ci.locator('#trace').textContent()
  assert.match(trace, /Coverlytics bash uploader v1\.0\.3/)
  assert.match(trace, /\$ bash <\(curl -s http:\/\/uploader\.coverlytics\.example\/bash\) -t "\$COVERLYTICS_TOKEN"/)

  // The settings page lists the variables and hides the masked ones.
  await ci.goBack()
  await ci.getByRole('link', { name: 'CI/CD settings' }).click()
  await ci.getByRole('heading', { name: 'CI/CD variables' }).waitFor()
  const rows = ci.locator('tr', { has: ci.locator('td', { hasText: /^true$/ }) })
  const masked = await rows.count()
  assert.equal(masked, 4)
  assert.doesNotMatch(await ci.content(), /glpat-|AKIA/)
  await ci.close()

  const answer = tpage.getByLabel("Answer for How many of acme/api's masked CI/CD variables did the altered uploader send away?")
  await answer.fill(String(masked))
  await answer.press('Enter')
  await tpage.getByText('Correct: +100 points.').waitFor()

  // The vendor's docs page, with the checksum a customer compares.
  const [docs] = await Promise.all([trainee.waitForEvent('page'), tpage.getByRole('button', { name: 'Coverlytics docs ↗' }).click()])
  await docs.getByText(/[0-9a-f]{64}/).first().waitFor({ timeout: 30000 })
  await docs.close()

  tpage.once('dialog', (d) => d.accept())
  await tpage.getByRole('button', { name: 'Stop lab' }).click()
  await tpage.getByRole('heading', { name: 'Welcome, Sora' }).waitFor()
  assert.deepEqual(terrors, [])
})
