// Signing in through an institution in real Chromium against the real
// server: an independent OpenID provider (oidc-provider, test/oidc-peer)
// signs people in; a new person lands in the organisation as a trainee,
// one in the peer's instructors group as an instructor, and one of a
// domain the organisation does not allow is told so on the sign-in page.
// The range is browsed at http://localhost, the public URL it names
// itself by, so the provider sends people back to the same site.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { apiCall, launchBrowser, missing, startPeer, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
let range, chrome, peer, issuer, admin, org, provider, site

before(async () => {
  if (skip) return
  range = await startRange()
  site = range.url.replace('127.0.0.1', 'localhost')
  peer = await startPeer('oidc-peer', { PEER_REDIRECT_URI: site + '/api/v1/auth/sso/oidc/callback', PEER_CLIENT_SECRET: 'browser-test-secret' })
  issuer = peer.url
  admin = (await apiCall(range, 'POST', '/api/v1/setup', null, {
    setup_code: range.setupCode, email: 'admin@range.test', password: 'long enough password',
  })).access_token
  org = await apiCall(range, 'POST', '/api/v1/organisations', admin, { name: 'Example University', slug: 'example-u', kind: 'university' })
  provider = await apiCall(range, 'POST', `/api/v1/organisations/${org.id}/sso/providers`, admin, {
    name: 'Example University', protocol: 'oidc', enabled: true, issuer, client_id: 'sakimori', client_secret: 'browser-test-secret',
    allowed_domains: ['uni.example.ac.jp'], role_claim: 'groups', instructor_values: ['instructors'],
  })
  chrome = await launchBrowser()
})

after(async () => {
  await chrome?.close()
  peer?.proc.kill()
  await range?.stop()
})

// signInAtPeer signs login in at the peer from the range's sign-in page,
// in a browser of their own, and returns the page they land on.
async function signInAtPeer(login) {
  const context = await chrome.browser.newContext()
  const page = await context.newPage()
  const errors = watchConsole(page)
  await page.goto(site + '/signin')
  await page.getByRole('button', { name: 'Sign in with Example University' }).click()
  await page.getByLabel('User').fill(login)
  await page.getByRole('button', { name: 'Sign in' }).click()
  return { page, errors }
}

async function orgRole(email) {
  const { members } = await apiCall(range, 'GET', `/api/v1/organisations/${org.id}/members`, admin)
  return members.find((m) => m.person.email === email)?.role
}

test('a new person signs in at their institution and lands in the organisation as a trainee', { skip }, async () => {
  const { page, errors } = await signInAtPeer('alice')
  await page.getByRole('heading', { name: 'Welcome, Alice Trainee' }).waitFor()
  const me = await page.evaluate(async () => {
    const r = await fetch('/api/v1/auth/refresh', { method: 'POST' })
    return (await r.json()).user
  })
  assert.equal(me.role, 'trainee')
  assert.equal(await orgRole('alice@uni.example.ac.jp'), 'member')
  assert.deepEqual(errors, [])
})

test('the instructors group makes an instructor of the organisation', { skip }, async () => {
  const { page, errors } = await signInAtPeer('bob')
  await page.getByRole('heading', { name: 'Welcome, Bob Instructor' }).waitFor()
  const me = await page.evaluate(async () => (await (await fetch('/api/v1/auth/refresh', { method: 'POST' })).json()).user)
  assert.equal(me.role, 'instructor')
  assert.equal(await orgRole('bob@uni.example.ac.jp'), 'instructor')
  assert.deepEqual(errors, [])
})

test('a person of another domain is told so in plain words, and no account is made', { skip }, async () => {
  const { page } = await signInAtPeer('eve')
  await page.getByText('Your email address is not of a domain this organisation allows.').waitFor()
  assert.match(page.url(), /\/signin\?sso_error=sso_email_domain$/)
  const { users } = await apiCall(range, 'GET', '/api/v1/users?q=eve', admin)
  assert.equal(users.length, 0)
  const settings = await apiCall(range, 'GET', `/api/v1/organisations/${org.id}/sso`, admin)
  assert.equal(settings.failures[0].code, 'sso_email_domain')
  assert.equal(settings.providers[0].id, provider.id)
})
