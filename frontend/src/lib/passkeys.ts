// Passkeys in the browser: the server sends WebAuthn options as JSON with
// binary fields in base64url; navigator.credentials wants ArrayBuffers, and
// the server wants the credential back as JSON the same way.

type Json = Record<string, unknown>

export function fromBase64url(s: string): ArrayBuffer {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4)
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out.buffer
}

export function toBase64url(buf: ArrayBuffer | null): string | undefined {
  if (!buf) return undefined
  let bin = ''
  for (const b of new Uint8Array(buf)) bin += String.fromCharCode(b)
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function withIds(list: unknown): PublicKeyCredentialDescriptor[] | undefined {
  if (!Array.isArray(list)) return undefined
  return list.map((c: Json) => ({ ...c, id: fromBase64url(c.id as string) }) as PublicKeyCredentialDescriptor)
}

// passkeysSupported says whether this browser can make and use passkeys here.
export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && 'PublicKeyCredential' in window && !!navigator.credentials
}

// createPasskey runs navigator.credentials.create with the server's options
// and returns the new credential as JSON.
export async function createPasskey(options: Json): Promise<Json> {
  const pk = (options.publicKey ?? options) as Json
  const user = pk.user as Json
  const publicKey = {
    ...pk,
    challenge: fromBase64url(pk.challenge as string),
    user: { ...user, id: fromBase64url(user.id as string) },
    excludeCredentials: withIds(pk.excludeCredentials),
  } as PublicKeyCredentialCreationOptions
  const cred = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential | null
  if (!cred) throw new Error('No passkey was made.')
  const r = cred.response as AuthenticatorAttestationResponse
  return {
    id: cred.id,
    rawId: toBase64url(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
    clientExtensionResults: cred.getClientExtensionResults(),
    response: {
      clientDataJSON: toBase64url(r.clientDataJSON),
      attestationObject: toBase64url(r.attestationObject),
      transports: typeof r.getTransports === 'function' ? r.getTransports() : undefined,
    },
  }
}

// usePasskey runs navigator.credentials.get with the server's options and
// returns the assertion as JSON.
export async function usePasskey(options: Json): Promise<Json> {
  const pk = (options.publicKey ?? options) as Json
  const publicKey = {
    ...pk,
    challenge: fromBase64url(pk.challenge as string),
    allowCredentials: withIds(pk.allowCredentials),
  } as PublicKeyCredentialRequestOptions
  const cred = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential | null
  if (!cred) throw new Error('No passkey was used.')
  const r = cred.response as AuthenticatorAssertionResponse
  return {
    id: cred.id,
    rawId: toBase64url(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
    clientExtensionResults: cred.getClientExtensionResults(),
    response: {
      clientDataJSON: toBase64url(r.clientDataJSON),
      authenticatorData: toBase64url(r.authenticatorData),
      signature: toBase64url(r.signature),
      userHandle: toBase64url(r.userHandle),
    },
  }
}
