// An independent SAML 2.0 identity provider for the range's tests, built
// on samlify: it reads the range's SP metadata, signs its assertions with
// keys it makes itself at start (and, when asked, encrypts them to the
// range's certificate), and releases the eduPerson attributes a GakuNin
// IdP sends. It prints one line, "listening <base URL>", once ready; its
// metadata is at <base URL>/metadata.
//
// Settings come from the environment:
//   PEER_SP_METADATA_URL  where the range publishes its SP metadata (required)
//
// A person signs in at /sso with a small form; its fields let a test pick
// the person and their affiliation, and ask for the answers a hostile or
// broken IdP would give (see answer below).
import http from 'node:http'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as samlify from 'samlify'
import * as xmllint from '@authenio/samlify-node-xmllint'

// samlify refuses to parse anything without a schema validator; this one
// is xmllint compiled to JavaScript, so it installs without native builds.
samlify.setSchemaValidator(xmllint)
// That xmllint build adds a process listener on each call; for a test
// peer of a few dozen sign-ins the warning about it is only noise.
process.setMaxListeners(0)

const spMetadataURL = process.env.PEER_SP_METADATA_URL
if (!spMetadataURL) {
  console.error('PEER_SP_METADATA_URL is required')
  process.exit(2)
}

// Who may sign in here: GakuNin-style attributes. The affiliation is what
// the range's role mapping reads; a test may override it at sign-in.
const people = {
  hanako: { eppn: 'hanako@uni.example.ac.jp', mail: 'hanako@uni.example.ac.jp', name: 'Hanako Yamada', ja: '山田 花子', affiliation: ['student', 'member'] },
  taro: { eppn: 'taro@uni.example.ac.jp', mail: 'taro@uni.example.ac.jp', name: 'Taro Suzuki', ja: '鈴木 太郎', affiliation: ['faculty', 'member'] },
  jiro: { eppn: 'jiro@uni.example.ac.jp', mail: 'jiro@uni.example.ac.jp', name: 'Jiro Sato', ja: '佐藤 次郎', affiliation: ['student', 'member'] },
  eve: { eppn: 'eve@elsewhere.example', mail: 'eve@elsewhere.example', name: 'Eve Outsider', ja: '', affiliation: ['member'] },
}

// keyPair makes an RSA key and a self-signed certificate with openssl,
// as an IdP operator would; Node cannot issue certificates itself.
function keyPair(cn) {
  const dir = mkdtempSync(join(tmpdir(), 'saml-peer-'))
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
      '-subj', `/CN=${cn}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const server = http.createServer()
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const base = `http://localhost:${server.address().port}`
const entityID = `${base}/metadata`

const own = keyPair('saml-peer')
// An impostor: the same entity id, another key the range never saw.
const impostor = keyPair('saml-peer-impostor')

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c])

function idpWith(keys, encrypt) {
  return samlify.IdentityProvider({
    entityID,
    signingCert: keys.cert,
    privateKey: keys.key,
    encryptCert: own.cert,
    encPrivateKey: own.key,
    isAssertionEncrypted: encrypt,
    nameIDFormat: ['urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'],
    singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: `${base}/sso` }],
  })
}
const idps = {
  plain: idpWith(own, false),
  encrypted: idpWith(own, true),
  impostor: idpWith(impostor, false),
}

async function serviceProvider() {
  const res = await fetch(spMetadataURL)
  if (!res.ok) throw new Error(`SP metadata: ${res.status}`)
  return samlify.ServiceProvider({ metadata: await res.text() })
}

// attribute is one GakuNin attribute by its OID name, with the friendly
// name Shibboleth adds.
function attribute(name, friendly, values) {
  const vs = values.filter((v) => v !== '').map((v) => `<saml:AttributeValue xsi:type="xs:string">${escape(v)}</saml:AttributeValue>`).join('')
  return vs && `<saml:Attribute Name="${name}" FriendlyName="${friendly}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${vs}</saml:Attribute>`
}

const template = '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{ID}" Version="2.0" IssueInstant="{IssueInstant}" Destination="{Destination}" InResponseTo="{InResponseTo}"><saml:Issuer>{Issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{AssertionID}" Version="2.0" IssueInstant="{IssueInstant}"><saml:Issuer>{Issuer}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" NameQualifier="{Issuer}" SPNameQualifier="{Audience}">{NameID}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{NotOnOrAfter}" Recipient="{Destination}" InResponseTo="{InResponseTo}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{NotBefore}" NotOnOrAfter="{NotOnOrAfter}"><saml:AudienceRestriction><saml:Audience>{Audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{IssueInstant}" SessionIndex="{AssertionID}"><saml:AuthnContext><saml:AuthnContextClassRef>{AuthnContext}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>{Attributes}</saml:AttributeStatement></saml:Assertion></samlp:Response>'

