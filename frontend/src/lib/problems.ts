// Where the range's problems with a manifest sit in the editor's text.
import type { EditorState } from '@codemirror/state'
import type { Diagnostic } from '@codemirror/lint'
import type { ManifestValidation } from './api'

export type Problem = ManifestValidation['problems'][number]

// diagnostics places each problem in doc: at its line and column, up to the
// end of that line; a problem of the whole file sits at its start.
export function diagnostics(doc: EditorState['doc'], problems: Problem[]): Diagnostic[] {
  return problems.map((p) => {
    const message = p.path ? `${p.path}: ${p.message}` : p.message
    if (!p.line || p.line > doc.lines) return { from: 0, to: Math.min(doc.length, doc.line(1).to), severity: 'error', message }
    const line = doc.line(p.line)
    const from = Math.min(line.from + Math.max((p.column ?? 1) - 1, 0), line.to)
    return { from, to: Math.max(line.to, from), severity: 'error', message }
  })
}

