// Scenario stories and walkthroughs are markdown an author wrote. They are
// rendered by marked and then sanitised by DOMPurify, so an author's HTML
// (a script, an event handler, a javascript: link) never runs in the app.
import { Marked } from 'marked'
import DOMPurify from 'dompurify'

const marked = new Marked({ gfm: true, breaks: false, async: false })

// Links leave the app in a new tab, without the opener.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.getAttribute('href')) {
    node.setAttribute('target', '_blank')
    node.setAttribute('rel', 'noopener noreferrer')
  }
})

// markdown turns an author's text into HTML that is safe to insert.
export function markdown(text: string | undefined | null): string {
  const html = marked.parse(text ?? '') as string
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input', 'img'] })
}
