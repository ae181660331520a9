// A scenario's instructor notes, as staff read them and trainees never
// do: an instructor reading in Japanese opens Metadata Heist's page, asks
// for the notes and reads them in Japanese; a trainee's page of the same
// scenario has no notes and no way to ask for them.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { launchBrowser, missing, seedClass, signIn, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

test('instructor notes: in the reader’s language, for staff only', { skip }, async () => {
  range = await startRange()
  chrome = await launchBrowser()
  await seedClass(range)

  const sensei = await signIn(await chrome.browser.newContext(), range, 'sensei@uni.test')
  const errors = watchConsole(sensei)
  await sensei.getByRole('button', { name: '日本語に切り替え' }).click()
  await sensei.goto(range.url + '/scenarios/metadata-heist')
  await sensei.getByRole('heading', { name: '講師用ノート', level: 2 }).waitFor()
  await sensei.getByRole('button', { name: 'ノートを表示' }).click()
  const notes = sensei.getByTestId('notes')
  await notes.getByRole('heading', { level: 1 }).waitFor()
  assert.match(await notes.getByRole('heading', { level: 1 }).innerText(), /メタデータ強奪 — 講師用ノート/)
  assert.equal(await notes.getAttribute('lang'), 'ja')
  assert.deepEqual(errors, [])

  const hanako = await signIn(await chrome.browser.newContext(), range, 'hanako@uni.test')
  await hanako.goto(range.url + '/scenarios/metadata-heist')
  await hanako.getByRole('heading', { name: 'Metadata Heist', level: 1 }).waitFor()
  assert.equal(await hanako.getByRole('heading', { name: 'Instructor notes' }).count(), 0)
  assert.equal(await hanako.getByRole('button', { name: 'Show the notes' }).count(), 0)
})
