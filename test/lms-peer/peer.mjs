// An independent LTI 1.3 platform: a small LMS with one course, its people,
// a gradebook and a roster. It launches the range as a tool (OIDC
// third-party login, authorization answered by form_post), publishes its
// keys, verifies the range's client assertions and deep-link replies with
// jose, keeps line items and scores (AGS), serves memberships (NRPS) and
// registers a tool by IMS Dynamic Registration. None of the range's Go
// code checks anything here.
//
// Environment:
//   PEER_TOOL_LOGIN, PEER_TOOL_LAUNCH, PEER_TOOL_JWKS: the range's URLs,
//     registered by hand as client PEER_CLIENT_ID (optional: a tool can
//     also register itself dynamically).
//   PEER_DOMAIN: the domain of its people's email addresses.
//   PEER_DEEP_LINK_LINE_ITEMS=off: make no line item from a deep link's
//     lineItem (as some LMSs do), leaving the tool to make its own by AGS.
//   PEER_PORT: the port (0: any free one). The first line printed is
//     "listening <issuer>".
import express from 'express';
import { SignJWT, jwtVerify, createRemoteJWKSet, generateKeyPair, exportJWK } from 'jose';
import { randomUUID } from 'node:crypto';

const app = express();
app.use(express.urlencoded({ extended: false }));
app.use(express.json({ type: ['application/json', 'application/vnd.ims.lis.v1.score+json', 'application/vnd.ims.lis.v2.lineitem+json'] }));

const keys = {
  current: await generateKeyPair('RS256', { extractable: true }),
  // A key the platform never publishes: tokens it signs are forgeries.
  stranger: await generateKeyPair('RS256', { extractable: true }),
};
const publicJWK = { ...(await exportJWK(keys.current.publicKey)), kid: 'lms-1', alg: 'RS256', use: 'sig' };

let issuer = '';
const deploymentId = 'deployment-1';
const course = { id: 'course-101', label: 'SEC101', title: 'Incident Response 101' };
const roles = {
  learner: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
  instructor: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
};
// The course's people: login -> who they are.
const domain = process.env.PEER_DOMAIN ?? 'lms.example.ac.jp';
const people = {
  alice: { sub: 'lms-user-alice', name: 'Alice Learner', email: `alice@${domain}`, role: 'learner' },
  bob: { sub: 'lms-user-bob', name: 'Bob Learner', email: `bob@${domain}`, role: 'learner' },
  carol: { sub: 'lms-user-carol', name: 'Carol Instructor', email: `carol@${domain}`, role: 'instructor' },
};

// Tools registered, by client id: by hand (the environment) or dynamically.
const tools = new Map();
if (process.env.PEER_CLIENT_ID) {
  tools.set(process.env.PEER_CLIENT_ID, {
    clientId: process.env.PEER_CLIENT_ID, deploymentId,
    login: process.env.PEER_TOOL_LOGIN, redirects: [process.env.PEER_TOOL_LAUNCH], jwks: process.env.PEER_TOOL_JWKS,
  });
}
const remoteSets = new Map();
const toolKeys = (tool) => {
  if (!remoteSets.has(tool.jwks)) remoteSets.set(tool.jwks, createRemoteJWKSet(new URL(tool.jwks), { cooldownDuration: 0 }));
  return remoteSets.get(tool.jwks);
};

const links = new Map();      // resource link id -> { id, title, custom, lineItemId }
const lineItems = new Map();  // line item id -> { id, label, scoreMaximum, resourceId, resourceLinkId, scores: Map(userId -> score) }
const deepLinkData = new Set(); // the data sent with each deep linking request, taken by its reply
const accessTokens = new Map(); // token -> { clientId, scopes }
const seenJTI = new Set();
const received = { deepLinks: [], refusals: [] };

const lineItemURL = (id) => `${issuer}/contexts/${course.id}/lineitems/${id}`;

// launch starts a launch the way an LMS page's link does: to the tool's
// login initiation URL. ?user=alice&kind=resource|deeplink&link=<id>&client=<id>
app.get('/launch', (req, res) => {
  const tool = tools.get(req.query.client ?? process.env.PEER_CLIENT_ID) ?? [...tools.values()][0];
  if (!tool) return res.status(404).send('no tool registered');
  const hint = JSON.stringify({ user: req.query.user ?? 'alice', kind: req.query.kind ?? 'resource', link: req.query.link ?? '' });
  const q = new URLSearchParams({
    iss: issuer, login_hint: req.query.user ?? 'alice', target_link_uri: tool.redirects[0],
    lti_message_hint: hint, client_id: tool.clientId, lti_deployment_id: tool.deploymentId,
  });
  res.redirect(302, `${tool.login}?${q}`);
});

