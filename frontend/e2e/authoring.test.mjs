// Authored scenarios in the browser: an instructor of an organisation
// uploads a scenario bundle made with `sakimori scenario export`, then a
// changed one, compares the two versions, downloads one byte for byte and
// shares the scenario; a broken bundle is refused with its reason and
// nothing new is listed.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { binary, launchBrowser, missing, seedClass, signIn, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
let range, chrome, work

after(async () => {
  await chrome?.close()
  await range?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

function cli(...args) {
  const r = spawnSync(binary, ['scenario', ...args], { encoding: 'utf8' })
  assert.equal(r.status, 0, `sakimori scenario ${args.join(' ')}: ${r.stderr}`)
}

// bundles are the orientation scenario as the range ships it, and as an
// author changed it: exported, imported to a folder, edited, exported.
function bundles() {
  work = mkdtempSync(join(tmpdir(), 'sakimori-authoring-'))
  const v1 = join(work, 'orientation.tar.gz')
  cli('export', '-o', v1, 'orientation')
  cli('import', '-dir', join(work, 'src'), v1)
  const manifest = join(work, 'src', 'orientation', 'scenario.yaml')
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('summary: Find your way', 'summary: Learn your way'))
  const v2 = join(work, 'orientation-v2.tar.gz')
  cli('export', '-o', v2, join(work, 'src', 'orientation'))
  const broken = join(work, 'broken.tar.gz')
  writeFileSync(broken, 'scenario.yaml')
  return { v1, v2, broken }
}

test('an instructor keeps, compares, downloads and shares a scenario in the browser', { skip }, async () => {
  range = await startRange()
  chrome = await launchBrowser()
  await seedClass(range)
  const { v1, v2, broken } = bundles()

  const page = await signIn(await chrome.browser.newContext({ acceptDownloads: true }), range, 'sensei@uni.test')
  const errors = watchConsole(page)
  await page.getByRole('link', { name: 'Organisations' }).click()
  await page.getByRole('button', { name: 'Academy' }).click()
  const panel = page.locator('section', { has: page.getByRole('heading', { name: 'Scenarios written at Academy' }) })
  await panel.getByText('No scenarios yet.').waitFor()

  const upload = async (file) => {
    await panel.getByLabel('Scenario bundle').setInputFiles(file)
    await panel.getByRole('button', { name: 'Upload' }).click()
  }
  await upload(v1)
  await panel.getByTestId('authoring-done').getByText('Kept as a draft').waitFor()
  await upload(v2)
  await panel.getByRole('heading', { name: 'Versions of orientation' }).waitFor()
  await panel.getByTestId('scenario-versions').locator('tbody tr').nth(1).waitFor()
  assert.equal(await panel.getByTestId('scenario-versions').locator('tbody tr').count(), 2)

  await panel.getByRole('button', { name: 'Compare with the one before' }).click()
  assert.match(await panel.getByTestId('diff').innerText(), /\+summary: Learn your way/)

  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Download' }).last().click()])
  const saved = join(work, 'downloaded.tar.gz')
  await download.saveAs(saved)
  assert.deepEqual(readFileSync(saved), readFileSync(v1), 'the oldest version downloads byte for byte')

  await upload(broken)
  await panel.getByRole('alert').getByText(/The bundle is refused/).waitFor()
  assert.equal(await panel.getByTestId('authored-scenarios').locator('li').count(), 1)

  await panel.getByRole('button', { name: 'Share with the range' }).click()
  await panel.getByTestId('authored-scenarios').getByText('shared with the range').waitFor()
  assert.deepEqual(errors, [])
})
