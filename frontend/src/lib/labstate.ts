// What a lab's state means to the pages that show it.
import type { Lab } from './api'

// ended is true for labs that will not run again: stopped or failed.
export const ended = (l: Lab) => l.state === 'stopped' || l.state === 'failed'

// failureReason is the failure in the trainee's words, never blank.
export const failureReason = (l: Lab) =>
  l.reason?.trim() || 'The range recorded no reason. Launch it again; if it fails again, tell your instructor.'
