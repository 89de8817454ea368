import * as oauth from 'oauth4webapi'
import { AuthError } from './errors.js'

/**
 * The largest difference between the server's clock and the browser's that is taken as a clock
 * error, in seconds: a day, above any time zone mistake. Beyond it, an ID token's `iat` says the
 * token is old (or from the future), not that the browser's clock is wrong.
 */
export const maxClockSkewSeconds = 24 * 3600

/** The seconds since the epoch of a JWT's `iat`, read without any check: only a clock reading. */
function issuedAt(jwt: unknown): number | undefined {
  if (typeof jwt !== 'string') return undefined
  try {
    // Bytes as Latin-1 characters, without UTF-8 decoding: the JSON still parses, and `iat` is a number.
    const claims: unknown = JSON.parse(atob(jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')))
    const iat = (claims as { iat?: unknown }).iat
    return typeof iat === 'number' && Number.isFinite(iat) ? iat : undefined
  } catch {
    return undefined
  }
}

/**
 * The server's clock minus this browser's, in seconds (oauth4webapi's `clockSkew`), measured from a
 * token response when it arrives:
 *
 * - its `Date` header (RFC 9110 §6.6.1), when the browser lets the page read it: a same-origin
 *   token endpoint, or one that lists `Date` in `Access-Control-Expose-Headers`;
 * - with `trustIssuedAt`, else, the `iat` of its ID token. Only for a login's response: that ID
 *   token carries the `nonce` made for this very login, so it was issued moments ago, and its
 *   `iat` is the server's "now" (OIDC Core §2). The token's own `exp` is then checked against its
 *   issue time, which still refuses one issued expired.
 *
 * `undefined` when neither is there, or when a `Date` is more than {@link maxClockSkewSeconds} off
 * (the skew measured before stays). An `iat` that far off rejects with `invalid_response`: the
 * skew dates DPoP proofs and judges every later ID token, so it is never taken unbounded. The
 * response itself is left unread for oauth4webapi.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110.html#section-6.6.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 */
export async function measureClockSkew(response: Response, trustIssuedAt: boolean, now = Date.now()): Promise<number | undefined> {
  const inBounds = (skew: number) => (Math.abs(skew) <= maxClockSkewSeconds ? skew : undefined)
  const date = Date.parse(response.headers.get('date') ?? '')
  if (!Number.isNaN(date)) return inBounds(Math.round((date - now) / 1000))
  if (!trustIssuedAt || !response.ok) return undefined
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined)
  const iat = issuedAt((body as { id_token?: unknown } | undefined)?.id_token)
  if (iat === undefined) return undefined
  const skew = inBounds(iat - Math.round(now / 1000))
  if (skew === undefined) throw new AuthError('invalid_response', 'ID token iat over a day off')
  return skew
}

/** `client` judging times by the server's clock, `skew` seconds ahead of this browser's. */
export const onServerClock = (client: oauth.Client, skew = 0): oauth.Client => ({ ...client, [oauth.clockSkew]: skew })