// authorize is the OIDC authorization endpoint: it answers with a page
// that posts the id_token to the tool (form_post). A test may ask for a
// token that must be refused with ?forge=expired|stranger|deployment|version.
app.get('/authorize', async (req, res) => {
  const q = req.query;
  const tool = tools.get(q.client_id);
  if (!tool || !tool.redirects.includes(q.redirect_uri) || q.response_type !== 'id_token' ||
      q.response_mode !== 'form_post' || q.scope !== 'openid' || !q.nonce || !q.state) {
    return res.status(400).send('invalid authorization request');
  }
  let hint;
  try { hint = JSON.parse(q.lti_message_hint); } catch { return res.status(400).send('bad lti_message_hint'); }
  const who = people[q.login_hint];
  if (!who || hint.user !== q.login_hint) return res.status(403).send('unknown user');
  const token = await idToken(tool, who, hint, q.nonce, q.forge ?? '');
  res.type('html').send(`<!doctype html><title>Launching</title>
<form method="post" action="${q.redirect_uri}" id="launch">
<input type="hidden" name="id_token" value="${token}">
<input type="hidden" name="state" value="${q.state}">
<noscript><button>Continue</button></noscript></form>
<script>document.getElementById('launch').submit()</script>`);
});

async function idToken(tool, who, hint, nonce, forge) {
  const c = 'https://purl.imsglobal.org/spec/lti/claim/';
  const claims = {
    nonce, email: who.email, name: who.name,
    [c + 'message_type']: hint.kind === 'deeplink' ? 'LtiDeepLinkingRequest' : 'LtiResourceLinkRequest',
    [c + 'version']: forge === 'version' ? '1.1' : '1.3.0',
    [c + 'deployment_id']: forge === 'deployment' ? 'deployment-unknown' : tool.deploymentId,
    [c + 'target_link_uri']: tool.redirects[0],
    [c + 'roles']: roles[who.role],
    [c + 'context']: { id: course.id, label: course.label, title: course.title, type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] },
    'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice': {
      context_memberships_url: `${issuer}/contexts/${course.id}/memberships`, service_versions: ['2.0'],
    },
  };
  if (hint.kind === 'deeplink') {
    const data = randomUUID();
    deepLinkData.add(data);
    claims['https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings'] = {
      deep_link_return_url: `${issuer}/deep-link/return`, accept_types: ['ltiResourceLink'],
      accept_presentation_document_targets: ['window', 'iframe'], accept_multiple: false, data,
    };
  } else {
    const link = links.get(hint.link);
    claims[c + 'resource_link'] = { id: link ? link.id : 'course-home', title: link ? link.title : course.title };
    if (link) {
      claims[c + 'custom'] = link.custom;
      claims['https://purl.imsglobal.org/spec/lti-ags/claim/endpoint'] = {
        scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/lineitem', 'https://purl.imsglobal.org/spec/lti-ags/scope/score'],
        lineitems: `${issuer}/contexts/${course.id}/lineitems`,
        ...(link.lineItemId ? { lineitem: lineItemURL(link.lineItemId) } : {}),
      };
    }
  }
  const now = Math.floor(Date.now() / 1000);
  const [iat, exp] = forge === 'expired' ? [now - 7200, now - 3600] : [now, now + 300];
  const key = forge === 'stranger' ? keys.stranger.privateKey : keys.current.privateKey;
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'lms-1', typ: 'JWT' })
    .setIssuer(issuer).setSubject(who.sub).setAudience(tool.clientId).setIssuedAt(iat).setExpirationTime(exp)
    .sign(key);
}

app.get('/jwks', (_req, res) => res.json({ keys: [publicJWK] }));

