// An event in real Chromium against the real server and the Docker
// engine: an instructor runs an event for their cohort on the Events page;
// a trainee of the cohort solves an objective of it; the event's board
// shows the solve to both; once the instructor sets the board's freeze,
// the trainee sees it frozen and the instructor sees it live, told that
// players see it frozen.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { apiCall, seedClass, flagOf, launchBrowser, missing, signIn as signInAs, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

const call = (method, path, token, body) => apiCall(range, method, path, token, body)
const signIn = (context, email) => signInAs(context, range, email)

test('an event: run, solved, on its board, then frozen for players', { skip }, async () => {
  range = await startRange()
  assert.ok(range.labs, 'labs need the engine')
  chrome = await launchBrowser()
  const { admin, org } = await seedClass(range)
  const cohort = await call('POST', '/api/v1/cohorts', admin, {
    organisation_id: org.id, name: 'CTF class', starts_at: '2026-01-01T09:00:00Z', ends_at: '2036-01-01T09:00:00Z',
  })
  await call('POST', `/api/v1/cohorts/${cohort.id}/members`, admin, { email: 'sensei@uni.test', role: 'instructor' })
  await call('POST', `/api/v1/cohorts/${cohort.id}/members`, admin, { email: 'hanako@uni.test', role: 'member' })

  // The instructor runs the event on the Events page.
  const teacher = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } })
  const tpage = await signIn(teacher, 'sensei@uni.test')
  const errors = watchConsole(tpage)
  await tpage.goto(range.url + '/events')
  await tpage.getByText('No events yet.').waitFor() // the empty state
  await tpage.getByLabel('For').selectOption(cohort.id)
  await tpage.getByLabel('Name').fill('Spring CTF')
  await tpage.getByRole('checkbox', { name: 'Range Orientation' }).check()
  await tpage.getByLabel('Starts').fill('2026-01-01T09:00')
  await tpage.getByLabel('Ends').fill('2035-01-01T09:00')
  await tpage.getByRole('button', { name: 'Run event' }).click()
  await tpage.getByRole('link', { name: 'Spring CTF' }).waitFor()
  const [event] = (await call('GET', '/api/v1/events', admin)).events
  assert.equal(event.name, 'Spring CTF')
  assert.deepEqual(event.scenarios, ['orientation'])

  // The trainee sees the event, and its empty board, then solves.
  const trainee = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await signIn(trainee, 'hanako@uni.test')
  const traineeErrors = watchConsole(page)
  await page.goto(range.url + '/events')
  await page.getByRole('link', { name: 'Spring CTF' }).click()
  await page.getByTestId('event-phase').getByText('Running').waitFor()
  await page.getByText('No points scored yet.').waitFor()
  await page.goto(range.url + '/scenarios/orientation')
  await page.getByRole('button', { name: 'Launch lab' }).click()
  await page.getByText('Connected').waitFor({ timeout: 90000 })
  const lab = new URL(page.url()).pathname.split('/')[2]
  await page.getByLabel('Answer for Read the flag the web host serves').fill(flagOf(lab))
  await page.getByRole('button', { name: 'Submit' }).click()
  await page.getByText(/Correct: \+\d+ points/).waitFor()

  // Both see the solve on the event's board.
  const board = `${range.url}/scoreboard?event=${event.id}`
  await page.goto(board)
  const row = page.locator('table.standings tbody tr')
  await row.getByText('(you)').waitFor()
  assert.equal(await row.count(), 1)
  await tpage.goto(board)
  await tpage.locator('table.standings tbody tr').first().waitFor()

  // The instructor freezes the board at the start of the next minute (the
  // form takes minutes), after the solve: the trainee sees it frozen, the
  // instructor live, told that players see it frozen.
  await tpage.waitForTimeout(60_000 - (Date.now() % 60_000) + 1000)
  const minute = await tpage.evaluate(() => {
    const t = new Date()
    t.setSeconds(0, 0)
    return new Date(t.getTime() - t.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
  })
  await tpage.goto(range.url + '/events')
  await tpage.getByRole('button', { name: 'Edit' }).click()
  await tpage.getByRole('heading', { name: 'Change event' }).waitFor()
  await tpage.getByLabel('Board freezes (optional)').fill(minute)
  await tpage.getByRole('button', { name: 'Save changes' }).click()
  await tpage.getByRole('heading', { name: 'New event' }).waitFor()
  assert.ok((await call('GET', `/api/v1/events/${event.id}`, admin)).freeze_at, 'the freeze was saved')
  await tpage.goto(board)
  await page.reload()
  await page.getByTestId('frozen').waitFor()
  await page.getByTestId('event-phase').getByText('Running, board frozen').waitFor()
  await row.getByText('(you)').waitFor() // the solve before the freeze still shows
  await tpage.getByTestId('frozen-live').waitFor()
  assert.equal(await tpage.getByTestId('frozen').count(), 0)

  // The range board, as before, is another scope of the same page.
  await page.getByLabel('Board').selectOption('range')
  await page.getByLabel('Scenario').waitFor()
  assert.deepEqual(errors, [])
  assert.deepEqual(traineeErrors, [])
})
