// A launch from a learning platform (LTI) signs the person in with the
// refresh cookie and sends the browser to /lti/landed#to=<path>. The app
// tries the cookie on load only when this browser expects a session, so
// that page says it should, then goes on to the page the launch was for.
import { expectSession } from './api'

// landFromLaunch returns true when it is sending the browser on; the app
// then does not start on this page.
export function landFromLaunch(loc: Pick<Location, 'pathname' | 'hash' | 'replace'>): boolean {
  if (loc.pathname !== '/lti/landed') return false
  const to = new URLSearchParams(loc.hash.slice(1)).get('to') ?? '/'
  expectSession()
  // Only a path of the range: never another site.
  loc.replace(to.startsWith('/') && !to.startsWith('//') && !to.startsWith('/\\') ? to : '/')
  return true
}
