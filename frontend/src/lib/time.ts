import { m } from '../paraglide/messages.js'

// timeLeft says how long until an instant, in words a person scans quickly.
export function timeLeft(until: string, now = Date.now()): string {
  const ms = new Date(until).getTime() - now
  if (ms <= 0) return m.time_ending_now()
  const min = Math.round(ms / 60000)
  if (min < 1) return m.time_under_a_minute()
  if (min < 60) return m.time_minutes_left({ min })
  const h = Math.floor(min / 60)
  return m.time_hours_left({ h, min: min % 60 })
}
