import type * as oauth from 'oauth4webapi'
import { assertNoProtocolParams, assertSupportedServer, buildAuthorizationUrl } from './authorize.js'
import { redeemCallback } from './callback.js'
import { cleanCallbackUrl, parseCallbackUrl } from './callback-url.js'
import { AuthError, toAuthError } from './errors.js'
import type { ResolvedOptions } from './options.js'
import type { DPoPFeature, LoginSteps, ParFeature, TokenSender } from './plugins.js'
import type { SessionSync } from './session-sync.js'
import type { KeyValueStore } from './storage.js'
import type { TokenTarget } from './targets.js'
import type { Lock } from './refresh-coordination.js'
import { createTransaction, discardTransaction, isOwnState, saveTransaction, takeTransaction } from './transaction.js'
import type { LoginOptions, RedirectCallbackResult } from './types.js'
import { requireAppUrl, resolveAppUrl } from './url-policy.js'

/** What a login needs of the client: its parts, and the protocol plug-ins it was given. */
export interface LoginParts {
  config: ResolvedOptions
  sync: SessionSync
  lock: Lock
  /** The server metadata: configured, or discovered once per page (see `metadataSource()`). */
  metadata: () => Promise<oauth.AuthorizationServer>
  /** Login transactions: IndexedDB, or this tab's sessionStorage where it is unavailable. */
  transactions: KeyValueStore
  /** The session's own token's target (RFC 8707), asked for with the code. */
  own: TokenTarget
  /** The configured resources (RFC 8707), sent with the authorization request. */
  resources: string[]
  dpop?: DPoPFeature
  par?: ParFeature
}

/**
 * Starts and completes logins: the authorization request with PKCE, one-time `state` and `nonce`
 * (RFC 9700 §2.1.1), and the redemption of its response under the cross-tab lock.
 */
export function createLoginFlow({ config, sync, lock, metadata: serverMetadata, transactions, own, resources, dpop, par }: LoginParts) {
  const owner = { namespace: config.namespace, issuer: config.issuer.href, clientId: config.clientId }
  // A login's code is redeemed with that login's own DPoP key.
  const send = (state: string): TokenSender => dpop?.sender(0, state) ?? ((request) => request({}))

  async function start({ appState, authorizationParams, redirectUri: given = config.redirectUri }: LoginOptions, navigate: (url: URL) => void) {
    requireAppUrl('redirectUri', given)
    // Absolute from here on: the request, the transaction and the callback's check all use it.
    const redirectUri = resolveAppUrl(given)
    try {
      structuredClone(appState)
    } catch (cause) {
      throw new AuthError('config_error', 'appState must be structured-cloneable', { cause })
    }
    const { scope = config.scope, ...params } = { ...config.authorizationParams, ...authorizationParams }
    assertNoProtocolParams(params)
    const metadata = await serverMetadata()
    assertSupportedServer(metadata, config.allowInsecureRequests)
    // Before anything is made or stored (the transaction, a DPoP key): this login cannot happen.
    if (!par && metadata.require_pushed_authorization_requests === true) {
      throw new AuthError('config_error', 'The server requires pushed authorization requests: add par()')
    }
    const maxAge = params.max_age === undefined ? undefined : Number(params.max_age)
    const transaction = createTransaction(owner, { redirectUri, scope, maxAge, appState })
    const url = await buildAuthorizationUrl(metadata, config.clientId, transaction, params)
    // The grant, and the user's consent, covers every API the app will ask tokens for (RFC 8707 §2.1).
    for (const resource of resources) url.searchParams.append('resource', resource)
    await dpop?.bindCode(url, metadata)
    const destination = par ? await par.push(url, metadata) : url
    await saveTransaction(transactions, owner, transaction)
    navigate(destination)
    return transaction.state
  }

  async function complete(url: string): Promise<RedirectCallbackResult> {
    await sync.restore()
    const callbackUrl = parseCallbackUrl(url)
    const state = callbackUrl?.searchParams.get('state')
    // Not a response to this client's login: maybe another client's on the same page, which must
    // find its URL, its transaction and its state as they were. So: no cleaning, no error state.
    if (!callbackUrl || !isOwnState(config.namespace, state)) {
      throw new AuthError('invalid_state', 'Not a response to a login of this client')
    }
    try {
      cleanCallbackUrl(callbackUrl)
      // Before the transaction is taken: a discovery that fails leaves the login to complete again.
      const metadata = await serverMetadata()
      // Under the lock, so a refresh running in another tab cannot write over the new session. Taken
      // before the code is redeemed: a wait that times out spends neither the code nor the login.
      const { transaction, next } = await lock(async () => {
        const transaction = await takeTransaction(transactions, owner, state)
        const next = await sync.share(await redeemCallback(config, metadata, transaction, callbackUrl, send(state), own))
        return { transaction, next }
      })
      return { appState: transaction.appState, user: next.user }
    } catch (cause) {
      const error = toAuthError(cause)
      sync.adopt(sync.current(), error)
      throw error
    }
  }

  return {
    /** Starts a login by sending the browser to the server. */
    redirect: (options: LoginOptions) => start(options, (url) => location.assign(url)),
    complete,
    /** A login whose response comes back to a popup or an iframe, redeemed here. */
    steps: (options: LoginOptions): LoginSteps<RedirectCallbackResult> => ({
      start: (navigate) => start(options, navigate),
      complete,
      abandon: (state) => discardTransaction(transactions, owner, state),
    }),
  }
}
