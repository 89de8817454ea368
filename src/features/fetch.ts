import { AuthError, toAuthError } from '../core/errors.js'
import { internalsOf } from '../core/internals.js'
import type { AuthClient } from '../core/types.js'
import { authorizedFetch } from './authorized-fetch.js'
import { credentialsOf } from './credentials.js'
import { absoluteInput, resolveAllowedOrigins, resourceForUrl } from './fetch-origins.js'

/**
 * Options for {@link createFetch}.
 *
 * @example
 * ```ts
 * const options: FetchOptions = { allowedOrigins: ['https://api.example.com'] }
 * ```
 */
export interface FetchOptions {
  /**
   * More origins the token may be sent to, besides the app's own (`location.origin`) and those of
   * `resourceIndicators()`: exact origins such as `'https://api.example.com'` (no wildcard, path or
   * trailing slash; else `config_error` at once).
   *
   * @see https://www.rfc-editor.org/rfc/rfc9700.html#section-4.9
   */
  allowedOrigins?: string[]
}

/**
 * What {@link createFetch} returns: `fetch()`'s signature, rejecting with `AuthError` only.
 *
 * @example
 * ```ts
 * const authFetch: AuthorizedFetch = createFetch(auth)
 * ```
 */
export type AuthorizedFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>

/**
 * A `fetch()` that sends the access token: `Authorization: Bearer` (RFC 6750 §2.1), or `Authorization:
 * DPoP` and a DPoP proof when the session's tokens are DPoP-bound (RFC 9449 §7). When the API
 * answers 401 with `error="invalid_token"`, the token is refreshed and the request sent once
 * more, body included (it is read into memory first); a DPoP `use_dpop_nonce` demand is answered
 * once with the server's nonce. Other answers are returned as they came, whatever their status,
 * like `fetch()`. Redirects are not followed, so the token only goes to the URL given: a
 * redirect resolves as an `opaqueredirect` response. There is no timeout: pass a `signal`.
 * Rejects with an `AuthError`: `login_required` without a session, `network_error` when the
 * request fails, `config_error` when `init` already has an `Authorization` header, `timeout`
 * when getting the token waited `lockWaitSeconds` for another tab (see `getAccessToken()`).
 *
 * The token goes only to the app's own origin (`location.origin`), the origins of
 * `resourceIndicators()` and `allowedOrigins`: a request for any other origin rejects with `config_error` naming
 * it, and nothing is sent. A relative URL resolves against `location.origin`, never against
 * `document.baseURI` (an injected `<base href>` cannot redirect it). A resource's origin gets
 * that resource's token (RFC 8707); the others the session's own.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750.html#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc9700.html#section-4.9
 * @example
 * ```ts
 * import { createFetch } from 'pixie-auth/fetch'
 * const authFetch = createFetch(auth, { allowedOrigins: ['https://api.example.com'] })
 * const response = await authFetch('/api/orders', { method: 'POST', body: JSON.stringify(order) })
 * if (response.ok) console.log(await response.json())
 * ```
 */
export function createFetch(client: AuthClient, { allowedOrigins }: FetchOptions = {}): AuthorizedFetch {
  const allowed = resolveAllowedOrigins(allowedOrigins)
  return async (input, init) => {
    try {
      const internals = internalsOf(client)
      // Token isolation's proxy: the worker holds the token, and checks the origins it was given.
      if (internals.fetch) {
        if (allowed.length) throw new AuthError('config_error', 'With token isolation, allowedOrigins go to tokenIsolation()')
        return await internals.fetch(input, init)
      }
      // Checked before any token is read: a request to an origin not allowed sends nothing at all.
      const appOrigin = typeof location === 'undefined' ? undefined : location.origin
      const { input: absolute, url } = absoluteInput(input, appOrigin)
      const resources = internals.resource?.resources ?? []
      const resource = resourceForUrl(url, { appOrigin, allowedOrigins: allowed, resources })
      return await authorizedFetch(credentialsOf(internals, resource), internals.config.http, absolute, init)
    } catch (cause) {
      throw toAuthError(cause)
    }
  }
}
