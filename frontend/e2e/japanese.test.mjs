// The range as a Japanese student meets it: registered under a name in
// kanji, switched to Japanese from the header (and still Japanese after a
// reload), Metadata Heist launched, an answer typed in full-width through
// an IME accepted, and the progress page read in Japanese.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { launchBrowser, missing, startRange, watchConsole } from './range.mjs'

const workstation = spawnSync('docker', ['image', 'inspect', 'sakimori-lab/workstation:latest'], { stdio: 'ignore' }).status === 0
const skip =
  missing() ??
  (workstation || process.env.SAKIMORI_TEST_WORKSTATION ? false : 'no workstation image (sakimori images build -workstation)')
const shots = process.env.SAKIMORI_SCREENSHOTS
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

test('in Japanese: a kanji name, the switch, a full-width answer, the progress page', { skip }, async () => {
  range = await startRange({ SAKIMORI_REGISTRATION: 'open' })
  chrome = await launchBrowser()
  assert.ok(range.labs, 'labs need the engine')
  const ctx = await chrome.browser.newContext({ viewport: { width: 1400, height: 860 }, colorScheme: 'light' })
  const page = await ctx.newPage()
  const errors = watchConsole(page)

  // An admin first (the range is fresh).
  await page.goto(range.url + '/setup')
  await page.getByLabel('Setup code').fill(range.setupCode)
  await page.getByLabel('Your email').fill('admin@academy.test')
  await page.getByLabel('Display name').fill('Aiko Tanaka')
  await page.getByLabel('Password').fill('frontier guard 2026')
  await page.getByRole('button', { name: 'Create administrator' }).click()
  await page.getByRole('heading', { name: 'Welcome, Aiko Tanaka' }).waitFor()
  assert.deepEqual(errors, [])
  await ctx.close() // the admin's part is done

  // A student registers under a name in kanji.
  const student = await chrome.browser.newContext({ viewport: { width: 1400, height: 860 }, colorScheme: 'light' })
  const spage = await student.newPage()
  const serrors = watchConsole(spage)
  await spage.goto(range.url + '/register')
  await spage.getByLabel('Email').fill('hanako@academy.test')
  await spage.getByLabel('Display name').fill('山田 花子')
  await spage.getByLabel('Password').fill('cloud defender 2026')
  await spage.getByRole('button', { name: 'Create account' }).click()
  await spage.getByRole('heading', { name: 'Welcome, 山田 花子' }).waitFor()

  // Japanese from the header; the choice outlives a reload.
  await spage.getByRole('button', { name: '日本語に切り替え' }).click()
  await spage.getByRole('heading', { name: 'ようこそ、山田 花子 さん' }).waitFor()
  assert.equal(await spage.locator('html').getAttribute('lang'), 'ja')
  await spage.reload()
  await spage.getByRole('heading', { name: 'ようこそ、山田 花子 さん' }).waitFor()
  await spage.getByRole('link', { name: 'マイラボ' }).waitFor()
  if (shots) (mkdirSync(shots, { recursive: true }), await spage.screenshot({ path: join(shots, 'ja-home.png') }))

  // Metadata Heist, answered as an IME in full-width mode types it.
  await spage.goto(range.url + '/scenarios/metadata-heist')
  await spage.getByRole('heading', { name: '防御トラック' }).waitFor()
  if (shots) await spage.screenshot({ path: join(shots, 'ja-scenario-heist.png') })
  await spage.getByRole('button', { name: 'ラボを起動' }).click()
  const answer = spage.getByLabel('Web アプリのインスタンスはどの IAM ロールで動いていますか？ への回答')
  await answer.waitFor({ timeout: 90000 })
  await answer.fill('ｗｅｂ－ａｐｐ－ｒｏｌｅ')
  await spage.getByRole('button', { name: '送信' }).first().click()
  await spage.getByText('正解です。+100 ポイント獲得しました。').waitFor()
  if (shots) await spage.screenshot({ path: join(shots, 'ja-lab-heist.png') })
  spage.once('dialog', (d) => d.accept())
  await spage.getByRole('button', { name: 'ラボを停止' }).click()
  await spage.getByRole('heading', { name: 'ようこそ、山田 花子 さん' }).waitFor()

  // The progress page, in Japanese.
  await spage.getByRole('link', { name: '進捗' }).click()
  await spage.getByRole('heading', { name: '学習の進捗' }).waitFor()
  const stats = spage.getByTestId('progress-stats')
  await stats.getByText('ポイント').waitFor()
  assert.match(await stats.innerText(), /100\s*ポイント/)
  await spage.getByRole('columnheader', { name: '最終学習日' }).waitFor()
  if (shots) await spage.screenshot({ path: join(shots, 'ja-progress.png') })

  // The time zone is the account's to choose; the language stays Japanese.
  await spage.getByRole('link', { name: '山田 花子: アカウントのセキュリティ' }).click()
  await spage.getByRole('heading', { name: '言語とタイムゾーン' }).waitFor()
  await spage.getByRole('combobox', { name: 'タイムゾーン' }).fill('Europe/London')
  await spage.getByRole('button', { name: '保存', exact: true }).click()
  await spage.getByText('保存しました。').waitFor()
  await spage.getByRole('combobox', { name: 'タイムゾーン' }).fill('Mars/Olympus')
  await spage.getByRole('button', { name: '保存', exact: true }).click()
  await spage.getByText('タイムゾーンは IANA の名前で指定してください（例: Asia/Tokyo）。').waitFor() // the server's refusal, in Japanese

  assert.deepEqual(serrors, [])
})
