// Accessibility, WCAG 2.2 AA: axe-core runs on every page of the app, signed
// out and as each role, in English and Japanese, in the light and the dark
// theme, and any violation fails the test (there is no list of exemptions).
// A second test walks the trainee's way through the range by keyboard alone:
// the skip link, the catalogue, the launch, past the terminal, an answer;
// every control it reaches shows where the focus is.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { after, test } from 'node:test'
import { apiCall, flagOf, launchBrowser, missing, seedClass, signIn, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const combos = ['en', 'ja'].flatMap((language) => ['light', 'dark'].map((theme) => ({ language, theme })))
const screen = { viewport: { width: 1400, height: 900 }, reducedMotion: 'reduce' }
let range, chrome, adminToken

after(async () => {
  await chrome?.close()
  await range?.stop()
})

// audit runs axe-core on the page as it is and returns its violations, one
// line each, named by where they were found. axe is put into the page by
// the DevTools protocol, which the app's Content-Security-Policy does not
// govern, so the page is tested with its real policy.
async function audit(page, where) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource)
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } }),
  )
  return result.violations.map(
    (v) => `${where}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 4).map((n) => n.target.join(' ') + (n.failureSummary ? ' [' + n.failureSummary.replace(/\s+/g, ' ') + ']' : '')).join('; ')}`,
  )
}

// show opens path in the given language and theme, and waits until the
// page has drawn what it shows (its heading, nothing still loading).
async function show(page, { language, theme }, path) {
  await page.evaluate(([l, t]) => (localStorage.setItem('sakimori.language', l), localStorage.setItem('sakimori.theme', t)), [language, theme])
  await page.goto(range.url + path)
  await page.locator('main h1').first().waitFor({ timeout: 15000 }).catch(async (e) => {
    throw new Error(`${path} [${language}, ${theme}] shows no heading; it says: ${await page.locator('body').innerText()}`, { cause: e })
  })
  await page.waitForFunction(() => !document.querySelector('main .loading, main [aria-busy="true"]'), null, { timeout: 15000 })
  await page.waitForTimeout(300) // charts and late panels
  assert.equal(await page.locator('html').getAttribute('lang'), language, `${path} is marked as ${language}`)
  assert.equal(await page.locator('html').getAttribute('data-theme'), theme)
}

async function auditAll(page, who, paths) {
  const found = []
  for (const combo of combos) {
    for (const path of paths) {
      await show(page, combo, path)
      found.push(...(await audit(page, `${who} ${path} [${combo.language}, ${combo.theme}]`)))
    }
  }
  return found
}

test('every page passes axe-core in both languages and both themes, for every role', { skip, timeout: 600000 }, async () => {
  range = await startRange({ SAKIMORI_REGISTRATION: 'open' })
  chrome = await launchBrowser()
  const found = []

  // Signed out, the setup page first (the range is fresh), then the rest.
  const outside = await (await chrome.browser.newContext(screen)).newPage()
  const errors = watchConsole(outside)
  await outside.goto(range.url + '/signin')
  found.push(...(await auditAll(outside, 'signed out', ['/setup'])))
  const { admin, org } = await seedClass(range)
  adminToken = admin
  found.push(...(await auditAll(outside, 'signed out', ['/signin', '/register', '/reset-password'])))

  // A class with a cohort, and the trainee's lab, so class and lab pages
  // have something in them.
  const cohort = await apiCall(range, 'POST', '/api/v1/cohorts', admin, {
    organisation_id: org.id, name: 'Cloud defence', starts_at: '2026-01-01T09:00:00+09:00', ends_at: '2036-01-01T09:00:00+09:00',
  })
  await apiCall(range, 'POST', `/api/v1/cohorts/${cohort.id}/members`, admin, { email: 'sensei@uni.test', role: 'instructor' })
  await apiCall(range, 'POST', `/api/v1/cohorts/${cohort.id}/members`, admin, { email: 'hanako@uni.test' })
  const trainee = await apiCall(range, 'POST', '/api/v1/auth/login', null, { email: 'hanako@uni.test', password: 'long enough password' })
  const labPaths = []
  const staffLabPaths = []
  if (range.labs) {
    const lab = await apiCall(range, 'POST', '/api/v1/labs', trainee.access_token, { scenario: 'orientation' })
    for (let i = 0; i < 180; i++) {
      const now = await apiCall(range, 'GET', `/api/v1/labs/${lab.id}`, trainee.access_token)
      if (now.state === 'running') break
      assert.notEqual(now.state, 'failed', 'the lab starts')
      await new Promise((r) => setTimeout(r, 500))
    }
    labPaths.push(`/labs/${lab.id}`, `/labs/${lab.id}/recap`, `/labs/${lab.id}/replay`)
    staffLabPaths.push(`/staff/labs/${lab.id}`)
  } else if (process.env.CI) assert.fail('labs need the engine')

  const traineePage = await signIn(await chrome.browser.newContext(screen), range, 'hanako@uni.test')
  const traineeErrors = watchConsole(traineePage)
  found.push(...(await auditAll(traineePage, 'trainee', [
    '/', '/catalogue', '/scenarios/orientation', '/scenarios/metadata-heist', '/progress', '/scoreboard', '/events',
    // The trainee's own cohort's page is its managers': the trainee is told so, under a heading.
    '/cohorts', `/cohorts/${cohort.id}`, '/security', ...labPaths, '/no-such-page',
  ])))

  const instructor = await signIn(await chrome.browser.newContext(screen), range, 'sensei@uni.test')
  const instructorErrors = watchConsole(instructor)
  found.push(...(await auditAll(instructor, 'instructor', [
    '/', '/scenarios/metadata-heist', '/cohorts', `/cohorts/${cohort.id}`, `/cohorts/${cohort.id}/live`, '/staff/trainees', `/staff/trainees/${trainee.user.id}`,
    '/staff/labs', ...staffLabPaths, '/staff/suspicions', '/organisations',
  ])))

  const adminPage = await signIn(await chrome.browser.newContext(screen), range, 'admin@range.test')
  const adminErrors = watchConsole(adminPage)
  found.push(...(await auditAll(adminPage, 'admin', ['/admin', '/admin/audit', '/organisations', '/events'])))

  assert.deepEqual(found, [], `axe-core found ${found.length} violations:\n${found.join('\n')}`)
  assert.deepEqual([...errors, ...traineeErrors, ...instructorErrors, ...adminErrors], [])
})

