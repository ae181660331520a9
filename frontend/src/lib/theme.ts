// Light, dark, or whatever the system prefers; remembered per browser. The
// stylesheet has one set of dark colours, keyed on data-theme, so "system"
// is resolved here and followed when the system setting changes.
export type Theme = 'system' | 'light' | 'dark'

const key = 'sakimori.theme'
const prefersDark = matchMedia('(prefers-color-scheme: dark)')
let chosen: Theme = 'system'

export function currentTheme(): Theme {
  const t = localStorage.getItem(key)
  return t === 'light' || t === 'dark' ? t : 'system'
}

export function applyTheme(t: Theme) {
  chosen = t
  if (t === 'system') localStorage.removeItem(key)
  else localStorage.setItem(key, t)
  paint()
}

function paint() {
  const dark = chosen === 'dark' || (chosen === 'system' && prefersDark.matches)
  document.documentElement.dataset.theme = dark ? 'dark' : 'light'
}

prefersDark.addEventListener('change', paint)

export function nextTheme(t: Theme): Theme {
  return t === 'system' ? 'dark' : t === 'dark' ? 'light' : 'system'
}
