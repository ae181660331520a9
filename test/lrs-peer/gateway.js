// A gateway in front of the LRS, as some institutions deploy theirs: it
// takes OAuth2 client-credentials tokens rather than Basic credentials,
// and it may announce xAPI 2.0.0. With LRS_GATEWAY_PORT set, lrs.js starts
// it in front of the LRS and prints its URL instead of the LRS's.
//
//   POST /token            grant_type=client_credentials; client id and
//                          secret as Basic (RFC 6749 2.3.1) or in the form.
//   /xAPI/...              needs "Authorization: Bearer <token>"; forwarded
//                          to the LRS. /xAPI/about answers the versions of
//                          LRS_ANNOUNCE (comma-separated) when set.
//   GET /gateway/seen      what the gateway saw: tokens issued, requests
//                          refused, the X-Experience-API-Version of each
//                          statement post.
'use strict';
const http = require('http');
const crypto = require('crypto');

function startGateway({ port, lrsPort, clientID, clientSecret, announce }) {
  const tokens = new Set();
  const seen = { tokens: 0, refused: 0, versions: [] };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://gateway');
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (url.pathname === '/token' && req.method === 'POST') return token(req, res, body);
      if (url.pathname === '/gateway/seen') return json(res, 200, seen);
      if (!url.pathname.startsWith('/xAPI')) return json(res, 404, { error: 'not_found' });
      const auth = req.headers.authorization || '';
      if (!auth.startsWith('Bearer ') || !tokens.has(auth.slice(7))) {
        seen.refused++;
        res.setHeader('WWW-Authenticate', 'Bearer');
        return json(res, 401, { error: 'invalid_token' });
      }
      if (url.pathname === '/xAPI/about' && announce.length) {
        return json(res, 200, { version: announce });
      }
      const version = req.headers['x-experience-api-version'] || '';
      if (url.pathname === '/xAPI/statements' && req.method !== 'GET') {
        seen.versions.push(version);
        if (!announce.includes(version) && !version.startsWith('1.0.')) {
          return json(res, 400, { error: `version ${version} not spoken here` });
        }
      }
      // The LRS behind speaks 1.0.x; the statements Sakimori sends are
      // valid in both versions.
      const headers = { ...req.headers, authorization: 'Basic ' + Buffer.from('gateway:gateway').toString('base64') };
      headers['x-experience-api-version'] = '1.0.3';
      headers['content-length'] = String(body.length);
      delete headers.host;
      const up = http.request({ host: '127.0.0.1', port: lrsPort, method: req.method, path: req.url, headers }, (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      up.on('error', (e) => json(res, 502, { error: String(e) }));
      up.end(body);
    });
  });

  function token(req, res, body) {
    const form = new URLSearchParams(body.toString());
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const auth = req.headers.authorization || '';
    if (auth.startsWith('Basic ')) {
      const [u, p] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      id = decodeURIComponent(u);
      secret = decodeURIComponent(p || '');
    }
    if (form.get('grant_type') !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' });
    if (id !== clientID || secret !== clientSecret) return json(res, 401, { error: 'invalid_client' });
    const t = crypto.randomBytes(24).toString('base64url');
    tokens.add(t);
    seen.tokens++;
    return json(res, 200, { access_token: t, token_type: 'Bearer', expires_in: 3600 });
  }

  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server.address().port)));
}

function json(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

module.exports = { startGateway };
