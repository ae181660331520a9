// Form state shared by every page: a busy flag, the error the server gave,
// and the field it named, so the message can sit under that input.
import { ApiError } from './api'
import { m } from '../paraglide/messages.js'

export class FormState {
  busy = $state(false)
  error = $state<string | null>(null)
  field = $state<string | null>(null)

  async run(action: () => Promise<unknown>) {
    this.busy = true
    this.error = this.field = null
    try {
      await action()
    } catch (e) {
      this.error = e instanceof ApiError ? e.message : m.something_went_wrong()
      this.field = e instanceof ApiError ? (e.field ?? null) : null
    } finally {
      this.busy = false
    }
  }

  // errorFor returns the message if the server blamed this field.
  errorFor(name: string): string | null {
    return this.field === name ? this.error : null
  }

  // formError returns the message if it belongs to no single field.
  get formError(): string | null {
    return this.field ? null : this.error
  }
}
