import * as oauth from 'oauth4webapi'
import { dpopTokenTypes, withDPoPNonceRetry } from './dpop.js'
import { AuthError } from './errors.js'
import type { ResolvedOptions } from './options.js'
import { tokenRequestOptions, withTargetToken, type TokenTarget } from './resource.js'
import { sessionFromTokens, type Session } from './session.js'

/**
 * Exchanges the session's refresh token for new tokens (RFC 6749 §6). The result keeps the old
 * refresh token when the server sent none, and a new ID token must name the same user
 * (OIDC Core §12.2). The caller must hold the refresh lock and store the result before releasing it:
 * a rotating refresh token is spent the moment the server sees it (RFC 9700 §4.14.2).
 *
 * With a `target` (RFC 8707 `resource`, `scope`), the new access token is added to the session's
 * cache for that target instead of replacing the session's own. With `dpop`, the request carries a
 * DPoP proof (RFC 9449 §5), sent again once if the server asks for a nonce, and a Bearer answer is
 * refused (`invalid_response`).
 */
export async function refreshSession(
  options: ResolvedOptions,
  session: Session,
  dpop?: oauth.DPoPHandle,
  target?: TokenTarget,
): Promise<Session> {
  const { refreshToken } = session
  if (!refreshToken) throw new AuthError('login_required', 'The session has no refresh token')
  const tokens = await withDPoPNonceRetry(async () => {
    const response = await oauth.refreshTokenGrantRequest(
      session.metadata,
      options.client,
      oauth.None(),
      refreshToken,
      tokenRequestOptions(options, dpop, target),
    )
    return oauth.processRefreshTokenResponse(session.metadata, options.client, response, {
      recognizedTokenTypes: dpopTokenTypes(dpop),
    })
  })
  const refreshed = sessionFromTokens(tokens, session.metadata, session)
  return target ? withTargetToken(session, refreshed, target) : refreshed
}
