// The instructor's live matrix in the browser: the server's snapshot,
// cell and row events folded into one value, and a stream that reconnects
// by itself (each reconnect starts from a fresh snapshot).
import { ApiError, type LiveCell, type LiveRow, type LiveSnapshot } from './api'
import { m } from '../paraglide/messages.js'

export type CellState = LiveCell['state']

export interface Matrix {
  scenario: string
  columns: LiveSnapshot['columns']
  rows: LiveRow[]
  at: string
}

// applyEvent returns the matrix after one event; unknown events change nothing.
export function applyEvent(m: Matrix | null, name: string, data: unknown): Matrix | null {
  if (name === 'snapshot') {
    const s = data as LiveSnapshot
    return { scenario: s.scenario, columns: s.columns, rows: s.rows, at: s.at }
  }
  if (!m) return m
  if (name === 'cell') {
    const c = data as LiveCell
    const col = m.columns.findIndex((x) => x.id === c.objective_id)
    if (col < 0) return m
    return {
      ...m,
      rows: m.rows.map((r) => {
        if (r.trainee_id !== c.trainee_id) return r
        const cells = [...(r.cells ?? [])]
        cells[col] = c.state
        return { ...r, cells }
      }),
    }
  }
  if (name === 'row') {
    const next = data as LiveRow
    return { ...m, rows: m.rows.map((r) => (r.trainee_id === next.trainee_id ? { ...next, cells: r.cells } : r)) }
  }
  return m
}

// cellLabel is a cell in words, so it never rests on colour alone.
export function cellLabel(s: CellState | undefined): string {
  return s === 'solved' ? m.stafflab_solved() : s === 'attempted' ? m.live_attempted() : m.assignment_not_started()
}

// onTask is time on task in short words, counting on while the lab runs.
export function onTask(row: LiveRow, sentAt: string, now: Date): string {
  let seconds = row.time_on_task_seconds
  if (row.lab?.state === 'running' && row.lab.started_at) {
    seconds += Math.max(0, Math.floor((now.getTime() - new Date(sentAt).getTime()) / 1000))
  }
  if (!row.lab?.started_at) return '—'
  const h = Math.floor(seconds / 3600)
  const min = Math.floor((seconds % 3600) / 60)
  if (h > 0) return m.live_on_task_hours({ h, min: String(min).padStart(2, '0') })
  if (min > 0) return m.duration_minutes({ min })
  return m.duration_seconds({ s: seconds })
}

export type LinkState = 'connecting' | 'live' | 'reconnecting'

// follow keeps a stream open until signal aborts: when it ends or drops it
// opens again after a pause that grows to 15 s, passing the last event id
// as a browser's EventSource would. A refusal (a 4xx other than 429)
// stops it: that will not mend by waiting.
export async function follow(
  open: (lastEventId: string | undefined, seen: (id: string) => void) => Promise<void>,
  signal: AbortSignal,
  onLink: (s: LinkState) => void,
  pause: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  let last: string | undefined
  let delay = 1000
  onLink('connecting')
  while (!signal.aborted) {
    try {
      await open(last, (id) => {
        if (id) last = id
        delay = 1000
        onLink('live')
      })
    } catch (e) {
      if (signal.aborted) return
      if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429) throw e
    }
    if (signal.aborted) return
    onLink('reconnecting')
    await pause(delay)
    delay = Math.min(delay * 2, 15000)
  }
}
