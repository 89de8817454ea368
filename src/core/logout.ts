import * as oauth from 'oauth4webapi'
import { AuthError } from './errors.js'
import type { ResolvedOptions } from './options.js'
import type { DPoPFeature } from './plugins.js'
import { saveLogoutState } from './logout-return.js'
import type { Session } from './session.js'
import type { SessionSync } from './session-sync.js'
import type { Lock } from './refresh-coordination.js'
import type { KeyValueStore } from './storage.js'
import { newState } from './transaction.js'
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
export async function revokeRefreshToken(options: ResolvedOptions, metadata: oauth.AuthorizationServer, session: Session): Promise<void> {
  if (!session.refreshToken || !metadata.revocation_endpoint) return
  try {
    const response = await oauth.revocationRequest(metadata, options.client, oauth.None(), session.refreshToken, {
      ...options.http,
      additionalParameters: { token_type_hint: 'refresh_token' },
    })
    await oauth.processRevocationResponse(response)
  } catch {
    // Nothing to do: the local session is gone either way.
  }
}

/**
 * The parameters of an end-session request (OpenID Connect RP-Initiated Logout 1.0 §2).
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export interface EndSessionRequest {
  clientId: string
  idTokenHint?: string
  /** §2's `logout_hint`, the account to sign out. */
  logoutHint?: string
  /** Where the server sends the browser back, with `state`; without it, no `state` is sent. */
  postLogoutRedirectUri?: string
  /** A fresh `state` of the client (see `newState()`), checked on the way back. */
  state: string
}

/**
 * The RP-Initiated Logout URL, or `undefined` when the server has no `end_session_endpoint`. With
 * a `post_logout_redirect_uri` it carries the `state`, which the server hands back on the redirect:
 * some servers redirect back only when one is sent. An endpoint the browser may not be sent to
 * (`javascript:`, which would run in the app's origin; `http:` off loopback without
 * `allowInsecure`) throws `config_error`.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function endSessionUrl(
  metadata: oauth.AuthorizationServer,
  { clientId, idTokenHint, logoutHint, postLogoutRedirectUri, state }: EndSessionRequest,
  allowInsecure: boolean,
): URL | undefined {
  if (!metadata.end_session_endpoint) return undefined
  const url = new URL(assertNavigationUrl("The server's end_session_endpoint", metadata.end_session_endpoint, allowInsecure))
  const params = {
    client_id: clientId,
    id_token_hint: idTokenHint,
    logout_hint: logoutHint,
    ...(postLogoutRedirectUri && { post_logout_redirect_uri: postLogoutRedirectUri, state }),
  }
  for (const [name, value] of Object.entries(params)) if (value) url.searchParams.set(name, value)
  return url
}

/**
 * Ends the session everywhere: deletes it under the lock (every tab is told), revokes the refresh
 * token, forgets the DPoP key, then gives the server's end-session endpoint (or `returnTo`) to
 * navigate to, unless `localOnly`. The `state` sent there is kept in `transactions` for the way back (see
 * `completeLogoutReturn()`). Checked before anything is cleared: a call that cannot complete
 * changes nothing.
 */
export async function endSessionEverywhere(
  {
    config,
    sync,
    lock,
    metadata: serverMetadata,
    dpop,
    transactions,
  }: {
    config: ResolvedOptions
    sync: SessionSync
    lock: Lock
    metadata: () => Promise<oauth.AuthorizationServer>
    dpop?: DPoPFeature
    transactions: KeyValueStore
  },
  { returnTo, localOnly = false, logoutHint }: LogoutOptions,
): Promise<string | undefined> {
  assertReturnUrl('returnTo', returnTo, config.allowInsecureRequests)
  await sync.restore()
  const { ended, stuck } = await lock(sync.deleteEverywhere)
  // A failed discovery leaves the refresh token unrevoked, as a server that refuses does.
  if (ended.length) await serverMetadata().then((metadata) => Promise.all(ended.map((each) => revokeRefreshToken(config, metadata, each))), () => {})
  // The tokens bound to the old key are gone; the next login gets a key of its own.
  await dpop?.discard()
  if (stuck) {
    throw new AuthError('storage_error', 'IndexedDB kept the session; a reload may restore it', stuck)
  }
  if (localOnly) return
  const given = returnTo ?? config.postLogoutRedirectUri
  const postLogoutRedirectUri = given && resolveAppUrl(given)
  const metadata = await serverMetadata()
  const state = newState(config.namespace)
  const request = { clientId: config.clientId, idTokenHint: ended[0]?.idToken, logoutHint, postLogoutRedirectUri, state }
  const target = endSessionUrl(metadata, request, config.allowInsecureRequests)
  if (target && postLogoutRedirectUri) {
    // Only to clean the address bar on the way back: the logout is done, and must not fail for it.
    await saveLogoutState(transactions, config.namespace, { state, returnTo: postLogoutRedirectUri }).catch(() => {})
  }
  return target?.href ?? postLogoutRedirectUri
}
