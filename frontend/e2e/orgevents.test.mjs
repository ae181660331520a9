// An event across a whole organisation in real Chromium against the real
// server: its org admin runs it for "Everyone in" the organisation on the
// Events page; a trainee of one of its cohorts finds it and opens its
// board; a trainee outside the organisation does not see it, and its
// address answers them as if it did not exist.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { apiCall, seedClass, launchBrowser, missing, signIn as signInAs, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

const call = (method, path, token, body) => apiCall(range, method, path, token, body)
const signIn = (context, email) => signInAs(context, range, email)

test("an organisation's event: run by its org admin, played by its cohorts, hidden from others", { skip }, async () => {
  range = await startRange()
  chrome = await launchBrowser()
  const { admin, org } = await seedClass(range)
  await call('POST', `/api/v1/organisations/${org.id}/members`, admin, { email: 'sensei@uni.test', role: 'org_admin' })
  await call('POST', '/api/v1/users', admin, { email: 'outsider@else.test', password: 'long enough password', role: 'trainee' })
  for (const name of ['Morning class', 'Evening class']) {
    const c = await call('POST', '/api/v1/cohorts', admin, {
      organisation_id: org.id, name, starts_at: '2026-01-01T09:00:00Z', ends_at: '2036-01-01T09:00:00Z',
    })
    if (name === 'Evening class') await call('POST', `/api/v1/cohorts/${c.id}/members`, admin, { email: 'hanako@uni.test', role: 'member' })
  }

  const head = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } })
  const hpage = await signIn(head, 'sensei@uni.test')
  const errors = watchConsole(hpage)
  await hpage.goto(range.url + '/events')
  await hpage.getByText('No events yet.').waitFor()
  await hpage.getByLabel('For').selectOption({ label: 'Everyone in Academy' })
  await hpage.getByLabel('Name').fill('Academy CTF')
  await hpage.getByRole('checkbox', { name: 'Range Orientation' }).check()
  await hpage.getByLabel('Starts').fill('2026-01-01T09:00')
  await hpage.getByLabel('Ends').fill('2035-01-01T09:00')
  await hpage.getByRole('button', { name: 'Run event' }).click()
  const listed = hpage.getByTestId('event').filter({ hasText: 'Academy CTF' })
  await listed.getByText('Everyone in Academy').waitFor()
  await listed.getByRole('button', { name: 'Edit' }).waitFor() // its org admin runs it
  const [event] = (await call('GET', '/api/v1/events', admin)).events
  assert.equal(event.organisation_id, org.id)
  assert.equal(event.cohort_id, undefined)

  const trainee = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await signIn(trainee, 'hanako@uni.test')
  const traineeErrors = watchConsole(page)
  await page.goto(range.url + '/events')
  await page.getByRole('link', { name: 'Academy CTF' }).click()
  await page.getByTestId('event-phase').getByText('Running').waitFor()
  await page.getByText('No points scored yet.').waitFor()

  const other = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } })
  const opage = await signIn(other, 'outsider@else.test')
  await opage.goto(range.url + '/events')
  await opage.getByText('No events yet.').waitFor()
  const outsider = (await call('POST', '/api/v1/auth/login', null, { email: 'outsider@else.test', password: 'long enough password' })).access_token
  const res = await fetch(`${range.url}/api/v1/events/${event.id}`, { headers: { Authorization: `Bearer ${outsider}` } })
  assert.equal(res.status, 404)
  assert.equal((await res.json()).error.code, 'event_not_found')

  assert.deepEqual(errors, [])
  assert.deepEqual(traineeErrors, [])
})
