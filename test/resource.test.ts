import * as oauth from 'oauth4webapi'
import { describe, expect, it, vi } from 'vitest'
import { resolveOptions } from '../src/core/options.js'
import { refreshSession } from '../src/core/refresh.js'
import { addResourceParams, requestedTarget, resolveResources, tokenFor } from '../src/features/resource.js'
import { sessionFromTokens, type Session } from '../src/core/session.js'

const API = 'https://api.example/'
const REPORTS = 'https://reports.example/'

describe('resolveResources', () => {
  it('takes one URI or a list, absolute and without fragment (RFC 8707 §2)', () => {
    expect(resolveResources(undefined)).toEqual([])
    expect(resolveResources(API)).toEqual([API])
    expect(resolveResources([API, 'urn:example:reports'])).toEqual([API, 'urn:example:reports'])
  })

  it.each([
    ['a relative URI', '/api'],
    ['a fragment', 'https://api.example/#v1'],
    ['an empty list', []],
    ['a non-string', [API, 42]],
  ])('rejects %s with config_error', (_name, value) => {
    expect(() => resolveResources(value)).toThrow(expect.objectContaining({ code: 'config_error' }))
    expect(() =>
      resolveOptions({ issuer: 'https://as.example', clientId: 'spa', redirectUri: 'https://app.example/cb', resource: value as string }),
    ).toThrow(expect.objectContaining({ code: 'config_error' }))
  })
})

describe('addResourceParams', () => {
  it('sends every resource with the authorization request', () => {
    const url = new URL('https://as.example/authorize?client_id=spa')
    addResourceParams(url, [API, REPORTS])
    expect(url.searchParams.getAll('resource')).toEqual([API, REPORTS])
  })
})

describe('requestedTarget', () => {
  it("is the session's own token for no options, or the first configured resource without scope", () => {
    expect(requestedTarget([API, REPORTS])).toBeUndefined()
    expect(requestedTarget([API, REPORTS], API)).toBeUndefined()
    expect(requestedTarget([])).toBeUndefined()
  })

  it('defaults the resource to the first configured one when only a scope is asked for', () => {
    expect(requestedTarget([API, REPORTS], undefined, 'api:read')).toEqual({ resource: API, scope: 'api:read' })
    expect(requestedTarget([API, REPORTS], REPORTS)).toEqual({ resource: REPORTS, scope: undefined })
  })

  it('rejects a malformed resource or an empty scope with config_error', () => {
    expect(() => requestedTarget([API], 'reports')).toThrow(expect.objectContaining({ code: 'config_error' }))
    expect(() => requestedTarget([API], API, ' ')).toThrow(expect.objectContaining({ code: 'config_error' }))
  })
})

describe('refresh for a resource', () => {
  const metadata: oauth.AuthorizationServer = { issuer: 'https://as.example', token_endpoint: 'https://as.example/token' }
  const session: Session = {
    accessToken: 'api-token',
    tokenType: 'bearer',
    receivedAt: 1,
    expiresAt: 60_001,
    refreshToken: 'r1',
    metadata,
  }

  function serverAnswering(body: Record<string, unknown>) {
    const requests: URLSearchParams[] = []
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      requests.push(new URLSearchParams(String(init?.body)))
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
    })
    const options = resolveOptions({
      issuer: 'https://as.example',
      clientId: 'spa',
      redirectUri: 'https://app.example/cb',
      fetch,
      resource: [API, REPORTS],
    })
    return { options, requests }
  }

  it("asks for the session's own token with the first resource", async () => {
    const { options, requests } = serverAnswering({ access_token: 'api-2', token_type: 'Bearer', refresh_token: 'r2' })
    const next = await refreshSession(options, session)
    expect(requests[0].getAll('resource')).toEqual([API])
    expect(requests[0].has('scope')).toBe(false)
    expect(next).toMatchObject({ accessToken: 'api-2', refreshToken: 'r2' })
  })

  it("caches a target's token beside the session's own, with the rotated refresh token", async () => {
    const { options, requests } = serverAnswering({
      access_token: 'reports-1',
      token_type: 'Bearer',
      expires_in: 30,
      refresh_token: 'r2',
    })
    const target = { resource: REPORTS, scope: 'reports:read' }
    const next = await refreshSession(options, session, undefined, target)

    expect(Object.fromEntries(requests[0])).toMatchObject({ grant_type: 'refresh_token', resource: REPORTS, scope: 'reports:read' })
    expect(next).toMatchObject({ accessToken: 'api-token', expiresAt: 60_001, refreshToken: 'r2' })
    expect(tokenFor(next, target)).toMatchObject({ accessToken: 'reports-1', tokenType: 'bearer' })
    expect(tokenFor(next, { resource: REPORTS })).toBeUndefined()
    expect(tokenFor(next, undefined)?.accessToken).toBe('api-token')

    // A later refresh of the session's own token keeps the cached ones.
    const refreshed = sessionFromTokens({ access_token: 'api-3', token_type: 'bearer' }, metadata, next)
    expect(tokenFor(refreshed, target)?.accessToken).toBe('reports-1')
  })
})
