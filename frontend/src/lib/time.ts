// timeLeft says how long until an instant, in words a person scans quickly.
export function timeLeft(until: string, now = Date.now()): string {
  const ms = new Date(until).getTime() - now
  if (ms <= 0) return 'ending now'
  const min = Math.round(ms / 60000)
  if (min < 1) return 'under a minute left'
  if (min < 60) return `${min} min left`
  const h = Math.floor(min / 60)
  return `${h} h ${min % 60} min left`
}
