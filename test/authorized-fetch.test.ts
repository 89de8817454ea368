import * as oauth from 'oauth4webapi'
import { describe, expect, it, vi } from 'vitest'
import { authorizedFetch } from '../src/features/authorized-fetch.js'
import { toAuthError } from '../src/core/errors.js'

interface Sent {
  url: string
  init: RequestInit & { headers: Record<string, string> }
  body: string | undefined
}

/** A transport that answers from a script and records each request, body bytes included. */
function transport(...answers: (() => Response)[]) {
  const sent: Sent[] = []
  const fetch = vi.fn(async (url: string, init: RequestInit & { headers: Record<string, string> }) => {
    const body = init.body == null ? undefined : new TextDecoder().decode(init.body as ArrayBuffer)
    sent.push({ url, init, body })
    const answer = answers.shift()
    if (!answer) throw new Error('no more scripted answers')
    return answer()
  })
  return { options: { [oauth.customFetch]: fetch }, sent, fetch }
}

const credentials = () => {
  let n = 1
  return vi.fn(async (forceRefresh: boolean) => ({ accessToken: `token-${forceRefresh ? ++n : n}` }))
}

const invalidToken = () =>
  new Response('{"error":"invalid_token"}', { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } })
const json = (value: unknown) => () => Response.json(value)

const API = 'https://api.example/orders?page=2'

