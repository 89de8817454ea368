import type * as oauth from 'oauth4webapi'
import { describe, expect, it, vi } from 'vitest'
import { toAuthError } from '../src/core/errors.js'
import { resolveOptions } from '../src/core/options.js'
import { frontChannelUrl } from '../src/features/par.js'

const metadata: oauth.AuthorizationServer = {
  issuer: 'https://as.example',
  authorization_endpoint: 'https://as.example/authorize',
  pushed_authorization_request_endpoint: 'https://as.example/par',
}
const authorizationUrl = () =>
  new URL('https://as.example/authorize?client_id=spa&response_type=code&state=s1&code_challenge=c&resource=https%3A%2F%2Fapi.example%2F')

function server(status = 201, body: unknown = { request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 }) {
  const requests: { url: string; body: URLSearchParams }[] = []
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    requests.push({ url: String(url), body: new URLSearchParams(String(init?.body)) })
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
  })
  return { fetch, requests }
}

const options = (fetch: typeof globalThis.fetch, par?: boolean) =>
  resolveOptions({ issuer: 'https://as.example', clientId: 'spa', redirectUri: 'https://app.example/cb', fetch, par })

describe('frontChannelUrl', () => {
  it('leaves the authorization URL alone when neither the client nor the server wants PAR', async () => {
    const { fetch } = server()
    const url = authorizationUrl()
    expect(await frontChannelUrl(options(fetch), metadata, url)).toBe(url)
    expect(fetch).not.toHaveBeenCalled()
  })

  it('with par: true, pushes every parameter and sends the browser with client_id and request_uri only (RFC 9126 §4)', async () => {
    const { fetch, requests } = server()
    const url = await frontChannelUrl(options(fetch, true), metadata, authorizationUrl())

    expect(requests).toHaveLength(1)
    expect(requests[0].url).toBe('https://as.example/par')
    expect(Object.fromEntries(requests[0].body)).toEqual({ ...Object.fromEntries(authorizationUrl().searchParams) })
    expect(url.origin + url.pathname).toBe('https://as.example/authorize')
    expect([...url.searchParams]).toEqual([
      ['client_id', 'spa'],
      ['request_uri', 'urn:ietf:params:oauth:request_uri:abc'],
    ])
  })

  it('pushes when the server metadata requires it, without the option', async () => {
    const { fetch } = server()
    const url = await frontChannelUrl(options(fetch), { ...metadata, require_pushed_authorization_requests: true }, authorizationUrl())
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(url.searchParams.get('request_uri')).toBe('urn:ietf:params:oauth:request_uri:abc')
  })

  it('is a config_error when PAR is wanted but the server has no PAR endpoint', async () => {
    const { fetch } = server()
    const { pushed_authorization_request_endpoint: _, ...withoutPar } = metadata
    await expect(frontChannelUrl(options(fetch, true), withoutPar, authorizationUrl())).rejects.toMatchObject({
      code: 'config_error',
    })
    expect(fetch).not.toHaveBeenCalled()
  })

  it("maps the server's refusal to an oauth_error", async () => {
    const { fetch } = server(400, { error: 'invalid_target', error_description: 'unknown API' })
    const failure = await frontChannelUrl(options(fetch, true), metadata, authorizationUrl()).catch(toAuthError)
    expect(failure).toMatchObject({ code: 'oauth_error', error: 'invalid_target', errorDescription: 'unknown API' })
  })
})
