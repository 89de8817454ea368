// The way back from the server's end-session endpoint: the `state` a logout sent, checked and
// taken out of the address bar, as a login's is.
import { cleanCallbackUrl, isAtRedirectUri, parseCallbackUrl } from './callback-url.js'
import type { KeyValueStore } from './storage.js'
import { isOwnState } from './transaction.js'

/** What a logout that left for the server's end-session endpoint expects back. */
export interface PendingLogout {
  state: string
  /** The `post_logout_redirect_uri` sent: the only page the state may come back to. */
  returnTo: string
}

const keyOf = (namespace: string) => `logout:${namespace}`

/** Remembers the logout that is leaving; one per client, the newest. */
export const saveLogoutState = (store: KeyValueStore, namespace: string, pending: PendingLogout) =>
  store.set(keyOf(namespace), pending)

/**
 * On the page the server sent the browser back to after a logout (RP-Initiated Logout 1.0 §3):
 * when `href` carries the `state` of this client's last logout, at its `post_logout_redirect_uri`,
 * spends the state (it is one-time) and removes it from the address bar. Any other `state` is left
 * as it is: the page cannot tell another client's from a forged one, and another client must find
 * its own. A `state` with a `code` or an `error` is a login's response, not this.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RedirectionAfterLogout
 */
export async function completeLogoutReturn(store: KeyValueStore, namespace: string, href: string): Promise<void> {
  const url = parseCallbackUrl(href)
  const state = url?.searchParams.get('state')
  if (!url || !isOwnState(namespace, state) || url.searchParams.has('code') || url.searchParams.has('error')) return
  const pending = await store.get<PendingLogout>(keyOf(namespace))
  // Read, not taken: a forged state opened meanwhile must not spend the real one.
  if (pending?.state !== state || !isAtRedirectUri(url, pending.returnTo)) return
  await store.delete(keyOf(namespace))
  cleanCallbackUrl(url)
}