// The deep-link return: the tool's signed LtiDeepLinkingResponse, verified
// against the tool's published keys. Each ltiResourceLink becomes a link
// in the course, with its line item when it asks for one.
app.post('/deep-link/return', async (req, res) => {
  try {
    const raw = req.body.JWT;
    const claims = JSON.parse(Buffer.from(String(raw).split('.')[1] ?? '', 'base64url').toString() || '{}');
    const tool = tools.get(claims.iss);
    if (!tool) throw new Error('unknown tool ' + claims.iss);
    const { payload } = await jwtVerify(raw, toolKeys(tool), { issuer: tool.clientId, audience: issuer, algorithms: ['RS256'] });
    const dl = 'https://purl.imsglobal.org/spec/lti-dl/claim/';
    if (payload['https://purl.imsglobal.org/spec/lti/claim/message_type'] !== 'LtiDeepLinkingResponse') throw new Error('message type');
    if (payload['https://purl.imsglobal.org/spec/lti/claim/deployment_id'] !== tool.deploymentId) throw new Error('deployment');
    if (!deepLinkData.delete(payload[dl + 'data'])) throw new Error('data unknown or used');
    for (const item of payload[dl + 'content_items'] ?? []) {
      if (item.type !== 'ltiResourceLink') continue;
      const link = { id: 'link-' + randomUUID(), title: item.title, custom: item.custom ?? {}, lineItemId: '' };
      if (item.lineItem && process.env.PEER_DEEP_LINK_LINE_ITEMS !== 'off') {
        const li = { id: randomUUID(), label: item.lineItem.label, scoreMaximum: item.lineItem.scoreMaximum,
          resourceId: item.lineItem.resourceId ?? '', resourceLinkId: link.id, scores: new Map() };
        lineItems.set(li.id, li);
        link.lineItemId = li.id;
      }
      links.set(link.id, link);
      received.deepLinks.push(link);
    }
    res.type('html').send('<!doctype html><title>Linked</title><p id="linked">Linked to the course.</p>');
  } catch (e) {
    received.refusals.push('deep-link: ' + e.message);
    res.status(400).send('deep link refused: ' + e.message);
  }
});

