// The language and time zone the app is read in. Messages are compiled from
// messages/{en,ja}.json by Paraglide into typed functions (m.key()), so a
// key that does not exist fails the type check. Paraglide asks getLocale()
// for the language on every call; pointing it at a rune makes each message
// in a template re-render when the language changes, without reloading the
// page (which would end open terminals).
import { baseLocale, isLocale, overwriteGetLocale, type Locale } from '../paraglide/runtime.js'
import { api, setRequestLanguage, type User } from './api'

const storageKey = 'sakimori.language'

// content is the language the server has been told of: the page's data
// (scenario texts) is fetched again when it changes (App.svelte).
export const reading = $state<{ language: Locale; timeZone: string; content: Locale }>({ language: baseLocale, timeZone: '', content: baseLocale })

overwriteGetLocale(() => reading.language)

// browserLanguage is the first of the browser's languages the app is
// written in, or English.
export function browserLanguage(languages: readonly string[]): Locale {
  for (const l of languages) {
    const primary = l.toLowerCase().split('-')[0]
    if (isLocale(primary)) return primary
  }
  return baseLocale
}

function apply(language: Locale) {
  reading.language = language
  reading.content = language
  setRequestLanguage(language)
  if (typeof document !== 'undefined') document.documentElement.lang = language
}

// startLanguage picks the language before anyone signs in: the one chosen
// on this browser before, else the browser's own.
export function startLanguage() {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(storageKey) : null
  apply(saved && isLocale(saved) ? saved : browserLanguage(typeof navigator !== 'undefined' ? navigator.languages : []))
}

// adoptAccount follows the signed-in account's choices, when it has made them.
export function adoptAccount(user: User | null) {
  if (!user) return
  if (user.language && isLocale(user.language)) {
    apply(user.language)
    localStorage.setItem(storageKey, user.language)
  }
  reading.timeZone = user.time_zone ?? ''
}

// chooseLanguage is the switch in the header: the choice is kept on this
// browser and, for a signed-in person, on their account.
// The page's data follows once the account has the choice, as the server
// words scenarios in the account's language.
export async function chooseLanguage(language: Locale, user: User | null) {
  const before = reading.content
  apply(language)
  localStorage.setItem(storageKey, language)
  if (user) {
    reading.content = before
    await api.setPreferences({ language, time_zone: user.time_zone ?? '' }).catch(() => {})
    reading.content = language
  }
}

// timeZone is the zone dates are shown in: the account's, else Asia/Tokyo
// for a Japanese reader, else the browser's own.
export function timeZone(): string | undefined {
  if (reading.timeZone) return reading.timeZone
  if (reading.language === 'ja') return 'Asia/Tokyo'
  return undefined
}

// formatDate shows an instant in the reader's language and time zone: its
// date, its time of day, or both.
export function formatDate(iso: string | Date, style: 'date' | 'time' | 'datetime' = 'datetime'): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso
  if (Number.isNaN(d.getTime())) return String(iso)
  return new Intl.DateTimeFormat(reading.language, {
    dateStyle: style === 'time' ? undefined : 'medium',
    timeStyle: style === 'date' ? undefined : 'short',
    timeZone: timeZone(),
  }).format(d)
}
