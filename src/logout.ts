import * as oauth from 'oauth4webapi'
import type { ResolvedOptions } from './options.js'
import type { Session } from './session.js'

/**
 * Revokes the refresh token (RFC 7009 §2.1), which ends the whole grant at servers that revoke by
 * family. Failures are swallowed: local state is cleared whatever the server answers (§2.2 allows
 * the server to be unavailable), and logging out must not fail because the network did.
 */
export async function revokeRefreshToken(options: ResolvedOptions, session: Session): Promise<void> {
  if (!session.refreshToken || !session.metadata.revocation_endpoint) return
  try {
    const response = await oauth.revocationRequest(session.metadata, options.client, oauth.None(), session.refreshToken, {
      ...options.http,
      additionalParameters: { token_type_hint: 'refresh_token' },
    })
    await oauth.processRevocationResponse(response)
  } catch {
    // Nothing to do: the local session is gone either way.
  }
}

/**
 * The RP-Initiated Logout URL (OpenID Connect RP-Initiated Logout 1.0 §2), or `undefined` when the
 * server has no `end_session_endpoint`.
 */
export function endSessionUrl(
  metadata: oauth.AuthorizationServer,
  clientId: string,
  idTokenHint: string | undefined,
  postLogoutRedirectUri: string | undefined,
): URL | undefined {
  if (!metadata.end_session_endpoint) return undefined
  const url = new URL(metadata.end_session_endpoint)
  url.searchParams.set('client_id', clientId)
  if (idTokenHint) url.searchParams.set('id_token_hint', idTokenHint)
  if (postLogoutRedirectUri) url.searchParams.set('post_logout_redirect_uri', postLogoutRedirectUri)
  return url
}
