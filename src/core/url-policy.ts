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

/** `value` as a URL; `config_error` naming `name` unless it is a string holding an absolute URL. */
export function requireUrl(name: string, value: unknown): URL {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw new AuthError('config_error', `${name} must be an absolute URL`)
  }
  return new URL(value)
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
