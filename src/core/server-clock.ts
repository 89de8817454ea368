import * as oauth from 'oauth4webapi'

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
 * `undefined` when neither is there. The response itself is left unread for oauth4webapi.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110.html#section-6.6.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 */
export async function measureClockSkew(response: Response, trustIssuedAt: boolean, now = Date.now()): Promise<number | undefined> {
  const date = Date.parse(response.headers.get('date') ?? '')
  if (!Number.isNaN(date)) return Math.round((date - now) / 1000)
  if (!trustIssuedAt || !response.ok) return undefined
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined)
  const iat = issuedAt((body as { id_token?: unknown } | undefined)?.id_token)
  return iat === undefined ? undefined : iat - Math.round(now / 1000)
}

/** `client` judging times by the server's clock, `skew` seconds ahead of this browser's. */
export const onServerClock = (client: oauth.Client, skew = 0): oauth.Client => ({ ...client, [oauth.clockSkew]: skew })
