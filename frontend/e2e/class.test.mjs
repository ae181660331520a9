// A class from start to finish in real Chromium against the real server and
// the Docker engine: an instructor makes a cohort, imports a OneRoster file
// of three trainees and assigns Metadata Heist with a due date; a trainee
// from the roster finds it assigned, launches it and answers an objective;
// the instructor's matrix turns the cell solved with no reload; a broadcast
// reaches the trainee's lab page; the trainee's timeline shows the terminal
// opened and the command typed in it, and links the answer to its moment in
// the replay. With SAKIMORI_SCREENSHOTS set, the matrix and
// the timeline are saved for the README.
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { seedClass, launchBrowser, missing, signIn as signInAs, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
const shots = process.env.SAKIMORI_SCREENSHOTS
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

const signIn = (context, email) => signInAs(context, range, email)

test('a class: roster, assignment, a solve seen live, a broadcast, the timeline', { skip }, async () => {
  range = await startRange()
  assert.ok(range.labs, 'labs need the engine')
  chrome = await launchBrowser()
  await seedClass(range, { name: '東京工業大学', slug: 'tokyo-tech', kind: 'university' })

  // The instructor makes the cohort and imports its roster.
  const teacher = await chrome.browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' })
  const tpage = await signIn(teacher, 'sensei@uni.test')
  const errors = watchConsole(tpage)
  await tpage.goto(range.url + '/cohorts')
  await tpage.getByLabel('Name').fill('Cloud incident response')
  await tpage.getByLabel('Starts').fill('2026-01-01T09:00')
  await tpage.getByLabel('Ends').fill('2036-01-01T09:00')
  await tpage.getByRole('button', { name: 'Make cohort' }).click()
  await tpage.getByRole('heading', { name: 'Cloud incident response' }).waitFor()
  await tpage.getByLabel('Roster file').setInputFiles({
    name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from('\uFEFFsourcedId,givenName,familyName,email,role\n' +
      's1,花子,山田,hanako@uni.test,student\ns2,さくら,高橋,sakura@uni.test,student\ns3,Ken,Mori,ken@uni.test,student\n', 'utf8'),
  })
  await tpage.getByRole('button', { name: 'Import' }).click()
  await tpage.getByText('1 added, 2 invited, 0 already in or invited.').waitFor()

  // It assigns Metadata Heist, due in a week.
  const due = new Date(Date.now() + 7 * 24 * 3600 * 1000)
  const local = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16)
  await tpage.getByLabel('Title (optional)').fill('Metadata Heist')
  await tpage.getByRole('checkbox', { name: 'Metadata Heist' }).check()
  await tpage.getByLabel('Opens').fill(local(new Date(Date.now() - 3600 * 1000)))
  await tpage.getByLabel('Due').fill(local(due))
  await tpage.getByRole('button', { name: 'Assign' }).click()
  await tpage.getByRole('button', { name: 'Edit' }).first().waitFor()

  // The live matrix of the class, before anyone starts.
  await tpage.getByRole('link', { name: 'Live view of the class' }).click()
  await tpage.getByTestId('live-scenario').selectOption('metadata-heist')
  const matrix = tpage.getByTestId('live-matrix')
  await matrix.waitFor()
  const cell = matrix.locator('td.cell[data-objective=role-name]')
  assert.equal(await cell.getAttribute('data-state'), 'untouched')
  await tpage.getByTestId('live-link').getByText('Live').waitFor()

  // The trainee finds the assignment, launches it and answers.
  const trainee = await chrome.browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' })
  const page = await signIn(trainee, 'hanako@uni.test')
  const terrors = watchConsole(page)
  const assigned = page.getByRole('region', { name: 'Assigned to you' })
  await assigned.getByRole('link', { name: 'Metadata Heist' }).click()
  await page.getByRole('button', { name: 'Launch lab' }).click()
  await page.getByText('Connected').waitFor({ timeout: 120000 })
  await matrix.locator('.badge.state[data-state=running]').waitFor()
  await page.locator('[data-testid=terminal]').click()
  await page.keyboard.type('echo "timeline-$((6*7))"\n')
  await page.waitForFunction(() => document.querySelector('.xterm-rows')?.textContent?.includes('timeline-42'), null, { timeout: 30000 })
  const answer = page.getByLabel('Answer for Which IAM role does the web app\'s instance run as?')
  await answer.fill('web-app-role')
  await page.getByRole('button', { name: 'Submit' }).first().click()
  await page.getByText('Correct: +100 points.').waitFor()
  await matrix.locator('td.cell[data-objective=role-name][data-state=solved]').waitFor() // no reload
  assert.match(await cell.getAttribute('aria-label'), /Solved$/)

  // A broadcast reaches the trainee's lab page at once.
  await tpage.getByLabel('Message', { exact: true }).fill('Fifteen minutes left — 残り15分')
  await tpage.getByRole('button', { name: 'Send to everyone' }).click()
  await page.getByTestId('cohort-message').getByText('Fifteen minutes left — 残り15分').waitFor()
  if (shots) (mkdirSync(shots, { recursive: true }), await tpage.screenshot({ path: join(shots, 'live-matrix.png') }))

  // The trainee's timeline, from their name in the matrix: the launch, the
  // terminal opened and the command typed in it, and the answer, each
  // linked to the replay at its moment.
  await matrix.getByRole('link', { name: /hanako/ }).click()
  const timeline = tpage.getByTestId('timeline')
  await timeline.getByText('Launched').waitFor()
  await timeline.getByText('Terminal opened').first().waitFor()
  await timeline.getByTestId('timeline-command').getByText('echo "timeline-$((6*7))"', { exact: true }).waitFor()
  await timeline.getByText('correct').waitFor()
  const replay = timeline.getByTestId('timeline-replay').last()
  assert.match(await replay.getAttribute('href'), /^\/labs\/l[a-z2-7]{12}\/replay\?at=/)
  if (shots) await tpage.screenshot({ path: join(shots, 'trainee-timeline.png') })
  // Pages end their own event streams when they are left or change what
  // they follow (the live page's scenario, once the list loads and then as
  // chosen): Chromium reports each as a response cut short. Anything else on
  // either console is an error.
  const real = (list) => list.filter((e) => !e.includes('ERR_INCOMPLETE_CHUNKED_ENCODING'))
  assert.deepEqual(real(errors), [])
  assert.deepEqual(real(terrors), [])
})
