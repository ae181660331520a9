// Japanese in the lab terminal takes two cells a character, as the shell
// counts it, so a listing with a Japanese file name lines up. Emoji are
// wide from Unicode 9 on: they show that xterm.js measures with Unicode 11,
// not its older default table.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { launchBrowser, missing, seedClass, signIn, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

// columnsOf finds the rows of the terminal that end in "|" and says how far
// from the row's left edge each "|" is drawn, in pixels.
function columnsOf(page) {
  return page.evaluate(() => {
    const rows = [...document.querySelectorAll('[data-testid=terminal] .xterm-rows > div')]
    const found = {}
    for (const row of rows) {
      const text = row.textContent.replace(/\s+$/, '')
      if (!/^\S+\|$/.test(text) || text.startsWith('printf')) continue
      const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT)
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.textContent.indexOf('|')
        if (at < 0) continue
        const range = document.createRange()
        range.setStart(node, at)
        range.setEnd(node, at + 1)
        found[text] = (range.getBoundingClientRect().left - row.getBoundingClientRect().left)
      }
    }
    return found
  })
}

test('Japanese and emoji take two cells in the lab terminal', { skip, timeout: 180000 }, async () => {
  range = await startRange()
  chrome = await launchBrowser()
  if (!range.labs) {
    if (process.env.CI) assert.fail('labs need the engine')
    return
  }
  await seedClass(range)
  const page = await signIn(await chrome.browser.newContext({ viewport: { width: 1400, height: 900 } }), range, 'hanako@uni.test')
  const errors = watchConsole(page)
  await page.goto(range.url + '/scenarios/orientation')
  await page.getByRole('button', { name: 'Launch lab' }).click()
  await page.getByText('Connected').waitFor({ timeout: 90000 })
  // The shell opens on a greeting naming its variables ($WEB_HOST among
  // them, in either language): typed before it is written, the rows below
  // could scroll out of sight under it.
  await page.waitForFunction(() => document.querySelector('[data-testid=terminal] .xterm-rows')?.textContent.includes('WEB_HOST'), null, { timeout: 60000 })
  await page.locator('[data-testid=terminal]').click()
  await page.keyboard.type('clear\n')
  // The wide characters are written by the shell from their UTF-8 bytes,
  // not typed: the test is of how the terminal draws them. The line is
  // typed again until the shell shows all of it, because BusyBox's shell
  // asks the terminal where its cursor is at each prompt and drops keys
  // that come just after the answer, which a browser's typing can do.
  const line = String.raw`printf '\346\227\245\346\234\254\350\252\236|\nabcdef|\n\360\237\224\245\360\237\224\245|\nabcd|\n'`
  for (let tries = 0; ; tries++) {
    await page.keyboard.type(line)
    const shown = await page.waitForFunction((line) => [...document.querySelectorAll('[data-testid=terminal] .xterm-rows > div')]
      .some((row) => row.textContent.replace(/\s+$/, '').endsWith('$ ' + line)), line, { timeout: 3000 }).then(() => true, () => false)
    if (shown) break
    assert.ok(tries < 5, 'the shell never showed the whole line typed')
    await page.keyboard.press('Control+U')
  }
  await page.keyboard.press('Enter')
  // The command line itself holds "abcd|": wait for the row printf wrote.
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=terminal] .xterm-rows > div')]
    .some((row) => row.textContent.replace(/\s+$/, '') === 'abcd|'))

  const at = await columnsOf(page)
  assert.ok('日本語|' in at && 'abcdef|' in at, `rows found: ${JSON.stringify(at)}`)
  assert.ok(Math.abs(at['日本語|'] - at['abcdef|']) < 1, `three kanji take six cells: ${JSON.stringify(at)}`)
  assert.ok(Math.abs(at['🔥🔥|'] - at['abcd|']) < 1, `two emoji take four cells: ${JSON.stringify(at)}`)
  assert.deepEqual(errors, [])
})
