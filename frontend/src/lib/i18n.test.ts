// The app's words live in messages/{en,ja}.json and nowhere else. This test
// fails when a message has no Japanese, or when a .svelte file shows text
// or a person-facing attribute written in the markup rather than taken
// from the catalogue (m.key()).
import { describe, expect, it } from 'vitest'
import { browserLanguage } from './i18n.svelte'

const catalogue = import.meta.glob<Record<string, string>>('/messages/*.json', { eager: true, import: 'default' })
const en = catalogue['/messages/en.json']
const ja = catalogue['/messages/ja.json']
// Every component's source, by its path from the frontend folder.
const sources = Object.fromEntries(
  Object.entries(import.meta.glob<string>('/src/**/*.svelte', { eager: true, query: '?raw', import: 'default' })).map(
    ([path, text]) => [path.slice(1), text],
  ),
)
const keys = (o: Record<string, string>) => Object.keys(o).filter((k) => !k.startsWith('$'))

// withoutExpressions blanks every {…} of the markup, nested braces and
// quoted strings within them included, so only literal text remains.
function withoutExpressions(markup: string): string {
  let out = ''
  let depth = 0
  let quote = ''
  for (let i = 0; i < markup.length; i++) {
    const ch = markup[i]
    if (depth > 0) {
      if (quote) {
        if (ch === '\\') i++
        else if (ch === quote) quote = ''
      } else if (ch === "'" || ch === '"' || ch === '`') quote = ch
      else if (ch === '{') depth++
      else if (ch === '}') depth--
      out += ch === '\n' ? '\n' : ' '
      continue
    }
    if (ch === '{') {
      depth = 1
      out += ' '
      continue
    }
    out += ch
  }
  return out
}

// Words a reader sees that are the same in every language: the product's
// name. Anything else with a letter in it is for the catalogue.
const isWords = (s: string) => /\p{L}/u.test(s.replace(/Sakimori|防人/g, ''))

// hardCoded lists the literal text and person-facing attribute values of a
// component's markup.
export function hardCoded(source: string): string[] {
  const markup = withoutExpressions(
    source
      .replace(/<script[\s\S]*?<\/script>/g, '')
      .replace(/<style[\s\S]*?<\/style>/g, '')
      .replace(/<!--[\s\S]*?-->/g, ''),
  )
  const found: string[] = []
  const attrs = /\s(?:title|aria-label|aria-description|placeholder|alt|label|aria-valuetext)="([^"]*)"/g
  for (const [, value] of markup.matchAll(attrs)) {
    if (isWords(value)) found.push(value.trim())
  }
  const text = markup.replace(/<[^>]*>/g, '\n').replace(/&[a-z]+;|&#\d+;/g, ' ')
  for (const line of text.split('\n')) {
    const t = line.trim()
    if (isWords(t)) found.push(t)
  }
  return found
}

describe('the message catalogue', () => {
  it('has every message in Japanese, and nothing only in Japanese', () => {
    const missing = keys(en).filter((k) => !ja[k]?.trim())
    const extra = keys(ja).filter((k) => !(k in en))
    expect(missing, 'messages with no Japanese').toEqual([])
    expect(extra, 'Japanese messages with no English').toEqual([])
  })

  it('keeps the same placeholders in both languages', () => {
    const slots = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort()
    const differ = keys(en).filter((k) => ja[k] && slots(en[k]).join() !== slots(ja[k]).join())
    expect(differ).toEqual([])
  })
})

describe('the components', () => {
  const files = Object.keys(sources)

  it('are all found', () => {
    expect(files.length).toBeGreaterThan(40)
  })

  for (const name of files) {
    it(`${name} shows no text outside the catalogue`, () => {
      expect(hardCoded(sources[name])).toEqual([])
    })
  }
})

describe('the scanner', () => {
  it('finds text and attributes, and leaves expressions alone', () => {
    const src = `<script>const a = 'Hidden'</script>
<h1>Sign in</h1>
<p>{m.hello()}</p>
<button title="Close" aria-label={m.close()}>×</button>
<input placeholder="name@example.org" />
<p>{n > 1 ? 'many {x}' : "one"} · Sakimori</p>`
    expect(hardCoded(src)).toEqual(['Close', 'name@example.org', 'Sign in'])
  })
})

describe('the language before sign-in', () => {
  it('is the first of the browser languages the app speaks', () => {
    expect(browserLanguage(['fr-FR', 'ja-JP', 'en'])).toBe('ja')
    expect(browserLanguage(['en-GB', 'ja'])).toBe('en')
    expect(browserLanguage(['de'])).toBe('en')
  })
})
