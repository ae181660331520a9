// The scenario editor's CodeMirror set-up: YAML with completion from the
// manifest's JSON Schema (codemirror-json-schema), and problems from the
// range's own check of the manifest, placed at their line and column.
import { EditorState, type Extension } from '@codemirror/state'
import { EditorView, keymap, lineNumbers, highlightActiveLine } from '@codemirror/view'
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { yaml } from '@codemirror/lang-yaml'
import { linter, lintGutter } from '@codemirror/lint'
import { autocompletion } from '@codemirror/autocomplete'
import { stateExtensions } from 'codemirror-json-schema'
import { yamlCompletion } from 'codemirror-json-schema/yaml'
import { diagnostics, type Problem } from './problems'

export type { Problem } from './problems'

export type Schema = Parameters<typeof stateExtensions>[0]

// editorState makes the state of one file, checked by check as it
// changes (the range checks the folder, and answers this file's problems).
// scenario.yaml completes from schema; YAML files are highlighted; anything
// else is plain text.
export function editorState(
  path: string,
  text: string,
  onChange: (text: string) => void,
  check?: (text: string) => Promise<Problem[]>,
  schema?: Schema,
): EditorState {
  const ext: Extension[] = [
    lineNumbers(),
    highlightActiveLine(),
    history(),
    keymap.of([...defaultKeymap, ...historyKeymap]),
    EditorView.lineWrapping,
    EditorView.updateListener.of((u) => {
      if (u.docChanged) onChange(u.state.doc.toString())
    }),
    EditorView.contentAttributes.of({ 'aria-label': path }),
  ]
  if (path.endsWith('.yaml')) ext.push(yaml())
  if (check) ext.push(lintGutter(), linter(async (view) => diagnostics(view.state.doc, await check(view.state.doc.toString())), { delay: 400 }))
  if (path === 'scenario.yaml' && check) {
    if (schema) {
      const complete = yamlCompletion()
      // It answers [] where it has nothing; CodeMirror wants null there.
      ext.push(stateExtensions(schema), autocompletion({ override: [(ctx) => { const r = complete(ctx); return Array.isArray(r) ? null : r }] }))
    }
  }
  return EditorState.create({ doc: text, extensions: ext })
}
