// The scenario editor, end to end on the real engine: an instructor starts
// from the web-app template, types a mistake and sees it at its line, fixes
// it, attaches a file, previews the trainees' page, launches the draft as a
// lab, rehearses
// it (the log follows on the page, green) and publishes it. A trainee of the
// organisation then launches it; a trainee of another organisation does not
// see it and cannot reach it.
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { apiCall, launchBrowser, missing, seedClass, signIn, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
const shots = process.env.SCREENSHOTS
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

// inCohort puts a trainee in a new cohort of the organisation.
async function inCohort(range, admin, org, instructor, trainee) {
  await apiCall(range, 'POST', `/api/v1/organisations/${org.id}/members`, admin, { email: instructor, role: 'instructor' })
  const teacher = await apiCall(range, 'POST', '/api/v1/auth/login', null, { email: instructor, password: 'long enough password' })
  const cohort = await apiCall(range, 'POST', '/api/v1/cohorts', teacher.access_token, {
    organisation_id: org.id, name: `${org.name} class`, starts_at: '2026-04-01T09:00:00+09:00', ends_at: '2027-03-31T18:00:00+09:00',
  })
  const pupil = await apiCall(range, 'POST', '/api/v1/auth/login', null, { email: trainee, password: 'long enough password' })
  await apiCall(range, 'POST', '/api/v1/cohorts/join', pupil.access_token, { code: cohort.join_code })
  return pupil.access_token
}

async function waitForLab(range, token, id) {
  for (let i = 0; i < 180; i++) {
    const lab = await apiCall(range, 'GET', `/api/v1/labs/${id}`, token)
    if (lab.state === 'running') return lab
    assert.notEqual(lab.state, 'failed', `lab ${id} failed: ${lab.reason}`)
    await new Promise((r) => setTimeout(r, 1000))
  }
  throw new Error(`lab ${id} did not run`)
}

test('an instructor writes, rehearses and publishes a scenario; only their organisation launches it', { skip, timeout: 900000 }, async () => {
  range = await startRange()
  assert.ok(range.labs, 'a rehearsal needs the engine')
  chrome = await launchBrowser()
  const { admin, org } = await seedClass(range)
  for (const email of ['kenji@other.test', 'hiro@other.test']) {
    await apiCall(range, 'POST', '/api/v1/users', admin, { email, password: 'long enough password', role: email.startsWith('kenji') ? 'trainee' : 'instructor' })
  }
  const other = await apiCall(range, 'POST', '/api/v1/organisations', admin, { name: 'Other University', slug: 'other', kind: 'university' })
  await inCohort(range, admin, org, 'sensei@uni.test', 'hanako@uni.test')
  const kenji = await inCohort(range, admin, other, 'hiro@other.test', 'kenji@other.test')

  const context = await chrome.browser.newContext({ viewport: { width: 1400, height: 900 } })
  const page = await signIn(context, range, 'sensei@uni.test')
  const errors = watchConsole(page)
  await page.getByRole('link', { name: 'Organisations' }).click()
  await page.getByRole('button', { name: 'Academy' }).click()
  await page.getByTestId('new-in-editor').click()
  await page.getByRole('heading', { name: 'Scenario editor' }).waitFor()
  // Built-in scenarios are offered to copy, beside the templates.
  await page.getByLabel('Start from a template').locator('option', { hasText: /^Range Orientation \(version \d+\)$/ }).waitFor({ state: 'attached' })
  await page.getByLabel('Start from a template').selectOption('web-app')
  await page.getByRole('button', { name: 'Start' }).click()
  await page.getByTestId('valid').waitFor()
  await page.getByTestId('images').getByText(/sakimori-lab\/workstation:latest/).waitFor()
  await page.getByTestId('preview').getByRole('heading', { name: 'Workstation and Web Application' }).waitFor()

  // A mistake, typed at the end of the manifest, shows at its line.
  const code = page.locator('.cm-content')
  await code.click()
  await page.keyboard.press('Control+End')
  const templates = await apiCall(range, 'GET', '/api/v1/scenario-templates', admin)
  const manifest = templates.templates.find((t) => t.name === 'web-app').files.find((f) => f.path === 'scenario.yaml').text
  const line = manifest.split('\n').length // the empty line after the last newline
  await page.keyboard.type('privileged: true')
  await page.keyboard.press('Escape')
  const problem = page.getByTestId('problems').locator('li').first()
  await problem.waitFor()
  assert.match(await problem.innerText(), new RegExp(`line ${line}, column 1`))
  assert.match(await problem.innerText(), /unknown field "privileged"/)
  await page.locator('.cm-lintRange-error').first().waitFor()
  await page.locator('.cm-gutter-lint .cm-lint-marker-error').first().waitFor()
  assert.ok(await page.getByRole('button', { name: 'Save draft' }).isDisabled(), 'a manifest with problems is not saved')
  if (shots) (mkdirSync(shots, { recursive: true }), await page.getByTestId('problems').scrollIntoViewIfNeeded(), await page.screenshot({ path: join(shots, 'editor-error.png') }))

  // Fixed, saved, launched as a preview lab.
  await page.keyboard.press('Shift+Home')
  await page.keyboard.press('Backspace')
  await page.getByTestId('valid').waitFor()
  // Files travel with the folder: the template's pages, which its web host
  // starts with, and an image attached from disk, kept as it is.
  const attached = page.getByTestId('attached')
  await attached.getByText('files/www/flag.txt').waitFor()
  await page.getByTestId('attach').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff]) })
  await attached.getByText('files/logo.png').waitFor()
  await attached.getByText(/not text, kept as it is/).waitFor()

  // The whole folder is checked as it is typed: a step for an objective the
  // manifest lacks shows in solution.yaml, at its line, until it is undone.
  await page.getByRole('tab', { name: 'solution.yaml' }).click()
  await code.click()
  await page.keyboard.press('Control+End')
  await page.keyboard.type('- objective: nowhere')
  await page.getByTestId('problems').locator('li', { hasText: 'solution.yaml' }).first().waitFor()
  await page.locator('.cm-lintRange-error').first().waitFor()
  for (let i = 0; i < 20 && !(await page.getByTestId('valid').isVisible()); i++) {
    await page.keyboard.press('Control+z')
    await page.waitForTimeout(300)
  }
  await page.getByTestId('valid').waitFor()
  await page.getByRole('tab', { name: 'scenario.yaml' }).click()
  await page.getByRole('button', { name: 'Save draft' }).click()
  await page.getByTestId('saved').getByText(/Saved as draft/).waitFor()
  assert.ok(await page.getByRole('button', { name: 'Publish' }).isDisabled(), 'no publishing before a green rehearsal')
  await page.getByRole('button', { name: 'Launch preview' }).click()
  const previewLab = (await page.getByTestId('preview-lab').getAttribute('href')).split('/').pop()
  const lab = await waitForLab(range, admin, previewLab)
  assert.match(lab.scenario, /^web-app@[0-9a-f]{64}$/, 'the preview lab names the exact version')

  // Rehearsed on the engine, the log following on the page.
  await page.getByRole('button', { name: 'Rehearse' }).click()
  await page.getByTestId('rehearsal-log').getByText(/launching lab/).waitFor({ timeout: 60000 })
  await page.getByTestId('rehearsal-state').getByText('passed').waitFor({ timeout: 600000 })
  const log = await page.getByTestId('rehearsal-log').innerText()
  assert.match(log, /web-app@[0-9a-f]{12}: launching lab/)
  assert.match(log, /flag\s+refused a wrong answer; passed the reference solution/)
  assert.match(log, /PASS:/)
  if (shots) (await page.getByTestId('rehearsal-log').scrollIntoViewIfNeeded(), await page.screenshot({ path: join(shots, 'editor-rehearsal.png') }))
  await page.getByRole('button', { name: 'Publish' }).click()
  await page.getByTestId('saved').getByText('Published as version 1.').waitFor()
  assert.deepEqual(errors, [])

  // The organisation's trainee launches it from the catalogue.
  const trainee = await signIn(await chrome.browser.newContext(), range, 'hanako@uni.test')
  await trainee.goto(range.url + '/catalogue')
  await trainee.getByRole('link', { name: 'Workstation and Web Application' }).click()
  await trainee.getByRole('button', { name: 'Launch lab' }).click()
  await trainee.getByText('Connected').waitFor({ timeout: 90000 })
  assert.match(new URL(trainee.url()).pathname, /^\/labs\//)

  // Another organisation's trainee sees nothing of it.
  const outsider = await signIn(await chrome.browser.newContext(), range, 'kenji@other.test')
  await outsider.goto(range.url + '/catalogue')
  await outsider.getByRole('heading', { name: 'Catalogue' }).waitFor()
  await outsider.getByRole('link', { name: 'Range Orientation' }).waitFor()
  assert.equal(await outsider.getByRole('link', { name: 'Workstation and Web Application' }).count(), 0)
  const refused = await fetch(`${range.url}/api/v1/scenarios/${encodeURIComponent(lab.scenario)}`, { headers: { Authorization: `Bearer ${kenji}` } })
  assert.equal(refused.status, 404)
})