describe('authorizedFetch', () => {
  it('sends the token in the Authorization header only, keeping the request as the caller made it', async () => {
    const { options, sent } = transport(json({ ok: true }))
    const response = await authorizedFetch(credentials(), options, API, {
      headers: { 'x-trace': 'abc', accept: 'application/json' },
      credentials: 'include',
      cache: 'no-store',
    })
    expect(await response.json()).toEqual({ ok: true })
    expect(sent).toHaveLength(1)
    expect(sent[0].url).toBe(API)
    expect(sent[0].init).toMatchObject({
      method: 'GET',
      redirect: 'manual',
      credentials: 'include',
      cache: 'no-store',
      headers: { authorization: 'Bearer token-1', 'x-trace': 'abc', accept: 'application/json' },
    })
  })

  it('after a 401 invalid_token, resends the same method, headers and body with the refreshed token', async () => {
    const { options, sent } = transport(invalidToken, json({ saved: true }))
    const body = JSON.stringify({ order: 42, note: 'héllo' })
    const response = await authorizedFetch(credentials(), options, API, {
      method: 'PUT',
      body,
      headers: { 'content-type': 'application/json' },
    })
    expect(await response.json()).toEqual({ saved: true })
    expect(sent.map((s) => s.init.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
    for (const { init, body: sentBody } of sent) {
      expect(init.method).toBe('PUT')
      expect(init.headers['content-type']).toBe('application/json')
      expect(sentBody).toBe(body)
    }
  })

  it('reads a stream body once, before the first attempt, and sends its bytes on both', async () => {
    const { options, sent } = transport(invalidToken, json({}))
    const stream = new Blob(['streamed bytes']).stream()
    await authorizedFetch(credentials(), options, API, { method: 'POST', body: stream, duplex: 'half' } as RequestInit)
    expect(sent.map((s) => s.body)).toEqual(['streamed bytes', 'streamed bytes'])
  })

  // Firefox (ESR 153 too) has no Request.prototype.body: found by the cross-engine suite, where
  // every GET through createFetch() failed with "HEAD or GET Request cannot have a body".
  it('in a browser without Request.prototype.body, a GET goes without a body and a POST keeps its bytes', async () => {
    const real = Object.getOwnPropertyDescriptor(Request.prototype, 'body')!
    delete (Request.prototype as { body?: unknown }).body
    try {
      expect(new Request(API).body).toBeUndefined()
      const { options, sent } = transport(json({}), json({}))
      await authorizedFetch(credentials(), options, API)
      await authorizedFetch(credentials(), options, API, { method: 'POST', body: 'posted' })
      expect(sent.map((s) => [s.init.method, s.init.body ?? null, s.body])).toEqual([
        ['GET', null, undefined],
        ['POST', expect.any(ArrayBuffer), 'posted'],
      ])
    } finally {
      Object.defineProperty(Request.prototype, 'body', real)
    }
  })

  it('takes a Request as input, with its method, headers and body', async () => {
    const { options, sent } = transport(invalidToken, json({}))
    const request = new Request(API, { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    await authorizedFetch(credentials(), options, request)
    expect(sent.map((s) => [s.init.method, s.init.headers['content-type'], s.body])).toEqual([
      ['POST', 'application/x-www-form-urlencoded', 'a=1'],
      ['POST', 'application/x-www-form-urlencoded', 'a=1'],
    ])
  })

  it('returns any other answer as it came, challenge and body readable, without a second request', async () => {
    const { options, fetch } = transport(
      () => new Response('forbidden', { status: 403, headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' } }),
    )
    const tokenSource = credentials()
    const response = await authorizedFetch(tokenSource, options, API)
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toContain('insufficient_scope')
    expect(await response.text()).toBe('forbidden')
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(tokenSource.mock.calls).toEqual([[false]])
  })

  it('returns the second 401 invalid_token to the caller', async () => {
    const { options, fetch } = transport(invalidToken, invalidToken)
    const response = await authorizedFetch(credentials(), options, API)
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ error: 'invalid_token' })
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it("refuses an Authorization header of the caller's (config_error) before sending anything", async () => {
    const { options, fetch } = transport(json({}))
    const error = await authorizedFetch(credentials(), options, API, { headers: { Authorization: 'Basic x' } }).catch((e) => e)
    expect(toAuthError(error).code).toBe('config_error')
    expect(fetch).not.toHaveBeenCalled()
  })

  it('refuses a request fetch() itself would refuse with config_error, asking for no token', async () => {
    const { options, fetch } = transport(json({}))
    const tokenSource = credentials()
    const error = await authorizedFetch(tokenSource, options, API, { method: 'GET', body: 'not allowed' }).catch((e) => e)
    expect(error).toMatchObject({ name: 'AuthError', code: 'config_error' })
    expect(tokenSource).not.toHaveBeenCalled()
    expect(fetch).not.toHaveBeenCalled()
  })

  it('sends tokens over http: only to loopback hosts, unless insecure requests are allowed', async () => {
    const refused = transport(json({}))
    const error = await authorizedFetch(credentials(), refused.options, 'http://api.example/orders').catch((e) => e)
    expect(toAuthError(error).code).toBe('config_error')
    expect(refused.fetch).not.toHaveBeenCalled()

    const loopback = transport(json({}))
    expect((await authorizedFetch(credentials(), loopback.options, 'http://127.0.0.1:8080/orders')).status).toBe(200)
    const allowed = transport(json({}))
    const insecure = { ...allowed.options, [oauth.allowInsecureRequests]: true }
    expect((await authorizedFetch(credentials(), insecure, 'http://api.example/orders')).status).toBe(200)
  })

  it('with a DPoP handle: Authorization DPoP and a proof for this method and URL, bound to the token', async () => {
    const { options, sent } = transport(json({}))
    const dpop = oauth.DPoP({}, await oauth.generateKeyPair('ES256'))
    await authorizedFetch(async () => ({ accessToken: 'bound-token', dpop }), options, API, { method: 'DELETE' })
    const { authorization, dpop: proof } = sent[0].init.headers
    expect(authorization).toBe('DPoP bound-token')
    const claims = JSON.parse(Buffer.from(proof.split('.')[1], 'base64url').toString())
    const ath = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('bound-token'))).toString('base64url')
    expect(claims).toMatchObject({ htm: 'DELETE', htu: 'https://api.example/orders', ath })
  })
})
