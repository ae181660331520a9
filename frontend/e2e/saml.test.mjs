// Signing in through a university over SAML 2.0 in real Chromium against
// the real server: an independent identity provider built on samlify
// (test/saml-peer) reads the range's SP metadata and answers with signed
// GakuNin-style eduPerson attributes. A person finds their university on
// the sign-in page's discovery list, signs in at the peer, and lands in
// the organisation as a trainee; faculty land as instructors through the
// organisation's role mapping (eduPersonAffiliation = faculty).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { apiCall, launchBrowser, missing, startPeer, startRange, watchConsole } from './range.mjs'

const skip = missing() ?? false
let range, chrome, peer, idp, admin, org, site

before(async () => {
  if (skip) return
  range = await startRange()
  site = range.url.replace('127.0.0.1', 'localhost')
  peer = await startPeer('saml-peer', { PEER_SP_METADATA_URL: site + '/api/v1/auth/sso/saml/metadata' })
  idp = peer.url
  const metadata = await (await fetch(idp + '/metadata')).text()
  admin = (await apiCall(range, 'POST', '/api/v1/setup', null, {
    setup_code: range.setupCode, email: 'admin@range.test', password: 'long enough password',
  })).access_token
  // Enough universities that the sign-in page offers its filter: the
  // discovery list a GakuNin member's people pick their own from.
  for (const n of ['Hokuto', 'Minami', 'Nishi', 'Higashi']) {
    const o = await apiCall(range, 'POST', '/api/v1/organisations', admin, { name: `${n} University`, slug: n.toLowerCase(), kind: 'university' })
    await apiCall(range, 'POST', `/api/v1/organisations/${o.id}/sso/providers`, admin, {
      name: `${n} University`, protocol: 'saml', enabled: true, issuer: `https://idp.${n.toLowerCase()}.example/idp/shibboleth`,
      metadata: `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.${n.toLowerCase()}.example/idp/shibboleth"/>`,
    })
  }
  org = await apiCall(range, 'POST', '/api/v1/organisations', admin, { name: 'Sakura University', slug: 'sakura-u', kind: 'university' })
  await apiCall(range, 'POST', `/api/v1/organisations/${org.id}/sso/providers`, admin, {
    name: 'Sakura University (GakuNin)', protocol: 'saml', enabled: true, issuer: idp + '/metadata', metadata,
    allowed_domains: ['uni.example.ac.jp'], role_claim: 'eduPersonAffiliation', instructor_values: ['faculty'],
  })
  chrome = await launchBrowser()
})

after(async () => {
  await chrome?.close()
  peer?.proc.kill()
  await range?.stop()
})

// signInAtPeer finds the university on the sign-in page, signs login in
// at the peer in a browser of their own, and returns the page landed on.
async function signInAtPeer(login) {
  const context = await chrome.browser.newContext()
  const page = await context.newPage()
  const errors = watchConsole(page)
  await page.goto(site + '/signin')
  await page.getByLabel('Find your institution').fill('sakura')
  assert.equal(await page.getByRole('button', { name: /^Sign in with .* University/ }).count(), 1)
  await page.getByRole('button', { name: 'Sign in with Sakura University (GakuNin)' }).click()
  await page.getByLabel('User').fill(login)
  await page.getByRole('button', { name: 'Sign in' }).click()
  return { page, errors }
}

async function orgRole(email) {
  const { members } = await apiCall(range, 'GET', `/api/v1/organisations/${org.id}/members`, admin)
  return members.find((m) => m.person.email === email)?.role
}

const me = (page) => page.evaluate(async () => (await (await fetch('/api/v1/auth/refresh', { method: 'POST' })).json()).user)

test('a student finds their university, signs in at its IdP and lands in the organisation as a trainee', { skip }, async () => {
  const { page, errors } = await signInAtPeer('hanako')
  await page.getByRole('heading', { name: 'Welcome, 山田 花子' }).waitFor()
  assert.equal((await me(page)).role, 'trainee')
  assert.equal(await orgRole('hanako@uni.example.ac.jp'), 'member')
  assert.deepEqual(errors, [])
})

test('faculty become instructors of the organisation through its role mapping', { skip }, async () => {
  const { page, errors } = await signInAtPeer('taro')
  await page.getByRole('heading', { name: 'Welcome, 鈴木 太郎' }).waitFor()
  assert.equal((await me(page)).role, 'instructor')
  assert.equal(await orgRole('taro@uni.example.ac.jp'), 'instructor')
  assert.deepEqual(errors, [])
})
