// What a lab's state means to the pages that show it.
import type { Lab } from './api'
import { m } from '../paraglide/messages.js'

// ended is true for labs that will not run again: stopped or failed.
export const ended = (l: Lab) => l.state === 'stopped' || l.state === 'failed'

// failureReason is the failure in the trainee's words, never blank.
export const failureReason = (l: Lab) =>
  l.reason?.trim() || m.lab_failed_no_reason()
