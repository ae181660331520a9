// Staff second factors in real Chromium against the real server: an admin
// registers a passkey on Chromium's virtual authenticator (the DevTools
// protocol's WebAuthn domain) and sets up an authenticator app, then signs
// in again with each after the password, and with the passkey alone. Then
// the admin requires a second factor of instructors, and a new instructor
// is sent to set one up before anything else. Passkeys need a secure context and a host name as
// relying party id, so the range is browsed at http://localhost, which is
// also the public URL a range on a loopback port names itself by.
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { after, test } from 'node:test'
import { launchBrowser, missing, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
let range, chrome

after(async () => {
  await chrome?.close()
  await range?.stop()
})

// totp computes a code from RFC 6238 (HMAC-SHA-1, dynamic truncation),
// independently of the server's library.
function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const ch of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0')
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)))
  const msg = Buffer.alloc(8)
  msg.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)))
  const sum = createHmac('sha1', key).update(msg).digest()
  const off = sum[sum.length - 1] & 0x0f
  return String((sum.readUInt32BE(off) & 0x7fffffff) % 1_000_000).padStart(6, '0')
}

test('the independent TOTP generator agrees with RFC 6238', () => {
  // RFC 6238 appendix B, SHA-1 at T=59 s: 94287082, of which six digits.
  assert.equal(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59_000), '287082')
})

test('register a passkey and an authenticator app, sign in with each; a required role sets one up first', { skip }, async () => {
  range = await startRange()
  chrome = await launchBrowser()
  const url = range.url.replace('127.0.0.1', 'localhost')
  const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  const errors = watchConsole(page)

  const cdp = await context.newCDPSession(page)
  await cdp.send('WebAuthn.enable')
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  })

  await page.goto(url + '/')
  await page.waitForURL('**/setup')
  await page.getByLabel('Setup code').fill(range.setupCode)
  await page.getByLabel('Your email').fill('admin@academy.test')
  await page.getByLabel('Display name').fill('Aiko Tanaka')
  await page.getByLabel('Password').fill('frontier guard 2026')
  await page.getByRole('button', { name: 'Create administrator' }).click()
  await page.getByRole('heading', { name: 'Welcome, Aiko Tanaka' }).waitFor()

  // A passkey, made by the virtual authenticator.
  await page.getByRole('link', { name: /account security/ }).click()
  await page.getByRole('heading', { name: 'Sign-in security' }).waitFor()
  await page.getByText('Only your password protects this account.').waitFor()
  await page.getByLabel('Passkey name (optional)').fill('Test laptop')
  await page.getByRole('button', { name: 'Register a passkey' }).click()
  await page.getByText('Your passkey is registered.').waitFor()
  await page.getByText('Test laptop').waitFor()
  let { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
  assert.equal(credentials.length, 1)
  assert.equal(credentials[0].rpId, 'localhost')

  // An authenticator app: the secret and URI are shown as text.
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click()
  const secret = (await page.getByTestId('totp-secret').textContent()).trim()
  const uri = (await page.getByTestId('totp-uri').textContent()).trim()
  assert.match(uri, /^otpauth:\/\/totp\//)
  assert.ok(uri.includes('secret=' + secret))
  const confirmedAt = Date.now()
  await page.getByLabel('Code from the app').fill(totp(secret, confirmedAt))
  await page.getByRole('button', { name: 'Confirm' }).click()
  await page.getByText('Your authenticator app is set up.').waitFor()
  await page.getByText('A second factor is asked for at each sign-in.').waitFor()

  // Sign in again: the password leads to the second step; the passkey ends it.
  async function signInWithPassword() {
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL('**/signin?signed_out=1')
    await page.getByLabel('Email').fill('admin@academy.test')
    await page.getByLabel('Password').fill('frontier guard 2026')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: "Confirm it's you" }).waitFor()
  }
  await signInWithPassword()
  await page.getByRole('button', { name: 'Use a passkey' }).click()
  await page.getByRole('heading', { name: 'Welcome, Aiko Tanaka' }).waitFor()
  ;({ credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId }))
  assert.ok(credentials[0].signCount >= 1, 'the passkey signed the sign-in')

  // And with the app: the code that confirmed it is spent; a later one works.
  await signInWithPassword()
  await page.getByLabel('Code from your authenticator app').fill(totp(secret, confirmedAt))
  await page.getByRole('button', { name: 'Verify' }).click()
  await page.getByText('This code has already been used').waitFor()
  await page.getByLabel('Code from your authenticator app').fill(totp(secret, confirmedAt + 30_000))
  await page.getByRole('button', { name: 'Verify' }).click()
  await page.getByRole('heading', { name: 'Welcome, Aiko Tanaka' }).waitFor()

  // A passkey alone signs in too: it is both factors (user verification).
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.waitForURL('**/signin?signed_out=1')
  await page.getByRole('button', { name: 'Use a passkey instead' }).click()
  await page.getByRole('heading', { name: 'Welcome, Aiko Tanaka' }).waitFor()
  ;({ credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId }))
  assert.ok(credentials[0].signCount >= 2, 'the passkey signed the second sign-in')

  // The admin requires a second factor of instructors and invites one.
  await page.getByRole('link', { name: /account security/ }).click()
  await page.getByRole('heading', { name: 'Second factor by role' }).waitFor()
  await page.getByRole('checkbox', { name: 'instructor' }).check()
  await page.getByRole('button', { name: 'Save policy' }).click()
  await page.getByText('Saved.').waitFor()
  await page.getByRole('link', { name: 'My labs' }).click()
  await page.getByRole('region', { name: 'Invite someone' }).locator('select').first().selectOption('instructor')
  await page.getByRole('button', { name: 'Make invite' }).click()
  const inviteLink = (await page.locator('.invite-link').textContent()).trim()
  assert.deepEqual(errors, [])
  await context.close()

  // The instructor registers, and is sent to set up a second factor before
  // anything else; then signs in with it.
  const staff = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } })
  const spage = await staff.newPage()
  const serrors = watchConsole(spage)
  await spage.goto(inviteLink)
  await spage.getByLabel('Email').fill('ines@academy.test')
  await spage.getByLabel('Display name').fill('Ines Sato')
  await spage.getByLabel('Password').fill('lecturer of defence')
  await spage.getByRole('button', { name: 'Create account' }).click()
  await spage.getByText('Your role requires a second factor: sign in to set one up.').waitFor()
  await spage.getByLabel('Email').fill('ines@academy.test')
  await spage.getByLabel('Password').fill('lecturer of defence')
  await spage.getByRole('button', { name: 'Sign in' }).click()
  await spage.getByRole('heading', { name: 'Set up a second factor' }).waitFor()
  await spage.getByRole('button', { name: 'Set up an authenticator app' }).click()
  const staffSecret = (await spage.getByTestId('totp-secret').textContent()).trim()
  const staffConfirmedAt = Date.now()
  await spage.getByLabel('Code from the app').fill(totp(staffSecret, staffConfirmedAt))
  await spage.getByRole('button', { name: 'Confirm' }).click()
  await spage.getByRole('button', { name: 'Sign in again' }).click()
  await spage.getByLabel('Email').fill('ines@academy.test')
  await spage.getByLabel('Password').fill('lecturer of defence')
  await spage.getByRole('button', { name: 'Sign in' }).click()
  await spage.getByLabel('Code from your authenticator app').fill(totp(staffSecret, staffConfirmedAt + 30_000))
  await spage.getByRole('button', { name: 'Verify' }).click()
  await spage.getByRole('heading', { name: 'Welcome, Ines Sato' }).waitFor()
  assert.deepEqual(serrors, [])
  await staff.close()
})
