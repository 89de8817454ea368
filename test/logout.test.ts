import { describe, expect, it } from 'vitest'
import { endSessionUrl, revokeRefreshToken } from '../src/core/logout.js'
import { resolveOptions } from '../src/core/options.js'
import type { Session } from '../src/core/session.js'

const metadata = {
  issuer: 'https://as.example',
  revocation_endpoint: 'https://as.example/revoke',
  end_session_endpoint: 'https://as.example/logout',
}
const session = { refreshToken: 'rt' } as unknown as Session

type Fetch = (url: string, init: RequestInit) => Promise<Response>

const withFetch = (fetch: Fetch, timeoutSeconds?: number) =>
  resolveOptions({ issuer: metadata.issuer, clientId: 'spa', redirectUri: 'https://app.example/cb', fetch: fetch as typeof globalThis.fetch, timeoutSeconds })

describe('revokeRefreshToken', () => {
  const refusals: [string, Fetch][] = [
    ['401 invalid_client (public clients refused)', async () => Response.json({ error: 'invalid_client' }, { status: 401 })],
    ['400 with an empty body', async () => new Response(null, { status: 400 })],
    ['503 with an HTML page', async () => new Response('<h1>down</h1>', { status: 503, headers: { 'content-type': 'text/html' } })],
    ['no answer at all', () => Promise.reject(new TypeError('Failed to fetch'))],
    // As a real fetch does, it gives up when the request's signal (timeoutSeconds) aborts.
    ['an answer that never comes', (_url, { signal }) => new Promise((_, reject) => signal!.addEventListener('abort', () => reject(signal!.reason)))],
  ]
  for (const [name, fetch] of refusals) {
    it(`resolves when the server refuses or fails: ${name}`, async () => {
      let requests = 0
      const counted: Fetch = (url, init) => ((requests += 1), fetch(url, init))
      await expect(revokeRefreshToken(withFetch(counted, 0.2), metadata, session)).resolves.toBeUndefined()
      expect(requests).toBe(1)
    })
  }
})

describe('endSessionUrl', () => {
  const request = { clientId: 'spa', idTokenHint: 'id.token', state: 'tag.random' }

  it('sends the state with post_logout_redirect_uri (RP-Initiated Logout §2)', () => {
    const url = endSessionUrl(metadata, { ...request, postLogoutRedirectUri: 'https://app.example/bye' }, false)!
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'spa',
      id_token_hint: 'id.token',
      post_logout_redirect_uri: 'https://app.example/bye',
      state: 'tag.random',
    })
  })

  it('sends logout_hint when given one', () => {
    expect(endSessionUrl(metadata, { ...request, logoutHint: 'user@example.com' }, false)!.searchParams.get('logout_hint')).toBe('user@example.com')
    expect(endSessionUrl(metadata, request, false)!.searchParams.has('logout_hint')).toBe(false)
  })

  it('sends no state when the server is not asked to redirect back', () => {
    expect(endSessionUrl(metadata, request, false)!.searchParams.has('state')).toBe(false)
  })

  it('is undefined without an end_session_endpoint', () => {
    expect(endSessionUrl({ issuer: metadata.issuer }, { ...request, postLogoutRedirectUri: 'https://app.example/bye' }, false)).toBeUndefined()
  })
})
