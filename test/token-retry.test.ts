import * as oauth from 'oauth4webapi'
import { describe, expect, it, vi } from 'vitest'
import type { ResourceCredentials } from '../src/core/plugins.js'
import { withTokenRetries } from '../src/features/token-retry.js'

const url = new URL('https://api.example/orders')

/** A resource server that answers from a script, and remembers what each request carried. */
function scriptedServer(...answers: (() => Response)[]) {
  const seen: { authorization: string | undefined; dpop: string | undefined }[] = []
  const fetch = vi.fn(async (_url: string, init: oauth.CustomFetchOptions<string, unknown>) => {
    seen.push({ authorization: init.headers.authorization, dpop: init.headers.dpop })
    const answer = answers.shift()
    if (!answer) throw new Error('no more scripted answers')
    return answer()
  })
  const attempt = ({ accessToken, dpop }: ResourceCredentials) =>
    oauth.protectedResourceRequest(accessToken, 'GET', url, undefined, undefined, { DPoP: dpop, [oauth.customFetch]: fetch })
  return { attempt, seen, fetch }
}

const challenge = (status: number, header: string, headers: Record<string, string> = {}) => () =>
  new Response('rejected', { status, headers: { 'www-authenticate': header, ...headers } })
const ok = () => new Response('ok')
const invalidToken = challenge(401, 'Bearer error="invalid_token"')
const useNonce = (nonce: string) => challenge(401, 'DPoP error="use_dpop_nonce"', { 'dpop-nonce': nonce })

/** Credentials that hand out token-1, then token-2... on each forced refresh. */
function tokens(dpop?: oauth.DPoPHandle) {
  let n = 1
  return vi.fn(async (forceRefresh: boolean) => {
    if (forceRefresh) n += 1
    return { accessToken: `token-${n}`, dpop }
  })
}

async function dpopHandle() {
  return oauth.DPoP({}, await oauth.generateKeyPair('ES256'))
}

const claimsOf = (jwt: string | undefined) => JSON.parse(Buffer.from(jwt!.split('.')[1], 'base64url').toString())

describe('withTokenRetries', () => {
  it('returns the first answer when it is not a challenge, asking for credentials once', async () => {
    const server = scriptedServer(ok)
    const credentials = tokens()
    expect(await (await withTokenRetries(credentials, server.attempt)).text()).toBe('ok')
    expect(credentials.mock.calls).toEqual([[false]])
  })

  it('after a 401 invalid_token, refreshes and resends once; a second one is rethrown', async () => {
    const server = scriptedServer(invalidToken, invalidToken)
    const credentials = tokens()
    const error = await withTokenRetries(credentials, server.attempt).catch((e) => e)
    expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError)
    expect(error.status).toBe(401)
    // The caller can still read the answer it gets; the one that was retried was let go.
    expect(error.response.bodyUsed).toBe(false)
    expect(credentials.mock.calls).toEqual([[false], [true]])
    expect(server.seen.map((s) => s.authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
  })

  it('succeeds with the refreshed token', async () => {
    const server = scriptedServer(invalidToken, ok)
    expect(await (await withTokenRetries(tokens(), server.attempt)).text()).toBe('ok')
    expect(server.seen.map((s) => s.authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
  })

  it.each([
    ['403 insufficient_scope', challenge(403, 'Bearer error="insufficient_scope"')],
    ['401 without an error', challenge(401, 'Bearer realm="api"')],
    ['401 invalid_request', challenge(401, 'Bearer error="invalid_request"')],
    ['400 invalid_token (not a 401)', challenge(400, 'Bearer error="invalid_token"')],
  ])('does not retry %s', async (_name, answer) => {
    const server = scriptedServer(answer)
    const credentials = tokens()
    await expect(withTokenRetries(credentials, server.attempt)).rejects.toBeInstanceOf(oauth.WWWAuthenticateChallengeError)
    expect(server.fetch).toHaveBeenCalledTimes(1)
    expect(credentials).toHaveBeenCalledTimes(1)
  })

  // A 401 arrives, then its body fails: fetch() has resolved, so the cancel rejects with the
  // stream's error. Measured in Chromium: TypeError 'network error' when the connection drops
  // mid-body, and the abort reason of the request's signal (any value, a plain Error too) when the
  // caller aborts after the headers.
  const bodyFailingWith = (failure: unknown) => () =>
    new Response(new ReadableStream({ start: (controller) => controller.error(failure) }), {
      status: 401,
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    })

  it.each([
    ['the connection dropped while its body arrived', new TypeError('network error')],
    ["the caller's signal aborted with its own reason", new Error('user navigated away')],
  ])('a 401 invalid_token whose body then fails (%s) is still cured: refreshed and resent', async (_name, failure) => {
    const server = scriptedServer(bodyFailingWith(failure), ok)
    const credentials = tokens()
    expect(await (await withTokenRetries(credentials, server.attempt)).text()).toBe('ok')
    expect(credentials.mock.calls).toEqual([[false], [true]])
    expect(server.seen.map((s) => s.authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
  })

  it('rethrows failures that are not challenges, without retrying', async () => {
    const credentials = tokens()
    const attempt = vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    })
    await expect(withTokenRetries(credentials, attempt)).rejects.toThrow('Failed to fetch')
    expect(attempt).toHaveBeenCalledTimes(1)
  })

  it('answers use_dpop_nonce once with the nonce the server sent, without refreshing', async () => {
    const server = scriptedServer(useNonce('n-1'), ok)
    const credentials = tokens(await dpopHandle())
    expect((await withTokenRetries(credentials, server.attempt)).status).toBe(200)
    expect(credentials.mock.calls).toEqual([[false]])
    expect(server.seen.map((s) => s.authorization)).toEqual(['DPoP token-1', 'DPoP token-1'])
    expect(claimsOf(server.seen[0].dpop).nonce).toBeUndefined()
    expect(claimsOf(server.seen[1].dpop)).toMatchObject({ nonce: 'n-1', htm: 'GET', htu: url.href })
  })

  it('does not answer use_dpop_nonce for a Bearer token', async () => {
    const server = scriptedServer(useNonce('n-1'))
    await expect(withTokenRetries(tokens(), server.attempt)).rejects.toBeInstanceOf(oauth.WWWAuthenticateChallengeError)
    expect(server.fetch).toHaveBeenCalledTimes(1)
  })

  it('combines the cures, each once per set of credentials, and stops after four attempts', async () => {
    const server = scriptedServer(useNonce('n-1'), invalidToken, useNonce('n-2'), invalidToken)
    const credentials = tokens(await dpopHandle())
    await expect(withTokenRetries(credentials, server.attempt)).rejects.toBeInstanceOf(oauth.WWWAuthenticateChallengeError)
    expect(server.fetch).toHaveBeenCalledTimes(4)
    expect(credentials.mock.calls).toEqual([[false], [true]])
    expect(server.seen.map((s) => s.authorization)).toEqual(['DPoP token-1', 'DPoP token-1', 'DPoP token-2', 'DPoP token-2'])
    expect(server.seen.map((s) => claimsOf(s.dpop).nonce)).toEqual([undefined, 'n-1', 'n-1', 'n-2'])
  })

  it('a second use_dpop_nonce for the same credentials is rethrown', async () => {
    const server = scriptedServer(useNonce('n-1'), useNonce('n-2'))
    await expect(withTokenRetries(tokens(await dpopHandle()), server.attempt)).rejects.toBeInstanceOf(
      oauth.WWWAuthenticateChallengeError,
    )
    expect(server.fetch).toHaveBeenCalledTimes(2)
  })
})
