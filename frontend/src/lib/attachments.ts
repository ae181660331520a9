// Files an author attaches to a scenario folder, under files/: text goes to
// the editor as a file of its own; anything else rides along in base64,
// as the range's draft request takes it, and comes back the same way.

// The range's cap on a scenario's files/ together (labs.MaxFilesBytes).
export const maxFilesBytes = 1 << 20

export type Attached = { path: string; text?: string; encoded?: string; size: number }

// attachedPath is where a picked file goes: files/ and its name, made plain
// (letters, digits, '.', '_' and '-'), as a bundle's names must be.
export function attachedPath(name: string): string {
  const plain = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '')
  return 'files/' + (plain || 'file')
}

// attach reads a picked file: its text if it is UTF-8, else its bytes in base64.
export function attach(name: string, bytes: Uint8Array): Attached {
  const path = attachedPath(name)
  try {
    return { path, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), size: bytes.length }
  } catch {
    let binary = ''
    for (const b of bytes) binary += String.fromCharCode(b)
    return { path, encoded: btoa(binary), size: bytes.length }
  }
}

// sizeOf is a file's bytes: its text's UTF-8 length, or what its base64 holds.
export function sizeOf(file: { text?: string; encoded?: string }): number {
  if (file.text !== undefined) return new TextEncoder().encode(file.text).length
  const b64 = file.encoded ?? ''
  return Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0)
}
