// Lab images in the browser: the admin opens the lab images page from the
// admin page, adds an image from an archive the engine saved (scanned,
// then loaded), sees it listed, and an archive under the name of one of
// the range's own images is refused with its reason. Authors are then
// offered the new image.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { apiCall, launchBrowser, missing, setupAdmin, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
const name = `sakimori-lab/e2e-image-${Date.now()}:1`
const dir = mkdtempSync(join(tmpdir(), 'sakimori-images-'))
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
  try {
    execFileSync('docker', ['rmi', '-f', name], { stdio: 'ignore' })
  } catch {
    // never added, or already gone
  }
  rmSync(dir, { recursive: true, force: true })
})

test('the admin adds a lab image from an archive in the browser', { skip, timeout: 300000 }, async () => {
  range = await startRange()
  assert.ok(range.labs, 'adding an image needs the engine')
  // Archives as an admin would bring them: docker save of a named image.
  execFileSync('docker', ['tag', 'sakimori-lab/base:latest', name])
  execFileSync('docker', ['save', '-o', join(dir, 'image.tar'), name])
  execFileSync('docker', ['rmi', name])
  execFileSync('docker', ['save', '-o', join(dir, 'ours.tar'), 'sakimori-lab/base:latest'])

  chrome = await launchBrowser()
  const context = await chrome.browser.newContext({ viewport: { width: 1400, height: 900 } })
  await setupAdmin(context, range)
  const page = await context.newPage()
  const errors = watchConsole(page)
  await page.goto(range.url + '/')
  await page.getByRole('link', { name: 'Admin' }).click()
  await page.getByRole('link', { name: 'Lab images' }).click()
  await page.getByRole('heading', { name: 'Lab images', level: 1 }).waitFor()
  await page.getByTestId('images').getByText('sakimori-lab/workstation:latest').waitFor()

  await page.locator('#image-file').setInputFiles(join(dir, 'image.tar'))
  await page.getByRole('button', { name: 'Scan and add' }).click()
  await page.getByTestId('image-done').getByText(`Added ${name}; it runs as 1000:1000.`).waitFor({ timeout: 120000 })
  await page.getByTestId('added-images').getByText(name).waitFor()
  assert.ok(execFileSync('docker', ['image', 'inspect', name]).length > 0, 'the image is on the engine')

  await page.locator('#image-file').setInputFiles(join(dir, 'ours.tar'))
  await page.getByRole('button', { name: 'Scan and add' }).click()
  await page.getByRole('alert').getByText(/one of the images the range builds itself/).waitFor()
  assert.equal(await page.getByTestId('added-images').locator('tbody tr').count(), 1, 'the refused archive added nothing')

  const admin = await apiCall(range, 'POST', '/api/v1/auth/login', null, { email: 'admin@academy.test', password: 'frontier guard 2026' })
  const offered = await apiCall(range, 'GET', '/api/v1/scenario-templates', admin.access_token)
  assert.ok(offered.images.includes(name), `authors are offered ${name}: ${offered.images}`)
  assert.deepEqual(errors, [])
})
