// An independent verifier of the range's Open Badges 3.0 credentials, built
// on Digital Bazaar's verifiable-credential stack and panva's jose, so none of
// the range's own signing or canonicalisation code checks itself.
//
// Reads one JSON object on standard input:
//   {"credential": {...}}   a credential with an embedded DataIntegrityProof
//   {"jwt": "eyJ..."}       the same credential in its VC-JOSE-COSE form
// and prints {"verified": bool, "error": "..."}; exits 0 only when verified.
//
// Every JSON-LD context comes from an npm package or from ./contexts; the
// only documents fetched are the issuer's key, controller and status list,
// and only from a loopback address (the range under test).
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {contexts as credentialsContexts} from
  '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import didContext from 'did-context';
import {checkStatus as checkBitstringStatus} from
  '@digitalbazaar/vc-bitstring-status-list';
import * as jose from 'jose';

const contexts = new Map([
  ...credentialsContexts,
  ...dataIntegrityContext.contexts,
  ...multikeyContext.contexts,
  ...didContext.contexts,
]);
// Vendored: see contexts/SOURCE.md.
const obContext = JSON.parse(readFileSync(
  new URL('./contexts/ob-v3p0-context-3.0.3.json', import.meta.url)));
contexts.set('https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
  obContext);

const loopback = new Set(['127.0.0.1', 'localhost', '[::1]']);

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  const parsed = new URL(url);
  if(!loopback.has(parsed.hostname)) {
    throw new Error(`refusing to fetch ${url}: not the range under test`);
  }
  const res = await fetch(url, {headers: {accept: 'application/json'}});
  if(!res.ok) {
    throw new Error(`fetching ${url}: HTTP ${res.status}`);
  }
  const type = res.headers.get('content-type') || '';
  const document = type.includes('json') ? await res.json() :
    await res.text();
  return {contextUrl: null, documentUrl: url, document};
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

// A credential whose status bit is set is revoked: the library reports the
// bit, and this verifier refuses it.
async function checkStatus(options) {
  const result = await checkBitstringStatus({...options, suite});
  if(result.verified && (result.results || []).some(r => r.status)) {
    return {verified: false, error: new Error('the credential is revoked')};
  }
  return result;
}

async function verifyEmbedded(credential) {
  const result = await vc.verifyCredential({
    credential, suite, documentLoader, checkStatus,
  });
  if(result.verified) {
    return {verified: true};
  }
  const err = result.error || result.statusResult?.error ||
    result.results?.find(r => r.error)?.error;
  return {verified: false, error: describe(err)};
}

// VC-JOSE-COSE: the payload is the credential itself; the header's kid
// names the issuer's Multikey verification method, which must be controlled
// by the credential's issuer and listed for assertion.
async function verifyJwt(token) {
  const header = jose.decodeProtectedHeader(token);
  if(header.alg !== 'EdDSA' || header.typ !== 'vc+jwt') {
    return {verified: false, error: 'unexpected JOSE header'};
  }
  const {document: method} = await documentLoader(header.kid);
  const keyPair = await Ed25519Multikey.from(method);
  const jwk = await Ed25519Multikey.toJwk({keyPair});
  const key = await jose.importJWK({...jwk, alg: 'EdDSA'}, 'EdDSA');
  const {payload} = await jose.compactVerify(token, key);
  const credential = JSON.parse(new TextDecoder().decode(payload));
  const issuer = typeof credential.issuer === 'object' ?
    credential.issuer.id : credential.issuer;
  if(method.controller !== issuer) {
    return {verified: false, error: 'key not controlled by the issuer'};
  }
  const {document: controller} = await documentLoader(method.controller);
  if(!(controller.assertionMethod || []).includes(method.id)) {
    return {verified: false, error: 'key not listed for assertion'};
  }
  if(credential.validUntil && new Date(credential.validUntil) < new Date()) {
    return {verified: false, error: 'the credential has expired'};
  }
  if(credential.credentialStatus) {
    const status = await checkStatus({credential, documentLoader});
    if(!status.verified) {
      return {verified: false, error: describe(status.error)};
    }
  }
  return {verified: true, credential};
}

function describe(err) {
  if(!err) {
    return 'not verified';
  }
  if(err.errors) {
    return err.errors.map(e => e.message).join('; ');
  }
  return err.message || String(err);
}

const input = JSON.parse(readFileSync(0, 'utf8'));
let out;
try {
  out = input.jwt ? await verifyJwt(input.jwt) :
    await verifyEmbedded(input.credential);
} catch(err) {
  out = {verified: false, error: describe(err)};
}
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(out.verified ? 0 : 1);
