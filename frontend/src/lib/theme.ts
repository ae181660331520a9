// Light, dark, or whatever the system prefers; remembered per browser.
export type Theme = 'system' | 'light' | 'dark'

const key = 'sakimori.theme'

export function currentTheme(): Theme {
  const t = localStorage.getItem(key)
  return t === 'light' || t === 'dark' ? t : 'system'
}

export function applyTheme(t: Theme) {
  if (t === 'system') {
    localStorage.removeItem(key)
    delete document.documentElement.dataset.theme
  } else {
    localStorage.setItem(key, t)
    document.documentElement.dataset.theme = t
  }
}

export function nextTheme(t: Theme): Theme {
  return t === 'system' ? 'dark' : t === 'dark' ? 'light' : 'system'
}
