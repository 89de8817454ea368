import * as oauth from 'oauth4webapi'
import { AuthError, isTransient } from './errors.js'
import type { ResolvedOptions } from './options.js'
import type { TokenSender } from './plugins.js'
import { tokenRequestOptions, withTargetToken, type TokenTarget } from './targets.js'
import { measureClockSkew, onServerClock } from './server-clock.js'
import { sessionFromTokens, type Session } from './session.js'

/**
 * Exchanges the session's refresh token for new tokens (RFC 6749 §6) at `metadata`'s token endpoint
 * (the configured or discovered one, never the stored session's). The result keeps the old
 * refresh token when the server sent none, and a new ID token must name the same user
 * (OIDC Core §12.2). The caller must hold the refresh lock and store the result before releasing it:
 * a rotating refresh token is spent the moment the server sees it (RFC 9700 §4.14.2).
 *
 * The request asks for `target` (RFC 8707 `resource`, `scope`): the session's own token's
 * (`own`), or another one whose new access token is added to the session's cache instead of
 * replacing the session's own. `send` adds what the plug-ins add (a DPoP proof, RFC 9449 §5).
 */
export async function refreshSession(
  options: ResolvedOptions,
  metadata: oauth.AuthorizationServer,
  session: Session,
  send: TokenSender,
  own: TokenTarget,
  target?: TokenTarget,
): Promise<Session> {
  const { refreshToken } = session
  if (!refreshToken) throw new AuthError('login_required', 'The session has no refresh token')
  const { tokens, clockSkew } = await send(async (extras) => {
    const response = await oauth.refreshTokenGrantRequest(
      metadata,
      options.client,
      oauth.None(),
      refreshToken,
      tokenRequestOptions(options, extras, target ?? own),
    )
    // By the server's clock: read now if it can be, else as measured at login. A refresh's ID token
    // carries no nonce, so its own iat proves nothing about the time.
    const clockSkew = (await measureClockSkew(response, false)) ?? session.clockSkew
    const tokens = await oauth.processRefreshTokenResponse(metadata, onServerClock(options.client, clockSkew), response, {
      recognizedTokenTypes: extras.recognizedTokenTypes,
    })
    return { tokens, clockSkew }
  })
  const refreshed = { ...sessionFromTokens(tokens, session), clockSkew }
  return target ? withTargetToken(session, refreshed, target) : { ...refreshed, resource: own.resource }
}

/** Refusals of the DPoP proof that came with the refresh token (RFC 9449 §5, §8), not of the token. */
const proofRefusals = new Set(['use_dpop_nonce', 'invalid_dpop_proof'])

/** Refusals of what a refresh for a target asked for (RFC 8707 §2, RFC 6749 §5.2), not of the refresh token. */
const targetRefusals = new Set(['invalid_target', 'invalid_scope'])

/**
 * Whether a failed refresh means the refresh token is dead, so the session must end: any 4xx from
 * the token endpoint, whatever its body (an OAuth error, HTML, nothing at all), and no refresh token
 * to send. Real servers answer a revoked, reused or expired token with a bare 400 as often as with
 * RFC 6749 §5.2's `invalid_grant`. Not dead:
 *
 * - 408 and 429: "not now" ({@link isTransient}), retried as a 5xx is;
 * - `use_dpop_nonce` and `invalid_dpop_proof`: the server refused the proof, not the token
 *   (RFC 9449 §5, §8; a nonce demand was answered once already by the nonce retry);
 * - `invalid_target` and `invalid_scope` on a refresh for a `target`: the server will not issue
 *   that token, the session's own refresh may still work;
 * - a 200 that failed validation (`invalid_response`): the server may have sent a truncated or
 *   mangled answer, so the refresh token is kept and the next call tries again.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749.html#section-5.2
 * @see https://www.rfc-editor.org/rfc/rfc9700.html#section-4.14.2
 */
export function isRefreshTokenDead(error: AuthError, target?: TokenTarget): boolean {
  if (error.code === 'login_required') return true
  const { status } = error
  if (status === undefined || status < 400 || status > 499 || isTransient(error)) return false
  if (error.error === undefined) return true
  return !(proofRefusals.has(error.error) || (target && targetRefusals.has(error.error)))
}
