// Competency catalogues in the browser: the admin opens the frameworks page
// from the admin page, imports JNSA's SecBoK workbook and an ATT&CK STIX
// bundle larger than every other route's body limit, sees both listed, and
// a workbook that is not one is refused with its reason while what was
// imported stays as it was.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { launchBrowser, missing, setupAdmin, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

// bundle is an ATT&CK Enterprise STIX bundle of n techniques, each with a
// description long enough that the whole passes the 1 MiB body limit.
function bundle(n) {
  const objects = [{ type: 'x-mitre-collection', id: 'x-mitre-collection--1', name: 'Enterprise ATT&CK', x_mitre_version: '18.1' }]
  for (let i = 0; i < n; i++) {
    const id = `T${9000 + i}`
    objects.push({
      type: 'attack-pattern', id: `attack-pattern--${i}`, name: `Technique ${id}`, description: 'x'.repeat(1000),
      external_references: [{ source_name: 'mitre-attack', external_id: id }],
      kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'discovery' }],
    })
  }
  return Buffer.from(JSON.stringify({ type: 'bundle', id: 'bundle--e2e', objects }))
}

test('the admin imports SecBoK and a full ATT&CK bundle in the browser', { skip }, async () => {
  range = await startRange()
  chrome = await launchBrowser()
  const context = await chrome.browser.newContext({ viewport: { width: 1400, height: 900 } })
  await setupAdmin(context, range) // and stays signed in, in this context
  const page = await context.newPage()
  const errors = watchConsole(page)
  await page.goto(range.url + '/')

  await page.getByRole('link', { name: 'Admin' }).click()
  await page.getByRole('link', { name: 'Competency frameworks' }).click()
  await page.getByRole('heading', { name: 'Competency frameworks', level: 1 }).waitFor()
  await page.getByText('Nothing imported yet').waitFor()

  await page.locator('#secbok-file').setInputFiles(join(import.meta.dirname, 'fixtures/secbok-sample.xlsx'))
  await page.getByLabel('SecBoK version').fill('2025')
  await page.locator('form', { has: page.locator('#secbok-file') }).getByRole('button', { name: 'Import' }).click()
  await page.getByTestId('framework-done').getByText('2025: 3 items').waitFor()

  const big = bundle(2500)
  assert.ok(big.length > 2 << 20, `the bundle is ${big.length} bytes, meant to pass the 1 MiB body limit`)
  await page.locator('#attack-file').setInputFiles({ name: 'enterprise-attack.json', mimeType: 'application/json', buffer: big })
  await page.locator('form', { has: page.locator('#attack-file') }).getByRole('button', { name: 'Import' }).click()
  await page.getByTestId('framework-done').getByText('2500 items').waitFor()

  const table = page.getByTestId('frameworks')
  const rows = async () => (await table.locator('tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim())
  const before = await rows()
  assert.equal(before.length, 2, before.join('\n'))
  assert.ok(before.some((r) => /SecBoK.* 2025 3 /.test(r)), before.join('\n'))
  assert.ok(before.some((r) => /ATT&CK.* 18\.1 2500 /.test(r)), before.join('\n'))

  // Not a workbook: refused, said why, and nothing changes.
  await page.locator('#secbok-file').setInputFiles({ name: 'secbok.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from('ID,知識項目\nK-1,x\n') })
  await page.locator('form', { has: page.locator('#secbok-file') }).getByRole('button', { name: 'Import' }).click()
  await page.getByRole('alert').filter({ hasText: /not imported|nothing was imported|workbook/i }).waitFor()
  assert.deepEqual(await rows(), before)

  assert.deepEqual(errors, [])
})
