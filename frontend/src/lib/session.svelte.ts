// Who is signed in, shared by every page. It follows the API client, so a
// failed refresh anywhere signs the whole app out.
import { api, hasSessionHint, type SetupStatus, type User } from './api'

export const session = $state<{ user: User | null; ready: boolean; setup: SetupStatus | null }>({
  user: null,
  ready: false,
  setup: null,
})

api.onSession((s) => (session.user = s?.user ?? null))

// boot asks whether the range needs first-run setup, then resumes a session
// from the refresh cookie if this browser signed in and did not sign out.
export async function boot() {
  try {
    session.setup = await api.setupStatus()
    if (!session.setup.setup_required && hasSessionHint()) await api.refresh()
  } finally {
    session.ready = true
  }
}
