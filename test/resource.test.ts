import { IDBFactory } from 'fake-indexeddb'
import * as oauth from 'oauth4webapi'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { resolveOptions } from '../src/core/options.js'
import type { TokenSender } from '../src/core/plugins.js'
import { refreshSession } from '../src/core/refresh-request.js'
import { requestedTarget, tokenFor } from '../src/core/targets.js'
import { sessionFromTokens, type Session } from '../src/core/session.js'
import { memoryStore } from '../src/core/storage.js'
import { createAuthClient } from '../src/index.js'
import { resourceIndicators } from '../src/resource.js'

const API = 'https://api.example/'
const REPORTS = 'https://reports.example/'
const base = { issuer: 'https://as.example', clientId: 'spa', redirectUri: 'https://app.example/cb' }
/** A token request without what a plug-in would add (no DPoP). */
const plain: TokenSender = (request) => request({})
/** The feature `resourceIndicators(...)` gives the client. */
const feature = (...resources: string[]) => resourceIndicators(...resources).setup({ config: resolveOptions(base), store: memoryStore() })

describe('resourceIndicators', () => {
  it('takes one URI or more, absolute and without fragment (RFC 8707 §2)', () => {
    expect(resourceIndicators(API).resources).toEqual([API])
    expect(resourceIndicators(API, 'urn:example:reports').resources).toEqual([API, 'urn:example:reports'])
    expect(feature(API, REPORTS).resources).toEqual([API, REPORTS])
    expect(resolveOptions({ ...base, resource: resourceIndicators(API) }).resource).toBeDefined()
  })

  it.each([
    ['a relative URI', ['/api']],
    ['a fragment', ['https://api.example/#v1']],
    ['an empty list', []],
    ['a non-string', [API, 42]],
  ])('rejects %s with config_error at once', (_name, values) => {
    expect(() => resourceIndicators(...(values as string[]))).toThrow(expect.objectContaining({ code: 'config_error' }))
  })

  it("refuses what is not the plug-in (a string, a list) with config_error naming resourceIndicators() from 'pixie-auth/resource'", () => {
    for (const resource of [API, [API]]) {
      const options = { ...base, resource: resource as unknown as ReturnType<typeof resourceIndicators> }
      expect(() => resolveOptions(options)).toThrow(expect.objectContaining({ code: 'config_error', message: expect.stringContaining("resourceIndicators() from 'pixie-auth/resource'") }))
      expect(() => createAuthClient(options)).toThrow(expect.objectContaining({ code: 'config_error' }))
    }
  })
})

describe('the authorization request', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('carries every configured resource, so the grant covers each API (RFC 8707 §2.1)', async () => {
    globalThis.indexedDB = new IDBFactory()
    const navigations: string[] = []
    vi.stubGlobal('location', { href: 'https://app.example/', origin: 'https://app.example', assign: (url: URL) => void navigations.push(String(url)) })
    const metadata = { issuer: base.issuer, authorization_endpoint: 'https://as.example/authorize', token_endpoint: 'https://as.example/token' }
    const client = createAuthClient({ ...base, metadata, resource: resourceIndicators(API, REPORTS) })
    await client.loginWithRedirect()
    client.dispose()
    expect(new URL(navigations[0]!).searchParams.getAll('resource')).toEqual([API, REPORTS])
  })
})

describe('requestedTarget', () => {
  it("is the session's own token for no options, or the first configured resource without scope", () => {
    expect(requestedTarget(feature(API, REPORTS))).toBeUndefined()
    expect(requestedTarget(feature(API, REPORTS), API)).toBeUndefined()
    expect(requestedTarget(undefined)).toBeUndefined()
  })

  it('defaults the resource to the first configured one when only a scope is asked for', () => {
    expect(requestedTarget(feature(API, REPORTS), undefined, 'api:read')).toEqual({ resource: API, scope: 'api:read' })
    expect(requestedTarget(feature(API, REPORTS), REPORTS)).toEqual({ resource: REPORTS, scope: undefined })
  })

  it('asks for a scope alone without resourceIndicators(): the resource is left to the server', () => {
    expect(requestedTarget(undefined, undefined, 'api:read')).toEqual({ resource: undefined, scope: 'api:read' })
  })

  it('rejects a malformed resource or an empty scope with config_error', () => {
    expect(() => requestedTarget(feature(API), 'reports')).toThrow(expect.objectContaining({ code: 'config_error' }))
    expect(() => requestedTarget(feature(API), API, ' ')).toThrow(expect.objectContaining({ code: 'config_error' }))
    expect(() => requestedTarget(undefined, undefined, ' ')).toThrow(expect.objectContaining({ code: 'config_error' }))
  })

  it('rejects a resource without resourceIndicators() with config_error naming it', () => {
    expect(() => requestedTarget(undefined, API)).toThrow(
      expect.objectContaining({ code: 'config_error', message: expect.stringContaining('resourceIndicators()') }),
    )
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
      resource: resourceIndicators(API, REPORTS),
    })
    return { options, requests }
  }

  it("asks for the session's own token with the first resource", async () => {
    const { options, requests } = serverAnswering({ access_token: 'api-2', token_type: 'Bearer', refresh_token: 'r2' })
    const next = await refreshSession(options, metadata, session, plain, { resource: API })
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
    const next = await refreshSession(options, metadata, session, plain, { resource: API }, target)

    expect(Object.fromEntries(requests[0])).toMatchObject({ grant_type: 'refresh_token', resource: REPORTS, scope: 'reports:read' })
    expect(next).toMatchObject({ accessToken: 'api-token', expiresAt: 60_001, refreshToken: 'r2' })
    expect(tokenFor(next, target)).toMatchObject({ accessToken: 'reports-1', tokenType: 'bearer' })
    expect(tokenFor(next, { resource: REPORTS })).toBeUndefined()
    expect(tokenFor(next, undefined)?.accessToken).toBe('api-token')

    // A later refresh of the session's own token keeps the cached ones.
    const refreshed = sessionFromTokens({ access_token: 'api-3', token_type: 'bearer' }, next)
    expect(tokenFor(refreshed, target)?.accessToken).toBe('reports-1')
  })
})
