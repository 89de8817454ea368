import * as oauth from 'oauth4webapi'
import { AuthError, redacted, toAuthError } from '../core/errors.js'
import { internalsOf } from '../core/internals.js'
import type { ResolvedOptions } from '../core/options.js'
import type { User } from '../core/session.js'
import type { AuthClient } from '../core/types.js'
import type { CredentialsSource } from '../core/plugins.js'
import { credentialsOf } from './credentials.js'
import { withTokenRetries } from './token-retry.js'

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

/**
 * Reads the UserInfo endpoint (OIDC Core §5.3) and resolves with the user: the ID token's claims,
 * with UserInfo's over them (never over the claims about the token itself: `iss`, `sub`, `aud`,
 * `exp`, `nonce`...). The merged user is stored in the session and reaches the state of every tab.
 * A response about another `sub` rejects with `invalid_response`; a login without `openid` with
 * `config_error`. Resolves with `undefined` when nobody is logged in. The user is typed with the
 * client's `Claims` (see `createAuthClient<Claims>()`).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 * @example
 * ```ts
 * import { fetchUser } from 'pixie-auth/userinfo'
 * const user = await fetchUser(auth)
 * console.log(user?.email)
 * ```
 */
export async function fetchUser<Claims extends object = {}>(client: AuthClient<Claims>): Promise<User<Claims> | undefined> {
  try {
    const internals = internalsOf(client)
    if (internals.userInfo) return (await internals.userInfo()) as User<Claims> | undefined
    const session = await internals.session()
    if (!session) return undefined
    if (!session.user) throw new AuthError('config_error', 'UserInfo needs an OpenID Connect login: add openid to scope')
    const claims = await fetchUserInfo(internals.config, await internals.metadata(), session.user.sub, credentialsOf(internals))
    // Merged onto the newest stored user (a refresh may have brought a new ID token), never onto
    // another user's session.
    await internals.updateSession((stored) =>
      stored.user?.sub === claims.sub ? { ...stored, user: mergeUserInfo(stored.user, claims) } : undefined,
    )
    return (await internals.session())?.user as User<Claims> | undefined
  } catch (cause) {
    throw toAuthError(cause)
  }
}
