import * as oauth from 'oauth4webapi'
import { redacted, toAuthError } from '../core/errors.js'
import type { ResolvedOptions } from '../core/options.js'
import type { User } from '../core/session.js'
import { withTokenRetries, type CredentialsSource } from './token-retry.js'

/**
 * ID token claims about the token and the authentication rather than the user. They were
 * validated with the ID token, so UserInfo never replaces them.
 */
const idTokenClaims = new Set([
  'iss', 'sub', 'aud', 'azp', 'exp', 'iat', 'nbf', 'jti', 'nonce', 'auth_time', 'acr', 'amr', 'sid',
  'at_hash', 'c_hash', 's_hash',
])

/** The user with UserInfo `claims` over the ID token's, except the claims of the ID token itself. */
export function mergeUserInfo(user: User, claims: oauth.UserInfoResponse): User {
  const userClaims = Object.entries(claims).filter(([name]) => !idTokenClaims.has(name))
  return { ...user, ...Object.fromEntries(userClaims) }
}

/**
 * Reads the UserInfo endpoint (OIDC Core §5.3) for the user `subject`, the ID token's `sub`: a
 * response naming anyone else is refused (§5.3.2) with `invalid_response`. A token the endpoint
 * calls `invalid_token` is refreshed and the request sent once more, as is a DPoP nonce demand.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 */
export async function fetchUserInfo(
  options: ResolvedOptions,
  metadata: oauth.AuthorizationServer,
  subject: string,
  credentials: CredentialsSource,
): Promise<oauth.UserInfoResponse> {
  const sent: string[] = []
  try {
    return await withTokenRetries(credentials, async ({ accessToken, dpop }) => {
      sent.push(accessToken)
      const response = await oauth.userInfoRequest(metadata, options.client, accessToken, { ...options.http, DPoP: dpop })
      return oauth.processUserInfoResponse(metadata, options.client, subject, response)
    })
  } catch (cause) {
    // The server may quote the access tokens it was sent in its error or WWW-Authenticate challenge.
    throw redacted(toAuthError(cause), sent)
  }
}
