// The authorization response as a URL: where it may come back to, and taking it out of the address
// bar. Pure URL work with no import, so a page that only hands a response on (the popup's callback
// page) loads these few lines and nothing of the protocol.

/** Authorization response parameters that must not stay in the address bar or history. */
const callbackParams = ['code', 'state', 'iss', 'session_state', 'error', 'error_description', 'error_uri']

/** Parses a callback URL; `undefined` when it is not a URL at all. */
export function parseCallbackUrl(url: string): URL | undefined {
  return URL.canParse(url) ? new URL(url) : undefined
}

/**
 * Whether `url` is at `redirectUri`: the same origin and path, and each query parameter of the
 * redirect URI with the same values (the server keeps them, RFC 6749 §3.1.2, and adds the
 * response's; some add more, so other parameters are allowed). Distinct redirect URIs per client
 * only defend against mix-up when a response is accepted at its own one alone (RFC 9700 §4.4.2):
 * `/callback?provider=a` and `/callback?provider=b` are two.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700.html#section-4.4.2
 * @see https://www.rfc-editor.org/rfc/rfc6749.html#section-3.1.2
 */
export function isAtRedirectUri(url: URL, redirectUri: string): boolean {
  const expected = parseCallbackUrl(redirectUri)
  if (expected === undefined || url.origin !== expected.origin || url.pathname !== expected.pathname) return false
  const values = (of: URL, name: string) => JSON.stringify(of.searchParams.getAll(name))
  return [...expected.searchParams.keys()].every((name) => values(url, name) === values(expected, name))
}

/** True when `url` carries an authorization response, at `redirectUri` (see {@link isAtRedirectUri}). */
export function looksLikeCallback(url: URL, redirectUri: string): boolean {
  const params = url.searchParams
  return isAtRedirectUri(url, redirectUri) && params.has('state') && (params.has('code') || params.has('error'))
}

/**
 * Removes the authorization response from the address bar, so a code is never left in history to
 * be replayed or leaked (RFC 9700 §4.2.4). Only touches the page when it is the callback itself.
 */
export function cleanCallbackUrl(callbackUrl: URL) {
  if (typeof location === 'undefined' || typeof history === 'undefined') return
  const current = new URL(location.href)
  if (current.origin + current.pathname + current.search !== callbackUrl.origin + callbackUrl.pathname + callbackUrl.search) return
  for (const name of callbackParams) current.searchParams.delete(name)
  history.replaceState(history.state, '', current)
}
