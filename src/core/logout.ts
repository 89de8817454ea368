import * as oauth from 'oauth4webapi'
import { discoverMetadata } from './discovery.js'
import { AuthError } from './errors.js'
import type { ResolvedOptions } from './options.js'
import type { DPoPFeature } from './plugins.js'
import type { Session } from './session.js'
import type { SessionSync } from './session-sync.js'
import type { Lock } from './refresh-coordination.js'
import type { LogoutOptions } from './types.js'
import { assertNavigationUrl, assertReturnUrl, resolveAppUrl } from './url-policy.js'

/**
 * Revokes the refresh token (RFC 7009 §2.1), which ends the whole grant at servers that revoke by
 * family. Every failure is swallowed, whatever the server answers: a 401 (some servers refuse
 * revocation from public clients), a 400, a 5xx (§2.2.1 allows the server to be unavailable), no
 * answer at all. Local state is cleared before this runs, and logging out must not fail because
 * the server would not help: the refresh token then stays valid at the server until it expires.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009.html#section-2.2.1
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
 * server has no `end_session_endpoint`. With a `post_logout_redirect_uri` it carries a fresh
 * `state`, which the server hands back on the redirect: some servers redirect back only when one
 * is sent. Nothing checks it on the way back, since that redirect brings no credential to protect.
 * `logoutHint` is §2's `logout_hint`, the account to sign out. An endpoint the browser may not be
 * sent to (`javascript:`, which would run in the app's origin; `http:` off loopback without
 * `allowInsecure`) throws `config_error`.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function endSessionUrl(
  metadata: oauth.AuthorizationServer,
  clientId: string,
  idTokenHint: string | undefined,
  postLogoutRedirectUri: string | undefined,
  allowInsecure: boolean,
  logoutHint?: string,
): URL | undefined {
  if (!metadata.end_session_endpoint) return undefined
  const url = new URL(assertNavigationUrl("The server's end_session_endpoint", metadata.end_session_endpoint, allowInsecure))
  url.searchParams.set('client_id', clientId)
  if (idTokenHint) url.searchParams.set('id_token_hint', idTokenHint)
  if (logoutHint) url.searchParams.set('logout_hint', logoutHint)
  if (postLogoutRedirectUri) {
    url.searchParams.set('post_logout_redirect_uri', postLogoutRedirectUri)
    url.searchParams.set('state', oauth.generateRandomState())
  }
  return url
}

/**
 * Ends the session everywhere: deletes it under the lock (every tab is told), revokes the refresh
 * token, forgets the DPoP key, then navigates to the server's end-session endpoint (or `returnTo`)
 * unless `localOnly`. Checked before anything is cleared: a call that cannot complete changes nothing.
 */
export async function endSessionEverywhere(
  { config, sync, lock, dpop }: { config: ResolvedOptions; sync: SessionSync; lock: Lock; dpop?: DPoPFeature },
  { returnTo, localOnly = false, logoutHint }: LogoutOptions,
): Promise<void> {
  assertReturnUrl('returnTo', returnTo, config.allowInsecureRequests)
  await sync.restore()
  const { ended, stuck } = await lock(sync.deleteEverywhere)
  if (ended) await revokeRefreshToken(config, ended)
  // The tokens bound to the old key are gone; the next login gets a key of its own.
  await dpop?.discard()
  if (stuck) {
    throw new AuthError('storage_error', 'IndexedDB kept the session; a reload may restore it', stuck)
  }
  if (localOnly) return
  const given = returnTo ?? config.postLogoutRedirectUri
  const after = given && resolveAppUrl(given)
  const metadata = ended?.metadata ?? (await discoverMetadata(config))
  const target = endSessionUrl(metadata, config.clientId, ended?.idToken, after, config.allowInsecureRequests, logoutHint) ?? after
  if (target) location.assign(target)
}
