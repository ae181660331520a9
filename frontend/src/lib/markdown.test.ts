// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { markdown } from './markdown'

describe('markdown', () => {
  it('renders paragraphs, emphasis and code', () => {
    const html = markdown('Acme runs a **link preview** app.\n\nUse `curl $WEB`.')
    expect(html).toContain('<p>Acme runs a <strong>link preview</strong> app.</p>')
    expect(html).toContain('<code>curl $WEB</code>')
  })
  it('drops scripts, handlers and javascript: links', () => {
    const html = markdown('<script>alert(1)</script><a href="javascript:alert(2)" onclick="x()">go</a> <b onmouseover="y()">b</b>')
    expect(html).not.toMatch(/script|onclick|onmouseover|javascript:/i)
  })
  it('opens links in a new tab without the opener', () => {
    expect(markdown('[ATT&CK](https://attack.mitre.org/)')).toContain('rel="noopener noreferrer"')
  })
  it('takes nothing for nothing', () => {
    expect(markdown(undefined)).toBe('')
  })
})
