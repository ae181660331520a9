import { afterEach, describe, expect, it } from 'vitest'
import { reading } from './i18n.svelte'
import { labStepName } from './words'

// The server reports a lab's start-up in its own English steps; the page
// shows them in the reader's language, and a step it does not know as is.
describe('labStepName', () => {
  afterEach(() => (reading.language = 'en'))
  const steps = ['queued', 'creating networks and hosts', 'waiting for hosts to run', 'removing the old hosts', 'removing hosts and networks']

  it('names every step in Japanese', () => {
    reading.language = 'ja'
    for (const s of steps) expect(labStepName(s)).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/)
    expect(labStepName('a step from a newer server')).toBe('a step from a newer server')
  })

  it('names them in English too', () => {
    expect(labStepName('queued')).toBe('Queued')
  })
})
