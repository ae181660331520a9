// The class's figures as the live page draws them: the server's charts
// turned into uPlot's columns (x values, then y values), and when to read
// them again as the matrix moves.
import type { ClassCharts } from './api'

// Series is what one plot draws: x values, y values, and the words under
// each x when x is a category rather than a time.
export interface Series {
  x: number[]
  y: number[]
  labels: string[]
}

// solvesOverTime is the class's solve count, stepping up at each solve,
// with x in seconds since 1970 as uPlot's time scale wants.
export function solvesOverTime(c: ClassCharts): Series {
  return { x: c.solves.map((p) => Date.parse(p.at) / 1000), y: c.solves.map((p) => p.solves), labels: [] }
}

// timeRange is the span of the solves' times, in seconds, padded so a
// first solve alone shows as a moment within an hour rather than within
// years.
export function timeRange(min: number, max: number): [number, number] {
  const pad = Math.max(300, (max - min) * 0.05)
  return [min - pad, max + pad]
}

// scoreBands is the members per score band, each band named by where it
// starts, short enough for a phone; the table gives each band in full.
export function scoreBands(c: ClassCharts): Series {
  return {
    x: c.score_bands.map((_, i) => i),
    y: c.score_bands.map((b) => b.trainees),
    labels: c.score_bands.map((b) => String(b.from)),
  }
}

// objectiveNumbers maps each objective to its place among the matrix's
// columns, counting from 1: the short name the plots use.
export function objectiveNumbers(c: ClassCharts): Map<string, number> {
  return new Map(c.time_to_solve.map((t, i) => [t.objective_id, i + 1]))
}

// timeToSolve is the median minutes of the objectives somebody solved,
// rounded to a tenth, named by their number.
export function timeToSolve(c: ClassCharts): Series {
  const numbers = objectiveNumbers(c)
  const solved = c.time_to_solve.filter((t) => t.solves > 0)
  return {
    x: solved.map((_, i) => i),
    y: solved.map((t) => Math.round(t.median_minutes * 10) / 10),
    labels: solved.map((t) => String(numbers.get(t.objective_id))),
  }
}

// stuckAt is the objectives with the most wrong attempts, at most `top`,
// most first, named by their number.
export function stuckAt(c: ClassCharts, top = 5): Series {
  const numbers = objectiveNumbers(c)
  const worst = c.stuck.slice(0, top)
  return { x: worst.map((_, i) => i), y: worst.map((s) => s.wrong), labels: worst.map((s) => String(numbers.get(s.objective_id))) }
}

// nothingYet is true while the class has neither a solve nor a wrong
// attempt: the page shows words instead of empty plots.
export function nothingYet(c: ClassCharts): boolean {
  return c.solves.length === 0 && c.stuck.length === 0
}

// cellsKey sums up the matrix's cells in one string, which changes exactly
// when a cell event moves a cell: the signal to read the charts again.
export function cellsKey(rows: { cells?: string[] }[] | undefined): string {
  return (rows ?? []).map((r) => (r.cells ?? []).map((c) => c[0]).join('')).join('|')
}

// debounce runs fn once calls have paused for ms, so a burst of solves
// costs one read; cancel drops a pending call.
export function debounce(fn: () => void, ms: number): { call: () => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined
  return {
    call: () => {
      clearTimeout(timer)
      timer = setTimeout(fn, ms)
    },
    cancel: () => clearTimeout(timer),
  }
}
