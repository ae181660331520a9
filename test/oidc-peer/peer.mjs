// An independent OpenID provider for the range's tests: oidc-provider (an
// OpenID-certified implementation) with a few fixed people and a plain
// sign-in form. It prints one line, "listening <issuer>", once ready.
//
// Settings come from the environment:
//   PEER_REDIRECT_URI   the range's callback (required)
//   PEER_LOGOUT_URI     where the range wants people back after signing out
//   PEER_CLIENT_SECRET  the client secret the range holds (default "peer-secret")
import http from 'node:http'
import { generateKeyPairSync } from 'node:crypto'
import Provider from 'oidc-provider'

// Who may sign in here. Groups are what the range's role mapping reads.
const people = {
  alice: { email: 'alice@uni.example.ac.jp', name: 'Alice Trainee', groups: ['students'] },
  bob: { email: 'bob@uni.example.ac.jp', name: 'Bob Instructor', groups: ['staff', 'instructors'] },
  eve: { email: 'eve@elsewhere.example', name: 'Eve Outsider', groups: [] },
  una: { email: 'una@uni.example.ac.jp', name: 'Una Unverified', groups: [], unverified: true },
}

const redirectURI = process.env.PEER_REDIRECT_URI
if (!redirectURI) {
  console.error('PEER_REDIRECT_URI is required')
  process.exit(2)
}

const server = http.createServer()
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const issuer = `http://localhost:${server.address().port}`

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'peer-1', use: 'sig', alg: 'RS256' }

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'sakimori',
    client_secret: process.env.PEER_CLIENT_SECRET || 'peer-secret',
    redirect_uris: [redirectURI],
    post_logout_redirect_uris: process.env.PEER_LOGOUT_URI ? [process.env.PEER_LOGOUT_URI] : [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  findAccount: (_ctx, id) => people[id] && {
    accountId: id,
    claims: () => ({
      sub: id, email: people[id].email, email_verified: !people[id].unverified,
      name: people[id].name, groups: people[id].groups,
    }),
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['peer-cookie-key'] },
})
provider.proxy = false

const form = (uid, note = '') => `<!doctype html><meta charset="utf-8"><title>Peer sign-in</title>
<h1>Peer identity provider</h1>${note}
<form method="post" action="/interaction/${uid}">
<label>User <input name="login" autofocus></label> <button type="submit">Sign in</button>
</form>`

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res)
  if (req.method === 'GET') {
    res.setHeader('content-type', 'text/html; charset=utf-8')
    res.end(form(uid))
    return
  }
  let body = ''
  for await (const chunk of req) body += chunk
  const login = new URLSearchParams(body).get('login')
  if (!people[login]) {
    res.setHeader('content-type', 'text/html; charset=utf-8')
    res.end(form(uid, '<p>No such user.</p>'))
    return
  }
  const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id })
  grant.addOIDCScope(details.params.scope)
  const grantId = await grant.save()
  await provider.interactionFinished(req, res, { login: { accountId: login }, consent: { grantId } }, { mergeWithLastSubmission: false })
}

const callback = provider.callback()
server.on('request', (req, res) => {
  const m = /^\/interaction\/([^/?]+)/.exec(req.url)
  if (m) {
    interaction(req, res, m[1]).catch((err) => {
      res.statusCode = 400
      res.end(String(err))
    })
    return
  }
  callback(req, res)
})

console.log(`listening ${issuer}`)
