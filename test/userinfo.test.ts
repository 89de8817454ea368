import * as oauth from 'oauth4webapi'
import { describe, expect, it, vi } from 'vitest'
import { toAuthError } from '../src/core/errors.js'
import { resolveOptions } from '../src/core/options.js'
import type { User } from '../src/core/session.js'
import { fetchUserInfo, mergeUserInfo } from '../src/features/userinfo.js'

const issuer = 'https://as.example'
const metadata: oauth.AuthorizationServer = { issuer, userinfo_endpoint: `${issuer}/userinfo` }
const user: User = {
  iss: issuer,
  sub: 'user-ada',
  aud: 'spa',
  exp: 2_000_000_000,
  iat: 1_900_000_000,
  auth_time: 1_899_999_000,
  nonce: 'n-1',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
}

describe('mergeUserInfo', () => {
  it('puts UserInfo claims over the ID token claims, except those about the token and the authentication', () => {
    const merged = mergeUserInfo(user, {
      sub: 'user-ada',
      name: 'Ada King',
      picture: 'https://example.com/ada.png',
      iss: 'https://evil.example',
      aud: 'someone-else',
      exp: 1,
      auth_time: 2,
      nonce: 'other',
    })
    expect(merged).toEqual({ ...user, name: 'Ada King', picture: 'https://example.com/ada.png' })
  })
})

describe('fetchUserInfo', () => {
  function setup(...answers: (() => Response)[]) {
    const fetch = vi.fn(async (_url: string, init: { headers: Record<string, string> }) => {
      void init
      return answers.shift()!()
    })
    const options = resolveOptions({ issuer, clientId: 'spa', redirectUri: 'https://app.example/cb', fetch: fetch as never })
    let n = 1
    const credentials = vi.fn(async (forceRefresh: boolean) => ({ accessToken: `token-${forceRefresh ? ++n : n}` }))
    return { options, fetch, credentials }
  }

  it('reads the claims of the expected subject with the access token', async () => {
    const { options, fetch, credentials } = setup(() => Response.json({ sub: 'user-ada', name: 'Ada King' }))
    expect(await fetchUserInfo(options, metadata, 'user-ada', credentials)).toEqual({ sub: 'user-ada', name: 'Ada King' })
    expect(fetch.mock.calls[0][0]).toBe(`${issuer}/userinfo`)
    expect(fetch.mock.calls[0][1].headers.authorization).toBe('Bearer token-1')
  })

  it('refuses claims about another subject with invalid_response (OIDC Core §5.3.2)', async () => {
    const { options, credentials } = setup(() => Response.json({ sub: 'user-mallory', name: 'Mallory' }))
    const error = await fetchUserInfo(options, metadata, 'user-ada', credentials).catch((e) => e)
    expect(toAuthError(error).code).toBe('invalid_response')
  })

  it('refreshes once and asks again after a 401 invalid_token', async () => {
    const { options, fetch, credentials } = setup(
      () => new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }),
      () => Response.json({ sub: 'user-ada' }),
    )
    expect(await fetchUserInfo(options, metadata, 'user-ada', credentials)).toEqual({ sub: 'user-ada' })
    expect(fetch.mock.calls.map(([, init]) => init.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
  })
})
