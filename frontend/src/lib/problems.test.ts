import { describe, expect, it } from 'vitest'
import { EditorState } from '@codemirror/state'
import { diagnostics } from './problems'

describe('diagnostics', () => {
  const doc = EditorState.create({ doc: 'id: shop\ntime_limit: soon\nhosts: []\n' }).doc

  it('places a problem at its line and column, to the end of that line, naming its field', () => {
    const [d] = diagnostics(doc, [{ path: 'time_limit', message: 'not a duration', line: 2, column: 13 }])
    expect(doc.sliceString(d.from, d.to)).toBe('soon')
    expect(d.message).toBe('time_limit: not a duration')
    expect(d.severity).toBe('error')
  })

  it('puts a problem of the whole file, or past its end, on the first line', () => {
    const ds = diagnostics(doc, [{ message: 'not YAML' }, { message: 'far', line: 99, column: 1 }])
    for (const d of ds) expect([d.from, d.to]).toEqual([0, 'id: shop'.length])
  })

  it('keeps a column past the line inside it', () => {
    const [d] = diagnostics(doc, [{ path: 'hosts', message: 'empty', line: 3, column: 80 }])
    expect(d.from).toBe(d.to)
    expect(doc.lineAt(d.from).number).toBe(3)
  })
})