// The OAuth2 token endpoint: client credentials, proved by a JWT the tool
// signs (RFC 7523), each assertion used once.
app.post('/token', async (req, res) => {
  const b = req.body;
  try {
    if (b.grant_type !== 'client_credentials') throw new Error('grant_type');
    if (b.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') throw new Error('assertion type');
    const claims = JSON.parse(Buffer.from(String(b.client_assertion).split('.')[1] ?? '', 'base64url').toString() || '{}');
    const tool = tools.get(claims.iss);
    if (!tool) throw new Error('unknown client');
    const { payload } = await jwtVerify(b.client_assertion, toolKeys(tool), {
      issuer: tool.clientId, subject: tool.clientId, audience: `${issuer}/token`, algorithms: ['RS256'],
    });
    if (!payload.jti || seenJTI.has(payload.jti)) throw new Error('jti missing or replayed');
    seenJTI.add(payload.jti);
    const token = randomUUID();
    const scopes = String(b.scope ?? '').split(' ').filter(Boolean);
    accessTokens.set(token, { clientId: tool.clientId, scopes });
    res.json({ access_token: token, token_type: 'Bearer', expires_in: 3600, scope: scopes.join(' ') });
  } catch (e) {
    received.refusals.push('token: ' + e.message);
    res.status(401).json({ error: 'invalid_client', error_description: e.message });
  }
});

const bearer = (scope) => (req, res, next) => {
  const t = accessTokens.get(String(req.get('authorization') ?? '').replace(/^Bearer /, ''));
  if (!t || !t.scopes.includes(scope)) return res.status(401).json({ error: 'invalid_token' });
  next();
};
const lineItemView = (li) => ({ id: lineItemURL(li.id), label: li.label, scoreMaximum: li.scoreMaximum, resourceId: li.resourceId, resourceLinkId: li.resourceLinkId });

const scopeLineItem = 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem';
const scopeScore = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
app.get(`/contexts/:c/lineitems`, bearer(scopeLineItem), (_req, res) => res.json([...lineItems.values()].map(lineItemView)));
app.post(`/contexts/:c/lineitems`, bearer(scopeLineItem), (req, res) => {
  const li = { id: randomUUID(), label: req.body.label, scoreMaximum: req.body.scoreMaximum, resourceId: req.body.resourceId ?? '',
    resourceLinkId: req.body.resourceLinkId ?? '', scores: new Map() };
  if (!li.label || !(li.scoreMaximum > 0)) return res.status(400).json({ error: 'label and scoreMaximum are required' });
  lineItems.set(li.id, li);
  res.status(201).json(lineItemView(li));
});
app.post(`/contexts/:c/lineitems/:id/scores`, bearer(scopeScore), (req, res) => {
  const li = lineItems.get(req.params.id);
  if (!li) return res.status(404).json({ error: 'no such line item' });
  if (!req.is('application/vnd.ims.lis.v1.score+json')) return res.status(415).json({ error: 'score media type' });
  const s = req.body;
  if (!s.userId || typeof s.scoreGiven !== 'number' || !s.timestamp || !s.activityProgress || !s.gradingProgress) {
    return res.status(400).json({ error: 'incomplete score' });
  }
  li.scores.set(s.userId, s);
  res.status(204).end();
});

// NRPS: the course's roster.
app.get(`/contexts/:c/memberships`, bearer('https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly'), (_req, res) => {
  res.type('application/vnd.ims.lti-nrps.v2.membershipcontainer+json').json({
    id: `${issuer}/contexts/${course.id}/memberships`, context: { id: course.id, label: course.label, title: course.title },
    members: Object.values(people).map((p) => ({ status: 'Active', user_id: p.sub, name: p.name, email: p.email, roles: roles[p.role] })),
  });
});

// Dynamic Registration (IMS LTI Dynamic Registration 1.0): the admin
// pastes the tool's URL; the platform opens it with its configuration's
// URL and a one-time registration token.
const registrationTokens = new Set();
app.get('/register-tool', (req, res) => {
  const token = randomUUID();
  registrationTokens.add(token);
  const q = new URLSearchParams({ openid_configuration: `${issuer}/.well-known/openid-configuration`, registration_token: token });
  const sep = String(req.query.url).includes('?') ? '&' : '?';
  res.redirect(302, `${req.query.url}${sep}${q}`);
});
app.get('/.well-known/openid-configuration', (_req, res) => res.json({
  issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`,
  registration_endpoint: `${issuer}/registrations`, scopes_supported: ['openid', scopeLineItem, scopeScore],
  response_types_supported: ['id_token'], id_token_signing_alg_values_supported: ['RS256'],
  token_endpoint_auth_methods_supported: ['private_key_jwt'], subject_types_supported: ['public'],
  'https://purl.imsglobal.org/spec/lti-platform-configuration': {
    product_family_code: 'sakimori-lms-peer', version: '1.0', messages_supported: [{ type: 'LtiResourceLinkRequest' }, { type: 'LtiDeepLinkingRequest' }],
  },
}));
app.post('/registrations', (req, res) => {
  const token = String(req.get('authorization') ?? '').replace(/^Bearer /, '');
  if (!registrationTokens.delete(token)) return res.status(401).json({ error: 'registration token unknown or used' });
  const r = req.body;
  const tc = r['https://purl.imsglobal.org/spec/lti-tool-configuration'];
  if (!r.initiate_login_uri || !Array.isArray(r.redirect_uris) || !r.jwks_uri || !tc) return res.status(400).json({ error: 'incomplete registration' });
  const clientId = 'dyn-' + randomUUID();
  const deployment = 'deployment-' + randomUUID().slice(0, 8);
  tools.set(clientId, { clientId, deploymentId: deployment, login: r.initiate_login_uri, redirects: r.redirect_uris, jwks: r.jwks_uri, name: r.client_name });
  res.status(200).json({ ...r, client_id: clientId, 'https://purl.imsglobal.org/spec/lti-tool-configuration': { ...tc, deployment_id: deployment } });
});

// inspect shows the tests what the platform holds: links, grades, tools.
app.get('/inspect', (_req, res) => res.json({
  tools: [...tools.values()].map((t) => ({ client_id: t.clientId, deployment_id: t.deploymentId, login: t.login, jwks: t.jwks })),
  links: [...links.values()],
  line_items: [...lineItems.values()].map((li) => ({ ...lineItemView(li), scores: Object.fromEntries(li.scores) })),
  refusals: received.refusals,
  tokens_issued: accessTokens.size,
}));

const server = app.listen(Number(process.env.PEER_PORT ?? 0), '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  console.log(`listening ${issuer}`);
});
