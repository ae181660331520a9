import { describe, expect, it } from 'vitest'
import { ApiError, createClient } from './api'

describe('roster import', () => {
  it('sends the file as text/csv and hands back every wrong row', async () => {
    let sent: { type: string | null; body: unknown } | null = null
    const fetchImpl = async (_: RequestInfo | URL, init?: RequestInit) => {
      sent = { type: new Headers(init?.headers).get('Content-Type'), body: init?.body }
      return new Response(
        JSON.stringify({
          error: { code: 'roster_rows_invalid', message: 'Some rows are wrong.', field: 'file' },
          rows: [{ line: 3, field: 'email', code: 'email_duplicate', message: 'Also on line 2.' }],
        }),
        { status: 400, headers: { 'Content-Type': 'application/json' } },
      )
    }
    const client = createClient(fetchImpl as typeof fetch)
    const file = '\uFEFFemail,givenName\nhanako@uni.example,花子\n'
    const err = await client.importRoster('c1', file).catch((e) => e)
    expect(sent).toEqual({ type: 'text/csv', body: file })
    expect(err).toBeInstanceOf(ApiError)
    expect(err.code).toBe('roster_rows_invalid')
    expect(err.rows).toEqual([{ line: 3, field: 'email', code: 'email_duplicate', message: 'Also on line 2.' }])
  })
})
