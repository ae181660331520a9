import { describe, expect, it } from 'vitest'
import { attach, attachedPath, sizeOf } from './attachments'

describe('attachments', () => {
  it('puts a picked file under files/ with a plain name', () => {
    expect(attachedPath('index.html')).toBe('files/index.html')
    expect(attachedPath('My Report (final).pdf')).toBe('files/My-Report-final-.pdf')
    expect(attachedPath('../../etc/passwd')).toBe('files/etc-passwd')
    expect(attachedPath('.hidden')).toBe('files/hidden')
    expect(attachedPath('日本語')).toBe('files/file')
  })

  it('keeps text as text and anything else in base64', () => {
    const text = attach('note.txt', new TextEncoder().encode('鍵は ${var.flag}\n'))
    expect(text).toEqual({ path: 'files/note.txt', text: '鍵は ${var.flag}\n', size: 19 })
    const png = attach('logo.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00]))
    expect(png.text).toBeUndefined()
    expect(png.encoded).toBe('iVBOR/8A')
    expect(png.size).toBe(6)
  })

  it('counts bytes, not characters', () => {
    expect(sizeOf({ text: '鍵' })).toBe(3)
    expect(sizeOf({ encoded: 'iVBOR/8A' })).toBe(6)
    expect(sizeOf({ encoded: 'AA==' })).toBe(1)
    expect(sizeOf({ encoded: 'AAA=' })).toBe(2)
  })
})
