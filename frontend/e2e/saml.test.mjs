// Signing in through a university over SAML 2.0 in real Chromium against
// the real server: an independent identity provider built on samlify
// (test/saml-peer) reads the range's SP metadata and answers with signed
// GakuNin-style eduPerson attributes. A person finds their university on
// the sign-in page's discovery list, signs in at the peer, and lands in
// the organisation as a trainee; faculty land as instructors through the
// organisation's role mapping (eduPersonAffiliation = faculty).
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { apiCall, launchBrowser, missing, startRange, watchConsole } from './range.mjs'

const peerDir = join(import.meta.dirname, '../../test/saml-peer')
const skip = missing() ?? false
let range, chrome, peer, idp, admin, org, site

async function startPeer(spMetadataURL) {
  if (!existsSync(join(peerDir, 'node_modules'))) {
    const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: peerDir, encoding: 'utf8' })
    if (ci.status !== 0) throw new Error('npm ci in test/saml-peer: ' + ci.stderr)
  }
  peer = spawn(process.execPath, ['peer.mjs'], {
    cwd: peerDir,
    env: { ...process.env, PEER_SP_METADATA_URL: spMetadataURL },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error('the SAML peer did not start: ' + out)), 30000)
    peer.stdout.on('data', (chunk) => {
      out += chunk
      const m = /listening (\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    peer.on('exit', (c) => reject(new Error(`the SAML peer exited with ${c}: ${out}`)))
  })
}

before(async () => {
  if (skip) return
  range = await startRange()
  site = range.url.replace('127.0.0.1', 'localhost')
  idp = await startPeer(site + '/api/v1/auth/sso/saml/metadata')
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
  peer?.kill()
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
