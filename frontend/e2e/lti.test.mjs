// Launching the range from a learning platform in real Chromium against the
// real server: an independent LMS (test/lms-peer, express and jose) is
// registered; its instructor opens the range from the course, lands on the
// picker and links an assignment (the LMS verifies the signed reply and
// adds the link and its gradebook column); a learner follows the link and
// lands in the class bound to the course. With SAKIMORI_SCREENSHOTS set,
// the learner's landing is saved for the README.
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { apiCall, launchBrowser, missing, signIn, startPeer, startRange, watchConsole } from './range.mjs'

const shots = process.env.SAKIMORI_SCREENSHOTS
const skip = missing() ?? false
let range, chrome, peer, lms, admin, org, site

before(async () => {
  if (skip) return
  range = await startRange()
  site = range.url.replace('127.0.0.1', 'localhost')
  peer = await startPeer('lms-peer', {
    PEER_CLIENT_ID: 'sakimori-tool', PEER_TOOL_LOGIN: site + '/api/v1/lti/login',
    PEER_TOOL_LAUNCH: site + '/api/v1/lti/launch', PEER_TOOL_JWKS: site + '/api/v1/lti/jwks',
  })
  lms = peer.url
  admin = (await apiCall(range, 'POST', '/api/v1/setup', null, {
    setup_code: range.setupCode, email: 'admin@range.test', password: 'long enough password',
  })).access_token
  org = await apiCall(range, 'POST', '/api/v1/organisations', admin, { name: 'Example University', slug: 'example-u', kind: 'university' })
  await apiCall(range, 'POST', `/api/v1/organisations/${org.id}/lti/platforms`, admin, {
    name: 'Example LMS', issuer: lms, client_id: 'sakimori-tool', deployment_ids: ['deployment-1'],
    auth_url: lms + '/authorize', token_url: lms + '/token', jwks_url: lms + '/jwks',
  })
  chrome = await launchBrowser()
})

after(async () => {
  await chrome?.close()
  peer?.proc.kill()
  await range?.stop()
})

const inspect = () => fetch(lms + '/inspect').then((r) => r.json())

test('an instructor links an assignment from the LMS, and a learner launched from it lands in the class with the assignment before her', { skip }, async () => {
  const instructor = await (await chrome.browser.newContext()).newPage()
  const errors = watchConsole(instructor)
  await instructor.goto(lms + '/launch?user=carol&kind=deeplink')
  await instructor.getByRole('heading', { name: 'Link an assignment to your course' }).waitFor()
  await instructor.getByText('This class has no assignment yet.').waitFor()
  const cohort = new URL(instructor.url()).searchParams.get('cohort')
  await apiCall(range, 'POST', `/api/v1/cohorts/${cohort}/assignments`, admin, {
    title: 'Orientation', scenarios: ['orientation'], tracks: 'attack',
    opens_at: '2026-01-05T09:00:00Z', due_at: '2099-01-12T09:00:00Z', late_policy: 'accept',
  })
  await instructor.reload()
  await instructor.getByRole('button', { name: 'Link this' }).click()
  await instructor.locator('#linked').waitFor()
  const { links, line_items: items } = await inspect()
  assert.equal(links.length, 1)
  assert.equal(items[0].label, 'Orientation')
  assert.deepEqual(errors, [])

  const learner = await (await chrome.browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage()
  const learnerErrors = watchConsole(learner)
  await learner.goto(`${lms}/launch?user=alice&link=${links[0].id}`)
  await learner.getByRole('heading', { name: 'Welcome, Alice Learner' }).waitFor()
  await learner.getByText('Orientation').first().waitFor()
  const me = await learner.evaluate(async () => (await (await fetch('/api/v1/auth/refresh', { method: 'POST' })).json()).user)
  assert.equal(me.email, 'alice@lms.example.ac.jp')
  assert.equal(me.role, 'trainee')
  if (shots) {
    mkdirSync(shots, { recursive: true })
    await learner.screenshot({ path: join(shots, 'lti-launch.png') })
  }
  assert.deepEqual(learnerErrors, [])
})

test('the range admin sees the platform, makes a registration URL and revokes the platform', { skip }, async () => {
  const page = await signIn(await chrome.browser.newContext(), range, 'admin@range.test')
  const errors = watchConsole(page)
  await page.goto(range.url + '/organisations')
  await page.getByRole('button', { name: 'Example University' }).click()
  const panel = page.getByRole('region', { name: 'Learning platforms of Example University (LTI 1.3)' })
  await panel.getByRole('cell', { name: lms }).waitFor()
  await panel.getByText(site + '/api/v1/lti/jwks').waitFor()
  await panel.getByRole('button', { name: 'Make a registration URL' }).click()
  const url = await panel.getByTestId('lti-registration-url').textContent()
  assert.match(url, new RegExp('^' + site + '/api/v1/lti/register/v1:'))
  await panel.getByRole('button', { name: 'Revoke' }).click()
  await panel.getByRole('cell', { name: 'Revoked' }).waitFor()
  const { platforms } = await apiCall(range, 'GET', `/api/v1/organisations/${org.id}/lti/platforms`, admin)
  assert.equal(platforms[0].revoked, true)
  assert.deepEqual(errors, [])
})
