import { AuthError } from './errors.js'

/**
 * Whether `hostname` (as `URL.hostname` gives it) names this machine: `localhost`, an address in
 * 127.0.0.0/8, or `[::1]`. Traffic to it never leaves the machine, so `http:` is safe there.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252.html#section-8.3
 */
export function isLoopbackHost(hostname: string): boolean {
  // The URL parser has already turned every IPv4 spelling (`127.1`, `0x7f.1`) into dotted decimal.
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
}

/** `value` as a URL; `config_error` naming `name` (and what else it may be, `orElse`) unless it is a string holding an absolute URL. */
export function requireUrl(name: string, value: unknown, orElse = ''): URL {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw new AuthError('config_error', `${name} must be an absolute URL${orElse}`)
  }
  return new URL(value)
}

/**
 * Whether `value` is a path on the page's own origin (`/callback`): one `/`, not followed by another
 * or by `\`, which the URL parser reads as one, even with tabs or newlines between (it drops those):
 * `//host`, `/\host` and `/\t/host` name another host. Such a path is resolved against the page only
 * when used ({@link resolveAppUrl}), so a client made where there is no page (a server render) can
 * be given one.
 *
 * @see https://url.spec.whatwg.org/#concept-basic-url-parser
 */
export function isAppPath(value: unknown): value is string {
  return typeof value === 'string' && /^\/(?![\t\n\r]*[/\\])/.test(value)
}

/** Throws `config_error` naming `name` unless `value` is an absolute URL or a path (see {@link isAppPath}). */
export function requireAppUrl(name: string, value: unknown): void {
  if (!isAppPath(value)) requireUrl(name, value, " or a /path")
}

/**
 * `value` as an absolute URL: a path (see {@link isAppPath}) resolved against the page's origin
 * now, when the URL is used (an authorization request, a callback, a logout), anything else as it is.
 */
export function resolveAppUrl(value: string): string {
  return isAppPath(value) ? new URL(value, location.origin).href : value
}

/**
 * Throws as {@link assertNavigationUrl} unless `value` is absent or a path on the page's origin (see
 * {@link isAppPath}): where the app has the browser sent back to after a logout.
 */
export function assertReturnUrl(name: string, value: unknown, allowInsecure: boolean): void {
  if (value !== undefined && !isAppPath(value)) assertNavigationUrl(name, value, allowInsecure)
}

/**
 * Returns `value` when the browser may be sent there: an absolute `https:` URL, or `http:` on a
 * loopback host or with `allowInsecure`. Anything else (`javascript:`, which would run in the
 * app's origin, `data:`, relative and protocol-relative URLs, which the browser would resolve
 * against the page) throws `config_error` naming `name`. For the logout URLs the app gives, and
 * for the server's own endpoints the SDK navigates to: a server's metadata is not the app's code,
 * and with two providers on one origin one of them may be the attacker's (RFC 9700 §4.4).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700.html#section-4.11
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function assertNavigationUrl(name: string, value: unknown, allowInsecure: boolean): string {
  // Without a base URL only an absolute URL parses: `/bye` and `//evil.example` do not.
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined
  const allowed =
    url !== undefined &&
    (url.protocol === 'https:' || (url.protocol === 'http:' && (allowInsecure || isLoopbackHost(url.hostname))))
  if (!allowed) {
    throw new AuthError(
      'config_error',
      `${name} must be https: (http: on loopback or allowInsecureRequests): ${String(value)}`,
    )
  }
  return value as string
}
