// An instructor runs a class in real Chromium against the real server: the
// range admin (through the API) makes an organisation and names its
// instructor; the instructor makes a cohort in the browser, imports a
// roster whose wrong rows are listed by line, then a corrected one that
// adds one account and invites one new person; a trainee joins by the
// cohort's link and sees it among their cohorts.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { apiCall, launchBrowser, missing, signIn as signInAs, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

const call = (method, path, token, body) => apiCall(range, method, path, token, body)
const signIn = (context, email) => signInAs(context, range, email)

test('an instructor makes a cohort, imports a roster, a trainee joins by link', { skip }, async () => {
  range = await startRange()
  chrome = await launchBrowser()
  const admin = (await call('POST', '/api/v1/setup', null, {
    setup_code: range.setupCode, email: 'admin@range.test', password: 'long enough password',
  })).access_token
  for (const [email, role] of [['sensei@uni.test', 'instructor'], ['hanako@uni.test', 'trainee'], ['taro@uni.test', 'trainee']]) {
    await call('POST', '/api/v1/users', admin, { email, password: 'long enough password', role })
  }
  const org = await call('POST', '/api/v1/organisations', admin, { name: '東京工業大学', slug: 'tokyo-tech', kind: 'university' })
  await call('POST', `/api/v1/organisations/${org.id}/members`, admin, { email: 'sensei@uni.test', role: 'instructor' })

  const teacher = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await signIn(teacher, 'sensei@uni.test')
  const errors = watchConsole(page)
  await page.getByRole('link', { name: 'Cohorts' }).click()
  await page.getByText('No cohorts to run.').waitFor() // the empty state
  await page.getByLabel('Name').fill('クラウド演習 2026')
  await page.getByLabel('Starts').fill('2026-04-01T09:00')
  await page.getByLabel('Ends').fill('2026-03-01T09:00')
  await page.getByRole('button', { name: 'Make cohort' }).click()
  await page.getByText('A cohort must end after it starts.').waitFor() // beside its field
  await page.getByLabel('Ends').fill('2026-07-31T18:00')
  await page.getByRole('button', { name: 'Make cohort' }).click()
  await page.getByRole('heading', { name: 'クラウド演習 2026' }).waitFor()
  await page.getByRole('cell', { name: 'sensei@uni.test' }).waitFor() // who made it teaches it

  const upload = async (name, text) => {
    await page.getByLabel('Roster file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') })
    await page.getByRole('button', { name: 'Import' }).click()
  }
  await upload('bad.csv', '\uFEFFsourcedId,givenName,familyName,email,role\n' +
    's1,花子,山田,hanako@uni.test,student\ns2,花子,山田,HANAKO@uni.test,student\ns3,X,Y,not-an-email,student\n')
  const faults = page.getByRole('table', { name: 'Rows at fault' })
  await faults.waitFor()
  assert.match(await faults.innerText(), /3\s+email\s+This email is also on line 2/)
  assert.match(await faults.innerText(), /4\s+email/)

  await upload('roster.csv', '\uFEFFsourcedId,givenName,familyName,email,role\n' +
    's1,花子,山田,hanako@uni.test,student\ns4,さくら,高橋,sakura@uni.test,student\n')
  await page.getByText('1 added, 1 invited, 0 already in or invited.').waitFor()
  assert.match(await page.getByRole('table', { name: 'Invites' }).innerText(), /sakura@uni\.test\s+http.*\/register\?invite=/)
  await page.getByRole('cell', { name: 'hanako@uni.test' }).waitFor()
  await page.getByRole('cell', { name: 'not registered yet' }).waitFor()

  const joinLink = await page.locator('code.invite-link').first().innerText()
  assert.match(joinLink, /\/cohorts\?code=[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/)
  assert.deepEqual(errors, [])

  const trainee = await chrome.browser.newContext()
  const taro = await signIn(trainee, 'taro@uni.test')
  await taro.goto(joinLink)
  await taro.getByText('You are in no cohort yet.').waitFor()
  await taro.getByRole('button', { name: 'Join' }).click()
  await taro.getByText('You are in クラウド演習 2026.').waitFor()
  await taro.getByRole('region', { name: 'Your cohorts' }).getByText('クラウド演習 2026').waitFor()
})
