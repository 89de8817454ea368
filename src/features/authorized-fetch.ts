import * as oauth from 'oauth4webapi'
import { AuthError } from '../core/errors.js'
import { isLoopbackHost } from '../core/url-policy.js'
import type { CredentialsSource } from '../core/plugins.js'
import { withTokenRetries } from './token-retry.js'

/**
 * The client's transport options that apply to API requests: its `fetch` and whether `http:` is
 * allowed. Not its `timeoutSeconds`, meant for the authorization server: an API call (an upload)
 * may rightly take longer, and the caller can pass a `signal`.
 */
// `any`: the same options as the client's, which serve oauth4webapi's GET and POST requests alike.
export type FetchTransport = Pick<oauth.HttpRequestOptions<any, any>, typeof oauth.customFetch | typeof oauth.allowInsecureRequests>

/**
 * The caller's request settings that oauth4webapi does not pass on by itself (token isolation's
 * proxy sends them to the worker too). Its own (`method`,
 * `headers`, `body`, `signal`, and `redirect: 'manual'`) are not among them: a redirect is not
 * followed, so the token goes nowhere but the URL the caller named.
 */
export function carriedSettings(request: Request) {
  const { cache, credentials, integrity, keepalive, mode, referrer, referrerPolicy } = request
  return { cache, credentials, integrity, keepalive, mode, referrer, referrerPolicy }
}

/**
 * One request as `fetch(input, init)` would send it, with its body read into memory: a stream can
 * be read once, and a retry must send the same bytes again.
 */
async function bufferedRequest(input: RequestInfo | URL, init: RequestInit | undefined) {
  try {
    const request = new Request(input, init)
    // Firefox has no `Request.prototype.body` (undefined, never null), so the method says too: an
    // empty buffer would make a GET unsendable there ("HEAD or GET Request cannot have a body").
    const body = request.body === null || request.method === 'GET' || request.method === 'HEAD' ? null : await request.arrayBuffer()
    return { request, body }
  } catch (cause) {
    throw new AuthError('config_error', 'fetch() was given a request it cannot send', { cause })
  }
}

/**
 * `fetch` with the access token: `Authorization: Bearer` (RFC 6750 §2.1), or `Authorization: DPoP`
 * with a DPoP proof bound to the token (`ath`) when the session's tokens are DPoP-bound
 * (RFC 9449 §7.1). After a 401 `invalid_token` the token is refreshed and the request sent once
 * more; after a 401 `use_dpop_nonce`, sent once more with the server's nonce. Every other answer
 * is returned as it came, as `fetch` does, challenges and error statuses included.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750.html#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc9449.html#section-7.1
 */
export async function authorizedFetch(
  credentials: CredentialsSource,
  transport: FetchTransport,
  input: RequestInfo | URL,
  init?: RequestInit,
): Promise<Response> {
  const { request, body } = await bufferedRequest(input, init)
  const url = new URL(request.url)
  const send: NonNullable<FetchTransport[typeof oauth.customFetch]> = transport[oauth.customFetch] ?? fetch
  const options: oauth.ProtectedResourceRequestOptions = {
    signal: request.signal,
    // Loopback traffic never leaves the machine, so local APIs work in development whatever the issuer.
    [oauth.allowInsecureRequests]: transport[oauth.allowInsecureRequests] === true || isLoopbackHost(url.hostname),
    [oauth.customFetch]: (href, requestInit) => send(href, { ...carriedSettings(request), ...requestInit }),
  }
  try {
    return await withTokenRetries(credentials, ({ accessToken, dpop }) =>
      oauth.protectedResourceRequest(accessToken, request.method, url, request.headers, body, { ...options, DPoP: dpop }),
    )
  } catch (error) {
    // oauth4webapi rejects any answer with a WWW-Authenticate challenge; fetch() resolves with it.
    if (error instanceof oauth.WWWAuthenticateChallengeError) return error.response
    throw error
  }
}
