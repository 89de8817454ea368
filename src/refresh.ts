import * as oauth from 'oauth4webapi'
import { AuthError } from './errors.js'
import type { ResolvedOptions } from './options.js'
import { sessionFromTokens, type Session } from './session.js'

/**
 * Exchanges the session's refresh token for new tokens (RFC 6749 §6). The result keeps the old
 * refresh token when the server sent none, and a new ID token must name the same user
 * (OIDC Core §12.2). The caller must hold the refresh lock and store the result before releasing it:
 * a rotating refresh token is spent the moment the server sees it (RFC 9700 §4.14.2).
 */
export async function refreshSession(options: ResolvedOptions, session: Session): Promise<Session> {
  if (!session.refreshToken) throw new AuthError('login_required', 'The session has no refresh token')
  const response = await oauth.refreshTokenGrantRequest(
    session.metadata,
    options.client,
    oauth.None(),
    session.refreshToken,
    options.http,
  )
  const tokens = await oauth.processRefreshTokenResponse(session.metadata, options.client, response)
  return sessionFromTokens(tokens, session.metadata, session)
}
