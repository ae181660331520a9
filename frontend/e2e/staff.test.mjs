// Staff pages in the browser: an instructor, invited from the admin page,
// opens a trainee's lab and sees the trainee's objectives and, live and
// read-only, the trainee's terminal; the trainee is told. The admin finds
// people by name, disables and enables them, and revokes an invite.
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { apiCall, launchBrowser, missing, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
const shots = process.env.SAKIMORI_SCREENSHOTS
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

const screen = { viewport: { width: 1400, height: 900 }, colorScheme: 'light' }
const rowsText = (page, testid) => page.locator(`[data-testid=${testid}] .xterm-rows`).textContent()

async function waitForText(page, testid, want) {
  await page.waitForFunction(([id, w]) => document.querySelector(`[data-testid=${id}] .xterm-rows`)?.textContent?.includes(w), [testid, want], { timeout: 20000 })
}

test('an instructor watches a trainee’s lab; the admin manages people and invites', { skip }, async () => {
  range = await startRange({ SAKIMORI_REGISTRATION: 'open' })
  chrome = await launchBrowser()
  assert.ok(range.labs, 'labs need the engine')

  // The admin sets the range up.
  const admin = await (await chrome.browser.newContext(screen)).newPage()
  const aerrors = watchConsole(admin)
  admin.on('dialog', (d) => d.accept())
  await admin.goto(range.url + '/setup')
  await admin.getByLabel('Setup code').fill(range.setupCode)
  await admin.getByLabel('Your email').fill('admin@academy.test')
  await admin.getByLabel('Display name').fill('Aiko Tanaka')
  await admin.getByLabel('Password').fill('frontier guard 2026')
  await admin.getByRole('button', { name: 'Create administrator' }).click()
  await admin.getByRole('heading', { name: 'Welcome, Aiko Tanaka' }).waitFor()

  // Invites in bulk from the admin page: an instructor, and two to revoke.
  await admin.getByRole('link', { name: 'Admin' }).click()
  await admin.getByRole('heading', { name: 'People' }).waitFor()
  await admin.getByLabel(/^Emails, one or many/).fill('ren@academy.test')
  await admin.getByLabel('Role for the invites').selectOption('instructor')
  await admin.getByRole('button', { name: 'Make invites' }).click()
  const link = await admin.locator('.made code').first().textContent()
  assert.match(link, /\/register\?invite=/)
  await admin.getByLabel('Role for the invites').selectOption('trainee')
  await admin.getByLabel(/^Emails, one or many/).fill('kai@academy.test, sora@academy.test')
  await admin.getByRole('button', { name: 'Make invites' }).click()
  await admin.getByText('2 invites made.').waitFor()
  const kaiRow = admin.locator('[data-testid=invites] tr', { hasText: 'kai@academy.test' })
  await kaiRow.getByRole('button', { name: 'Revoke' }).click()
  await kaiRow.getByText('revoked').waitFor()

  // The instructor registers with the invite.
  const teacherCtx = await chrome.browser.newContext(screen)
  const teacher = await teacherCtx.newPage()
  const ierrors = watchConsole(teacher)
  teacher.on('dialog', (d) => d.accept())
  await teacher.goto(link)
  await teacher.getByLabel('Email').fill('ren@academy.test')
  await teacher.getByLabel('Display name').fill('Ren Mori')
  await teacher.getByLabel('Password').fill('watchful teacher 2026')
  await teacher.getByRole('button', { name: 'Create account' }).click()
  await teacher.getByRole('heading', { name: 'Welcome, Ren Mori' }).waitFor()

  // A trainee registers, launches the orientation and types in its terminal.
  const trainee = await (await chrome.browser.newContext(screen)).newPage()
  const terrors = watchConsole(trainee)
  await trainee.goto(range.url + '/register')
  await trainee.getByLabel('Email').fill('mei@academy.test')
  await trainee.getByLabel('Display name').fill('Mei Sato')
  await trainee.getByLabel('Password').fill('cloud defender 2026')
  await trainee.getByRole('button', { name: 'Create account' }).click()
  await trainee.getByRole('heading', { name: 'Welcome, Mei Sato' }).waitFor()

  // Instructors see only the trainees of the classes they teach: Ren
  // teaches Mei's cohort.
  const call = (method, path, token, body) => apiCall(range, method, path, token, body)
  const adminToken = (await call('POST', '/api/v1/auth/login', null, { email: 'admin@academy.test', password: 'frontier guard 2026' })).access_token
  const org = await call('POST', '/api/v1/organisations', adminToken, { name: 'Academy', slug: 'academy', kind: 'academy' })
  await call('POST', `/api/v1/organisations/${org.id}/members`, adminToken, { email: 'ren@academy.test', role: 'instructor' })
  const cohort = await call('POST', '/api/v1/cohorts', adminToken, {
    organisation_id: org.id, name: 'Cloud defence', starts_at: '2026-01-01T09:00:00+09:00', ends_at: '2036-01-01T09:00:00+09:00',
  })
  await call('POST', `/api/v1/cohorts/${cohort.id}/members`, adminToken, { email: 'ren@academy.test', role: 'instructor' })
  await call('POST', `/api/v1/cohorts/${cohort.id}/members`, adminToken, { email: 'mei@academy.test' })
  await trainee.goto(range.url + '/scenarios/orientation')
  await trainee.getByRole('button', { name: 'Launch lab' }).click()
  await trainee.getByText('Connected').waitFor({ timeout: 90000 })
  const labID = new URL(trainee.url()).pathname.split('/').pop()
  await trainee.locator('[data-testid=terminal]').click()
  await trainee.keyboard.type('echo before-$((6*7))\n')
  await waitForText(trainee, 'terminal', 'before-42')
  assert.equal(await trainee.locator('[data-testid=watched]').count(), 0, 'nobody watches yet')

  // The instructor, from the staff navigation, opens the trainee's lab.
  await teacher.getByRole('link', { name: 'Labs', exact: true }).last().click()
  await teacher.getByRole('heading', { name: "Trainees' labs" }).waitFor()
  await teacher.locator('tr', { hasText: 'Mei Sato' }).getByRole('link', { name: 'Open' }).click()
  await teacher.getByRole('heading', { name: 'Range Orientation' }).waitFor()
  await teacher.getByTestId('trainee-name').filter({ hasText: 'Mei Sato' }).waitFor()
  await teacher.getByRole('heading', { name: "The trainee's objectives" }).waitFor()
  assert.ok((await teacher.getByTestId('trainee-objectives').locator('li').count()) > 0, 'the trainee’s objectives are shown')
  await teacher.getByText("Trainee's score here: 0 points · 0 solved").waitFor()
  assert.equal(await teacher.getByText('There is no such lab.').count(), 0)

  // The shadow: the scrollback, then what the trainee types, as it comes.
  await waitForText(teacher, 'shadow-terminal', 'before-42')
  await trainee.locator('[data-testid=watched]').waitFor()
  await trainee.keyboard.type('echo while-$((6*7))-watched\n')
  await waitForText(teacher, 'shadow-terminal', 'while-42-watched')

  // Typing in the shadow sends nothing to the trainee's shell.
  await teacher.locator('[data-testid=shadow-terminal]').click()
  await teacher.keyboard.type('echo from-$((6*7))-staff\n')
  await trainee.keyboard.type('echo after-$((6*7))\n')
  await waitForText(trainee, 'terminal', 'after-42')
  assert.ok(!(await rowsText(trainee, 'terminal')).includes('from-42-staff'), 'the shadow typed into the trainee’s shell')
  await waitForText(teacher, 'shadow-terminal', 'after-42')
  if (shots) {
    mkdirSync(shots, { recursive: true })
    await teacher.evaluate(() => window.scrollTo(0, 0))
    await teacher.screenshot({ path: join(shots, 'staff-trainee-lab.png') })
  }

  // An instructor who opens the trainee's lab address gets the staff view.
  await teacher.goto(range.url + '/labs/' + labID)
  await teacher.getByText('Staff view · you are watching').waitFor()

  // Suspicions and the trainee's timeline are reachable from the staff nav.
  await teacher.getByRole('link', { name: 'Suspicions' }).click()
  await teacher.getByRole('heading', { name: 'Suspicions' }).waitFor()
  await teacher.getByRole('link', { name: 'Trainees' }).click()
  await teacher.getByRole('link', { name: 'Mei Sato' }).click()
  await teacher.getByRole('heading', { name: "Mei Sato's timeline" }).waitFor()

  // Leaving the staff view lifts the trainee's notice.
  await teacher.close()
  await trainee.locator('[data-testid=watched]').waitFor({ state: 'detached' })

  // The admin's user list: search, disable and enable.
  await admin.reload()
  await admin.getByTestId('user-search').fill('mei')
  await admin.locator('[data-testid=users] tbody tr').filter({ hasText: 'mei@academy.test' }).waitFor()
  await admin.waitForFunction(() => document.querySelectorAll('[data-testid=users] tbody tr').length === 1)
  const mei = admin.locator('[data-testid=users] tbody tr', { hasText: 'mei@academy.test' })
  await mei.getByRole('button', { name: 'Disable' }).click()
  await mei.getByText('Disabled').waitFor()
  await mei.getByRole('button', { name: 'Enable' }).click()
  await mei.getByText('Active').waitFor()
  await admin.getByTestId('user-search').fill('')
  await admin.waitForFunction(() => document.querySelectorAll('[data-testid=users] tbody tr').length === 3)
  if (shots) await admin.screenshot({ path: join(shots, 'admin-users.png'), fullPage: true })

  // A password reset link: the person sets a new password and signs in with it.
  await mei.getByRole('button', { name: 'Reset password' }).click()
  const resetLink = await admin.locator('.banner code').first().textContent()
  assert.match(resetLink, /\/reset-password\?code=/)
  const fresh = await (await chrome.browser.newContext(screen)).newPage()
  const ferrors = watchConsole(fresh)
  await fresh.goto(resetLink)
  await fresh.getByLabel('New password', { exact: true }).fill('a fresh start 2026')
  await fresh.getByRole('button', { name: 'Set password' }).click()
  await fresh.waitForURL(/\/signin/)
  await fresh.getByLabel('Email').fill('mei@academy.test')
  await fresh.getByLabel('Password').fill('a fresh start 2026')
  await fresh.getByRole('button', { name: 'Sign in' }).click()
  await fresh.getByRole('heading', { name: 'Welcome, Mei Sato' }).waitFor()
  assert.deepEqual(ferrors, [])

  // The audit log page shows what staff did: the disable and the shadow.
  await admin.getByRole('link', { name: 'Audit log' }).click()
  const log = admin.getByTestId('audit')
  await log.getByText('user.disable', { exact: true }).waitFor()
  await log.getByText('lab.shadow', { exact: true }).first().waitFor()
  await admin.getByLabel('Action').selectOption('user.enable')
  await admin.getByRole('button', { name: 'Show' }).click()
  await admin.waitForFunction(() => [...document.querySelectorAll('[data-testid=audit] tbody tr')].every((r) => r.textContent.includes('user.enable')))
  assert.equal(await log.locator('tbody tr').count(), 1)

  assert.deepEqual(aerrors, [])
  assert.deepEqual(ierrors, [])
  assert.deepEqual(terrors, [])
})
