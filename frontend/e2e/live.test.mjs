// The instructor's live view in real Chromium against the real server and
// the Docker engine: the instructor opens the class matrix; a trainee of
// the cohort launches orientation and sends a wrong answer, then the
// right one; the matrix's cell turns attempted, then solved, with no
// reload. The instructor's message appears on the trainee's lab page.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { seedClass, flagOf, launchBrowser, missing, signIn as signInAs, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

const signIn = (context, email) => signInAs(context, range, email)

test('the matrix follows a trainee live, and a message reaches their lab page', { skip }, async () => {
  range = await startRange()
  assert.ok(range.labs, 'labs need the engine')
  chrome = await launchBrowser()
  await seedClass(range)

  const teacher = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } })
  const tpage = await signIn(teacher, 'sensei@uni.test')
  const errors = watchConsole(tpage)
  await tpage.goto(range.url + '/cohorts')
  await tpage.getByLabel('Name').fill('Orientation class')
  await tpage.getByLabel('Starts').fill('2026-01-01T09:00')
  await tpage.getByLabel('Ends').fill('2036-01-01T09:00')
  await tpage.getByRole('button', { name: 'Make cohort' }).click()
  await tpage.getByRole('heading', { name: 'Orientation class' }).waitFor()
  const code = (await tpage.locator('code').first().innerText()).trim()
  await tpage.getByRole('link', { name: 'Live view of the class' }).click()
  await tpage.getByText('No trainees in this cohort yet.').waitFor() // the empty state

  const trainee = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await signIn(trainee, 'hanako@uni.test')
  await page.goto(range.url + '/cohorts?code=' + encodeURIComponent(code))
  await page.getByRole('button', { name: 'Join', exact: true }).click()
  await page.getByText('Orientation class').first().waitFor()

  // The matrix shows the new member after a reconnect (choosing the
  // scenario again opens a fresh stream).
  await tpage.reload()
  await tpage.getByTestId('live-scenario').selectOption('orientation')
  const matrix = tpage.getByTestId('live-matrix')
  await matrix.waitFor()
  const cell = matrix.locator('td.cell[data-objective=first-flag]')
  assert.equal(await cell.getAttribute('data-state'), 'untouched')
  await tpage.getByTestId('live-link').getByText('Live').waitFor()
  const charts = tpage.getByTestId('class-charts')
  await charts.getByTestId('charts-empty').waitFor() // no solves or wrong answers yet

  await page.goto(range.url + '/scenarios/orientation')
  await page.getByRole('button', { name: 'Launch lab' }).click()
  await page.getByText('Connected').waitFor({ timeout: 90000 })
  const lab = new URL(page.url()).pathname.split('/')[2]
  await matrix.locator('.badge.state[data-state=running]').waitFor()

  await page.getByLabel('Answer for Read the flag the web host serves').fill('FLAG{not-this-one}')
  await page.getByRole('button', { name: 'Submit' }).click()
  await matrix.locator('td.cell[data-objective=first-flag][data-state=attempted]').waitFor()
  await page.getByLabel('Answer for Read the flag the web host serves').fill(flagOf(lab))
  await page.getByRole('button', { name: 'Submit' }).click()
  await matrix.locator('td.cell[data-objective=first-flag][data-state=solved]').waitFor()
  assert.match(await cell.getAttribute('aria-label'), /Solved$/)
  // The charts follow the class too, read again once the cells stop moving.
  await charts.getByText('Solves so far: 1,').waitFor()
  await charts.getByText('Where the class is stuck').waitFor()
  assert.ok((await charts.locator('canvas').count()) >= 4, 'each figure is drawn')
  await tpage.setViewportSize({ width: 360, height: 800 })
  await tpage.waitForTimeout(300) // the plots take the new width
  assert.ok(await charts.evaluate((el) => el.scrollWidth <= el.clientWidth + 1), 'the charts fit a narrow screen')
  await tpage.setViewportSize({ width: 1280, height: 900 })

  await tpage.getByLabel('Message', { exact: true }).fill('Ten minutes left — 残り10分')
  await tpage.getByRole('button', { name: 'Send to everyone' }).click()
  await tpage.getByText(/Sent at/).waitFor()
  const banner = page.getByTestId('cohort-message')
  await banner.getByText('Ten minutes left — 残り10分').waitFor()
  await banner.getByRole('button', { name: 'Dismiss this message' }).click()
  await banner.waitFor({ state: 'detached' })
  assert.deepEqual(errors, [])
})
