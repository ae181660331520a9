// Open Badges in real Chromium against the real server, with the
// orientation lab on the Docker engine: a trainee completes the scenario
// (its flag found and its check met in the lab, submitted over the API),
// opens their Badges page, and the badge's public verification page, in a
// browser that never signed in, shows it valid; once an admin revokes it,
// the same page shows it revoked.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { apiCall, flagOf, launchBrowser, missing, seedClass, signIn, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
const shots = process.env.SAKIMORI_SCREENSHOTS
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

// axeViolations runs axe-core (WCAG 2.2 AA) on the page as it is, as the
// accessibility suite does, and names each violation.
async function axeViolations(page, where) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource)
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } }),
  )
  return result.violations.map((v) => `${where}: ${v.id} ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`)
}

async function shot(page, name) {
  if (!shots) return
  mkdirSync(shots, { recursive: true })
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })
}

// runIn runs a shell command on one host of a lab, as the trainee's
// terminal would.
function runIn(lab, host, command) {
  const ps = spawnSync('docker', ['ps', '-q', '--filter', `label=io.sakimori.instance=${lab}`, '--filter', `label=io.sakimori.host=${host}`], { encoding: 'utf8' })
  const id = ps.stdout.trim().split(/\s+/)[0]
  assert.ok(id, `lab ${lab} has a ${host} host`)
  const out = spawnSync('docker', ['exec', id, 'sh', '-c', command], { encoding: 'utf8' })
  assert.equal(out.status, 0, out.stderr)
}

test('a trainee completes orientation, and the public page verifies their badge, then shows it revoked', { skip }, async (t) => {
  range = await startRange()
  if (!range.labs) {
    if (process.env.CI) assert.fail('labs need the engine')
    t.skip('no Docker engine or lab images here')
    return
  }
  chrome = await launchBrowser()
  const { admin } = await seedClass(range)
  const trainee = await apiCall(range, 'POST', '/api/v1/auth/login', null, { email: 'hanako@uni.test', password: 'long enough password' })
  const token = trainee.access_token

  const lab = await apiCall(range, 'POST', '/api/v1/labs', token, { scenario: 'orientation' })
  for (let i = 0; i < 180; i++) {
    const now = await apiCall(range, 'GET', `/api/v1/labs/${lab.id}`, token)
    if (now.state === 'running') break
    assert.notEqual(now.state, 'failed', 'the lab starts')
    await new Promise((r) => setTimeout(r, 500))
  }
  const flag = await apiCall(range, 'POST', `/api/v1/labs/${lab.id}/objectives/first-flag`, token, { answer: flagOf(lab.id) })
  assert.equal(flag.correct, true, JSON.stringify(flag))
  runIn(lab.id, 'workstation', 'echo "web serves the flag on 8080" > /tmp/notes.txt')
  const check = await apiCall(range, 'POST', `/api/v1/labs/${lab.id}/objectives/field-notes/check`, token)
  assert.equal(check.correct, true, JSON.stringify(check))

  // The trainee's Badges page grants and shows the badge.
  const page = await signIn(await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } }), range, 'hanako@uni.test')
  const errors = watchConsole(page)
  await page.getByRole('link', { name: 'Badges' }).click()
  const card = page.locator('.badge-card').filter({ hasText: 'Completed: Range Orientation' })
  await card.waitFor()
  await assert.doesNotReject(card.getByRole('link', { name: 'Download (JSON-LD)' }).waitFor())
  await assert.doesNotReject(card.getByRole('link', { name: 'Download (JWT)' }).waitFor())
  await shot(page, 'badges-mine')
  const found = await axeViolations(page, '/badges')
  await card.getByRole('link', { name: 'Verification page' }).click()
  await page.locator('[data-verdict="valid"]').waitFor()
  const verifyURL = page.url()

  // Someone who never signed in opens the link.
  const outsider = await (await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
  const outsiderErrors = watchConsole(outsider)
  await outsider.goto(verifyURL)
  await outsider.getByRole('heading', { name: 'Completed: Range Orientation' }).waitFor()
  await outsider.locator('[data-verdict="valid"]').waitFor()
  assert.match(await outsider.locator('.facts').textContent(), /hanako/)
  assert.equal(new URL(outsider.url()).pathname, new URL(verifyURL).pathname, 'no sign-in was asked for')
  await shot(outsider, 'badge-verification')
  found.push(...(await axeViolations(outsider, '/verify (en)')))
  // The same page in Japanese, still without signing in.
  await outsider.evaluate(() => localStorage.setItem('sakimori.language', 'ja'))
  await outsider.reload()
  await outsider.getByText('有効：このレンジが発行し、改変も取り消しもされていません。', { exact: false }).waitFor()
  assert.equal(await outsider.locator('html').getAttribute('lang'), 'ja')
  found.push(...(await axeViolations(outsider, '/verify (ja)')))
  assert.deepEqual(found, [])

  // Revoked by the admin, the same page says so.
  const id = new URL(verifyURL).pathname.split('/').pop()
  await apiCall(range, 'POST', `/api/v1/badges/credentials/${id}/revoke`, admin)
  await outsider.reload()
  await outsider.locator('[data-verdict="revoked"]').waitFor()
  assert.deepEqual([...errors, ...outsiderErrors], [])
})
