// Catalogue filtering, kept apart from the page so it is tested on its own.
import type { Scenario } from './api'
import { m } from '../paraglide/messages.js'

export interface Filters {
  text: string
  track: '' | 'attack' | 'defence'
  difficulty: string
  technique: string
  role: string
  incident: string
}

export const noFilters: Filters = { text: '', track: '', difficulty: '', technique: '', role: '', incident: '' }

const difficultyOrder = ['beginner', 'intermediate', 'advanced', 'expert']

// options lists what each filter can choose among the scenarios given.
export function options(all: Scenario[]) {
  const uniq = (xs: string[]) => [...new Set(xs)].sort((a, b) => a.localeCompare(b))
  return {
    difficulties: uniq(all.map((s) => s.difficulty)).sort((a, b) => difficultyOrder.indexOf(a) - difficultyOrder.indexOf(b)),
    techniques: uniq(all.flatMap((s) => s.attack)),
    roles: uniq(all.flatMap((s) => s.nice_roles)),
    incidents: uniq(all.flatMap((s) => s.incidents.map((i) => i.name))),
  }
}

// matches reports whether a scenario passes every filter set.
export function matches(s: Scenario, f: Filters): boolean {
  if (f.track && !s.tracks.includes(f.track)) return false
  if (f.difficulty && s.difficulty !== f.difficulty) return false
  // A technique filter T1552 also matches its sub-techniques (T1552.005).
  if (f.technique && !s.attack.some((t) => t === f.technique || t.startsWith(f.technique + '.'))) return false
  if (f.role && !s.nice_roles.includes(f.role)) return false
  if (f.incident && !s.incidents.some((i) => i.name === f.incident)) return false
  const text = searchable(f.text).trim()
  if (text) {
    const hay = searchable([s.title, s.summary, ...s.incidents.map((i) => i.name), ...s.attack].join(' '))
    if (!text.split(/\s+/).every((w) => hay.includes(w))) return false
  }
  return true
}

// searchable is text in the one form search compares: NFKC maps full-width
// letters and digits (ＳＳＲＦ, ２０１９) and half-width katakana (ﾒﾀﾃﾞｰﾀ) to
// their usual forms, case is folded, and katakana become hiragana, so
// メタデータ and めたでーた find each other.
export function searchable(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u30a1-\u30f6]/g, (k) => String.fromCharCode(k.charCodeAt(0) - 0x60))
}

export function active(f: Filters): boolean {
  return Object.values(f).some((v) => v !== '')
}

// duration turns Go's "1h30m0s" into "1 h 30 min" (in Japanese "1 時間 30 分").
export function duration(d: string): string {
  const h = /(\d+)h/.exec(d)?.[1]
  const min = /(\d+)m/.exec(d)?.[1]
  return [h && h !== '0' ? m.duration_hours({ h }) : '', min && min !== '0' ? m.duration_minutes({ min }) : ''].filter(Boolean).join(' ') || d
}