// focusShows says whether the focused element draws a focus indicator: an
// outline or a ring of box shadow that differs from its look unfocused.
async function focusShows(page) {
  return page.evaluate(() => {
    const el = document.activeElement
    if (!el || el === document.body) return false
    const style = getComputedStyle(el)
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
    return outline || (style.boxShadow !== 'none' && style.boxShadow !== '')
  })
}

const focused = (page) => page.evaluate(() => {
  const el = document.activeElement
  const label = el?.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent?.trim() : null
  return { tag: el?.tagName.toLowerCase(), name: el?.getAttribute('aria-label') ?? label ?? el?.textContent?.trim() ?? '', testid: el?.closest('[data-testid]')?.getAttribute('data-testid') ?? '' }
})

// tabTo presses Tab until the focus is on what wanted says, checking that
// each stop on the way shows its focus; it fails after limit presses.
async function tabTo(page, wanted, limit = 60) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab')
    const now = await focused(page)
    assert.ok(await focusShows(page), `focus on ${now.tag} "${now.name}" is visible`)
    if (wanted(now)) return now
  }
  assert.fail(`Tab never reached the control (${limit} presses)`)
}

test('the trainee’s way through the range works by keyboard alone, focus always visible', { skip, timeout: 300000 }, async () => {
  if (!range) { // run on its own
    range = await startRange({ SAKIMORI_REGISTRATION: 'open' })
    chrome = await launchBrowser()
    adminToken = (await seedClass(range)).admin
  }
  if (!range.labs) {
    if (process.env.CI) assert.fail('labs need the engine')
    return
  }
  await apiCall(range, 'POST', '/api/v1/users', adminToken, { email: 'kenji@uni.test', password: 'long enough password', role: 'trainee' })
  const page = await signIn(await chrome.browser.newContext(screen), range, 'kenji@uni.test')
  const errors = watchConsole(page)

  // The skip link is the first stop on a page, shows when focused, and
  // takes the focus to the page's content.
  await page.goto(range.url + '/catalogue')
  await page.locator('main h1').first().waitFor()
  await page.keyboard.press('Tab')
  assert.equal((await focused(page)).name, 'Skip to content')
  assert.ok(await page.getByRole('link', { name: 'Skip to content' }).isVisible(), 'the skip link shows when focused')
  assert.ok(await focusShows(page))
  await page.keyboard.press('Enter')
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main')

  // The catalogue: on to the orientation's card, and its page.
  await tabTo(page, (f) => f.tag === 'a' && /Range Orientation/.test(f.name))
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { name: 'Range Orientation' }).waitFor()

  // Launch it.
  await tabTo(page, (f) => f.tag === 'button' && f.name === 'Launch lab')
  await page.keyboard.press('Enter')
  await page.getByText('Connected').waitFor({ timeout: 90000 })
  const lab = new URL(page.url()).pathname.split('/').pop()

  // The terminal has the focus; Shift+Tab leaves it for the button that
  // skips past it, and on to the objectives.
  assert.equal((await focused(page)).testid, 'terminal')
  await page.keyboard.press('Shift+Tab')
  assert.equal((await focused(page)).name, 'Skip past the terminal')
  assert.ok(await focusShows(page))
  await page.keyboard.press('Enter')
  assert.ok(await focusShows(page))
  await tabTo(page, (f) => f.tag === 'input' && /Answer for Read the flag the web host serves/.test(f.name))
  await page.keyboard.type(flagOf(lab))
  await page.keyboard.press('Enter')
  await page.getByText(/^Correct/).first().waitFor()

  // The language switch makes the page again in Japanese, the scenario's
  // words too, without a reload: the shell goes on.
  await page.getByRole('button', { name: '日本語に切り替え' }).click()
  await page.getByText('Web ホストが配信しているフラグを読み取る').waitFor()
  await page.getByText('接続済み').waitFor()
  assert.deepEqual(errors, [])
})