// answer makes the Response to a parsed AuthnRequest. The form's fields:
//   login        the person (required)
//   affiliation  eduPersonAffiliation values, comma-separated, instead of theirs
//   encrypt      "1": the assertion is encrypted to the range's certificate
//   signer       "impostor": signed by a key the range does not know
//   age          seconds the answer is backdated (an expired answer)
//   audience     another SP's entity id as the audience
//   in_response_to  another request id (a response to a request never made)
//   mfa          "1": the AuthnContextClassRef says multi-factor
async function answer(sp, request, form) {
  const who = people[form.get('login')]
  const idp = form.get('signer') === 'impostor' ? idps.impostor : form.get('encrypt') === '1' ? idps.encrypted : idps.plain
  const at = new Date(Date.now() - 1000 * Number(form.get('age') || 0))
  const later = new Date(at.getTime() + 5 * 60 * 1000)
  const affiliation = form.get('affiliation') ? form.get('affiliation').split(',').map((s) => s.trim()) : who.affiliation
  const scope = who.eppn.split('@')[1]
  const pairwise = `${Buffer.from(form.get('login')).toString('hex')}@${scope}`
  const values = {
    ID: `_${crypto.randomUUID()}`,
    AssertionID: `_${crypto.randomUUID()}`,
    IssueInstant: at.toISOString(),
    NotBefore: at.toISOString(),
    NotOnOrAfter: later.toISOString(),
    Destination: sp.entityMeta.getAssertionConsumerService('post'),
    Issuer: entityID,
    Audience: form.get('audience') || sp.entityMeta.getEntityID(),
    InResponseTo: form.get('in_response_to') || request.extract.request.id,
    NameID: pairwise,
    AuthnContext: form.get('mfa') === '1' ? 'https://refeds.org/profile/mfa' : 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
    Attributes: [
      attribute('urn:oasis:names:tc:SAML:attribute:pairwise-id', 'pairwise-id', [pairwise]),
      attribute('urn:oid:1.3.6.1.4.1.5923.1.1.1.6', 'eduPersonPrincipalName', [who.eppn]),
      attribute('urn:oid:0.9.2342.19200300.100.1.3', 'mail', [who.mail]),
      attribute('urn:oid:2.16.840.1.113730.3.1.241', 'displayName', [who.name]),
      attribute('urn:oid:1.3.6.1.4.1.32264.1.1.3', 'jaDisplayName', [who.ja]),
      attribute('urn:oid:1.3.6.1.4.1.5923.1.1.1.1', 'eduPersonAffiliation', affiliation),
    ].join(''),
  }
  // Values are escaped; the attributes are XML already.
  const filled = template.replace(/\{(\w+)\}/g, (_, k) => (k === 'Attributes' ? values[k] : escape(values[k])))
  const { context } = await idp.createLoginResponse(sp, request, 'post', {}, {
    customTagReplacement: () => ({ id: values.ID, context: filled }),
    relayState: form.get('RelayState'),
  })
  return { acs: values.Destination, response: context }
}

const page = (body) => `<!doctype html><meta charset="utf-8"><title>Peer IdP sign-in</title>${body}`

const signInForm = (q, note = '') => page(`<h1>Peer SAML identity provider</h1>${note}
<form method="post" action="/sso">
<input type="hidden" name="SAMLRequest" value="${escape(q.get('SAMLRequest') || '')}">
<input type="hidden" name="RelayState" value="${escape(q.get('RelayState') || '')}">
<input type="hidden" name="SigAlg" value="${escape(q.get('SigAlg') || '')}">
<input type="hidden" name="Signature" value="${escape(q.get('Signature') || '')}">
<label>User <input name="login" autofocus></label>
<label>Affiliation <input name="affiliation" placeholder="as on record"></label>
<label><input type="checkbox" name="encrypt" value="1"> Encrypt</label>
<button type="submit">Sign in</button>
</form>`)

// The AuthnRequest came by the HTTP-Redirect binding; samlify reads it
// from the query string it was sent with.
function redirectRequest(form) {
  const query = {}
  for (const k of ['SAMLRequest', 'RelayState', 'SigAlg', 'Signature']) if (form.get(k)) query[k] = form.get(k)
  const octetString = ['SAMLRequest', 'RelayState', 'SigAlg'].filter((k) => query[k]).map((k) => `${k}=${encodeURIComponent(query[k])}`).join('&')
  return { query, octetString }
}

server.on('request', async (req, res) => {
  const url = new URL(req.url, base)
  try {
    if (url.pathname === '/metadata') {
      res.setHeader('content-type', 'application/samlmetadata+xml')
      res.end(idps.plain.getMetadata())
      return
    }
    if (url.pathname === '/sso' && req.method === 'GET') {
      res.setHeader('content-type', 'text/html; charset=utf-8')
      res.end(signInForm(url.searchParams))
      return
    }
    if (url.pathname === '/sso' && req.method === 'POST') {
      let body = ''
      for await (const chunk of req) body += chunk
      const form = new URLSearchParams(body)
      if (!people[form.get('login')]) {
        res.setHeader('content-type', 'text/html; charset=utf-8')
        res.end(signInForm(form, '<p>No such user.</p>'))
        return
      }
      const sp = await serviceProvider()
      const request = await idps.plain.parseLoginRequest(sp, 'redirect', redirectRequest(form))
      const { acs, response } = await answer(sp, request, form)
      // The HTTP-POST binding: the browser carries the answer to the ACS.
      res.setHeader('content-type', 'text/html; charset=utf-8')
      res.end(page(`<form method="post" action="${escape(acs)}">
<input type="hidden" name="SAMLResponse" value="${escape(response)}">
<input type="hidden" name="RelayState" value="${escape(form.get('RelayState') || '')}">
<noscript><button type="submit">Continue</button></noscript>
</form><script>document.forms[0].submit()</script>`))
      return
    }
    res.statusCode = 404
    res.end('not found')
  } catch (err) {
    console.error(err)
    res.statusCode = 400
    res.setHeader('content-type', 'text/plain; charset=utf-8')
    res.end(`peer IdP: ${err.message || err}`)
  }
})

console.log(`listening ${base}`)
