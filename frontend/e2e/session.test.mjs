// Stolen Session in the browser: from the lab terminal, the implant on
// Ken's laptop lists his Chrome profile (the attack's first step); then,
// as the defender, the identity provider's System Log shows his laptop's
// session used from an address outside Acme once the intruder has
// replayed it, and that address is scored.
// Needs the workstation and runner images (sakimori images build -workstation); CI has them.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { after, test } from 'node:test'
import { launchBrowser, missing, register, setupAdmin, startRange, watchConsole } from './range.mjs'

const workstation = spawnSync('docker', ['image', 'inspect', 'sakimori-lab/workstation:latest'], { stdio: 'ignore' }).status === 0
const skip =
  missing() ??
  (workstation || process.env.SAKIMORI_TEST_WORKSTATION ? false : 'no workstation image (sakimori images build -workstation)')
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

const rows = () => document.querySelector('.xterm-rows')?.textContent ?? ''

test('Stolen Session in the browser: the laptop through the implant, the replay found in the System Log', { skip, timeout: 300000 }, async () => {
  range = await startRange({ SAKIMORI_REGISTRATION: 'open' })
  chrome = await launchBrowser()
  assert.ok(range.labs, 'labs need the engine')
  await setupAdmin(await chrome.browser.newContext(), range)
  const trainee = await chrome.browser.newContext({ viewport: { width: 1400, height: 860 }, colorScheme: 'light' })
  const tpage = await register(trainee, range, { email: 'rin@academy.test', name: 'Rin', password: 'session keeper 2026' })
  const terrors = watchConsole(tpage)

  await tpage.getByRole('link', { name: 'Stolen Session' }).click()
  await tpage.getByRole('heading', { name: 'Defence track' }).waitFor()
  await tpage.getByRole('button', { name: 'Launch lab' }).click()
  await tpage.getByText('Connected').waitFor({ timeout: 120000 })

  // The implant answers its key with a shell on the laptop.
  await tpage.locator('[data-testid=terminal]').click()
  await tpage.keyboard.type(`{ echo "$IMPLANT_KEY"; echo 'ls .config/google-chrome/Default'; } | nc -N "$LAPTOP" 4444\n`)
  await tpage.waitForFunction(() => document.querySelector('.xterm-rows')?.textContent?.includes('Bookmarks'), null, { timeout: 30000 })
  assert.match(await tpage.evaluate(rows), /Cookies/)
  // The session is in the browser's files alone: the settings the laptop
  // started from are gone, and its first process's environment has none.
  await tpage.keyboard.type('clear\n')
  await tpage.keyboard.type(`{ echo "$IMPLANT_KEY"; echo 'echo "left: $(ls /var/tmp | wc -l) env: $(grep -ac sid /proc/1/environ)"'; } | nc -N "$LAPTOP" 4444\n`)
  await tpage.waitForFunction(() => /left: \d+ env: \d+/.test(document.querySelector('.xterm-rows')?.textContent ?? ''), null, { timeout: 30000 })
  assert.match(await tpage.evaluate(rows), /left: 0 env: 0/)

  // The System Log, as the security team: the laptop's session is used
  // from outside 10.20.0.0/16 once the intruder replays it, about 45 s in.
  const query = `curl -s -H "Authorization: SSWS $OKTA_TOKEN" "$IDP/api/v1/logs?limit=1000" | jq -r '.[] | select(.eventType == "user.session.access") | .client.ipAddress' | sort -u | grep -v '^10[.]20[.]' | sed 's/^/seen: /'\n`
  let seen = ''
  for (let i = 0; i < 24 && !seen; i++) {
    await tpage.keyboard.type('clear\n')
    await tpage.keyboard.type(query)
    await tpage.waitForTimeout(5000)
    seen = (await tpage.evaluate(rows)).match(/seen: (\d+\.\d+\.\d+\.\d+)/)?.[1] ?? ''
  }
  assert.equal(seen, '203.0.113.66')

  const answer = tpage.getByLabel("Answer for Ken's laptop session was used from somewhere else too. From which address?")
  await answer.fill(seen)
  await answer.press('Enter')
  await tpage.getByText('Correct: +100 points.').waitFor()

  tpage.once('dialog', (d) => d.accept())
  await tpage.getByRole('button', { name: 'Stop lab' }).click()
  await tpage.getByRole('heading', { name: 'Welcome, Rin' }).waitFor()
  assert.deepEqual(terrors, [])
})
