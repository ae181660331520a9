import { describe, expect, it } from 'vitest'
import { fromBase64url, toBase64url } from './passkeys'

describe('base64url', () => {
  it('round-trips bytes of every length, without padding or + and /', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 67 + 251) & 0xff)
      const text = toBase64url(bytes.buffer)!
      expect(text).not.toMatch(/[+/=]/)
      expect(new Uint8Array(fromBase64url(text))).toEqual(bytes)
    }
  })
  it('reads what the server writes', () => {
    expect(new Uint8Array(fromBase64url('-_8'))).toEqual(new Uint8Array([0xfb, 0xff]))
  })
})
