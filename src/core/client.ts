import { createStateStore, type AuthState, type AuthStateListener } from './auth-state.js'
import { authorizedFetch } from '../features/authorized-fetch.js'
import { assertNoProtocolParams, assertSupportedServer, buildAuthorizationUrl } from './authorize.js'
import { cleanCallbackUrl, looksLikeCallback, parseCallbackUrl, redeemCallback } from './callback.js'
import { discoverMetadata } from './discovery.js'
import { bindAuthorizationCode, dpopKeys } from '../features/dpop.js'
import { AuthError, isTransient, redacted, toAuthError } from './errors.js'
import { absoluteInput, resourceForUrl } from '../features/fetch-origins.js'
import { endSessionUrl, revokeRefreshToken } from './logout.js'
import { resolveOptions, type AuthClientOptions } from './options.js'
import { frontChannelUrl } from '../features/par.js'
import { watchPageLifecycle } from './page-lifecycle.js'
import { loginInPopup } from '../features/popup.js'
import { isRefreshTokenDead, refreshSession } from './refresh.js'
import { reconnectJitterMs, watchConnectivity, type Connectivity } from './reconnect.js'
import { ifLockAvailable, withRefreshLock } from './refresh-lock.js'
import { addResourceParams, requestedTarget, targetKey, tokenFor, type TokenTarget } from '../features/resource.js'
import type { LoginSteps } from '../features/response-channel.js'
import { transientRetryPolicy, withRetries } from './retry.js'
import {
  isFresh,
  isUsable,
  nextSessionRecord,
  readSession,
  sessionKey,
  sessionSecrets,
  writeSession,
  type Session,
  type SessionRecord,
  type User,
} from './session.js'
import { acquireShared, optionsKey, peekShared, releaseShared } from './shared-clients.js'
import { loginInFrame } from '../features/silent-login.js'
import { browserStore, memoryStore, tabStore } from './storage.js'
import { openTabChannel, type TabChannel, type TabMessage } from './tab-sync.js'
import type { CredentialsSource } from '../features/token-retry.js'
import { createTransaction, discardTransaction, isOwnState, saveTransaction, takeTransaction } from './transaction.js'
import { assertNavigationUrl } from './url-policy.js'
import { fetchUserInfo, mergeUserInfo } from '../features/userinfo.js'

/**
 * Options for {@link AuthClient.loginWithRedirect}.
 *
 * @example
 * ```ts
 * await auth.loginWithRedirect({
 *   appState: { returnTo: location.pathname },
 *   authorizationParams: { prompt: 'login' },
 * })
 * ```
 */
export interface LoginOptions {
  /** Any structured-cloneable value, handed back by `handleRedirectCallback()` (e.g. the route to return to). */
  appState?: unknown
  /** Extra authorization request parameters for this login, over the client's `authorizationParams`. */
  authorizationParams?: Record<string, string>
  /** A redirect URI for this login, instead of the client's `redirectUri`; it must be registered too. */
  redirectUri?: string
}

/**
 * Options for {@link AuthClient.loginWithPopup}.
 *
 * @example
 * ```ts
 * button.onclick = () => auth.loginWithPopup({ timeoutSeconds: 120 })
 * ```
 */
export interface PopupLoginOptions extends LoginOptions {
  /** How long the user has to log in, in seconds, before the popup is closed and the call rejects with `timeout`. Default 300. */
  timeoutSeconds?: number
}

/**
 * Options for {@link AuthClient.getUser}.
 *
 * @example
 * ```ts
 * const user = await auth.getUser({ refresh: true }) // claims from the UserInfo endpoint
 * ```
 */
export interface GetUserOptions {
  /** Read the UserInfo endpoint first, and keep its claims over the ID token's. */
  refresh?: boolean
}

/**
 * What {@link AuthClient.handleRedirectCallback} resolves with.
 *
 * @example
 * ```ts
 * const { appState, user } = await auth.handleRedirectCallback()
 * console.log(`Welcome back, ${user?.name}`)
 * ```
 */
export interface RedirectCallbackResult {
  /** The `appState` given to `loginWithRedirect()`. */
  appState?: unknown
  /** The validated ID token claims, when the login used OpenID Connect. */
  user?: User
}

/**
 * Options for {@link AuthClient.getAccessToken}.
 *
 * @example
 * ```ts
 * const token = await auth.getAccessToken({ forceRefresh: true })
 * ```
 */
export interface GetAccessTokenOptions {
  /** Refresh even if the current access token looks valid (e.g. after an API answered 401). */
  forceRefresh?: boolean
  /**
   * The API to get a token for (RFC 8707), one the login asked for with the `resource` option.
   * Default: the first configured resource, whose token is the session's own.
   */
  resource?: string
  /** Scopes for this token, a subset of the granted ones (RFC 6749 §6). Default: all granted. */
  scope?: string
}

/**
 * Options for {@link AuthClient.logout}.
 *
 * @example
 * ```ts
 * await auth.logout({ returnTo: `${location.origin}/goodbye` })
 * ```
 */
export interface LogoutOptions {
  /**
   * Where the server sends the browser afterwards; defaults to the client's `postLogoutRedirectUri`.
   * An absolute `https:` URL (`http:` on loopback hosts, or with `allowInsecureRequests`); anything
   * else (`javascript:`, `data:`, relative, `//host`) rejects with `config_error` before anything is done.
   */
  returnTo?: string
  /** Clear and revoke locally, but do not navigate to the server's `end_session_endpoint`. */
  localOnly?: boolean
  /**
   * The account to sign out, sent as `logout_hint` (RP-Initiated Logout §2), so the server need not
   * ask which one. Microsoft Entra ID shows an account picker without it; it takes the value of the
   * ID token's `login_hint` optional claim.
   *
   * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
   */
  logoutHint?: string
}

/**
 * A client for one authorization server and one client ID. Create it with {@link createAuthClient}.
 *
 * @example
 * ```ts
 * const auth: AuthClient = createAuthClient({ issuer, clientId, redirectUri })
 * if (auth.isRedirectCallback()) await auth.handleRedirectCallback()
 * const token = await auth.getAccessToken()
 * ```
 */
export interface AuthClient {
  /**
   * Starts a login: stores a one-time transaction (PKCE verifier, `state`, `nonce`) in IndexedDB
   * and navigates to the authorization endpoint. Resolves only if navigation does not happen.
   * Rejects with `config_error`, storing nothing, when the server's `authorization_endpoint` is
   * not an `https:` URL (`http:` on loopback or with `allowInsecureRequests`): never `javascript:`.
   *
   * @example
   * ```ts
   * await auth.loginWithRedirect({ appState: { returnTo: location.pathname } })
   * ```
   */
  loginWithRedirect(options?: LoginOptions): Promise<void>
  /**
   * Logs in in a popup while the app stays as it is: the same one-time transaction (PKCE, `state`,
   * `nonce`) and checks as `loginWithRedirect()`. The popup comes back to `redirectUri` (default:
   * the client's), a page of this origin that calls `handlePopupCallback()`; this window then
   * redeems the code and resolves like `handleRedirectCallback()`. Call it from a click handler.
   * Rejects with `popup_blocked` when the browser refuses the popup, `popup_closed` when the user
   * closes it, `timeout` after `timeoutSeconds`.
   *
   * @example
   * ```ts
   * loginButton.onclick = async () => {
   *   const { user } = await auth.loginWithPopup({ redirectUri: `${location.origin}/popup-callback.html` })
   * }
   * ```
   */
  loginWithPopup(options?: PopupLoginOptions): Promise<RedirectCallbackResult>
  /**
   * Whether `url` (default: the current location) carries an authorization response for this
   * client: at its `redirectUri` (origin, path and its query parameters), with `code` or `error`
   * and a `state` this client made. Any other page with those parameters, and another client's
   * response, is not one. A login given its own `redirectUri` is completed by calling
   * `handleRedirectCallback()` on that page.
   *
   * @see https://www.rfc-editor.org/rfc/rfc9700.html#section-4.4.2
   * @example
   * ```ts
   * if (auth.isRedirectCallback()) await auth.handleRedirectCallback()
   * ```
   */
  isRedirectCallback(url?: string): boolean
  /**
   * Completes a login from the authorization response in `url` (default: the current location):
   * checks `state` and `iss`, redeems the code, validates the ID token, stores the session and
   * removes the response from the address bar. Each login completes once: concurrent calls with the
   * same URL share one result (React StrictMode), later ones reject with `invalid_state`. On any
   * failure the existing session, if any, is kept. A response that came back anywhere but the
   * login's redirect URI (origin, path and its query parameters) rejects with `invalid_response`,
   * its code unredeemed (RFC 9700 §4.4.2). A URL with no response to a login of this client (another client's, on the
   * same origin) rejects with `invalid_state` and is left as it was: no URL cleaning, no error state.
   * Like a refresh, it waits for the cross-tab lock at most `lockWaitSeconds`, then rejects with
   * `timeout` before redeeming anything: the login can be completed again with the same `url`.
   *
   * @example
   * ```ts
   * const { appState } = await auth.handleRedirectCallback()
   * ```
   */
  handleRedirectCallback(url?: string): Promise<RedirectCallbackResult>
  /**
   * Returns a valid access token, refreshing it when less than `refreshLeewaySeconds` are left.
   * Concurrent calls, in this tab and in others, share one refresh. Rejects with `login_required`
   * when there is no session or the server ended it; with the `silentLogin` option, a silent login
   * (`prompt=none` in a hidden iframe) is tried first. When another tab is refreshing, it waits
   * for that tab's token, at most `lockWaitSeconds`; then it rejects with `timeout` and keeps the
   * session (that tab may be frozen holding the lock, and may have spent the refresh token).
   *
   * With `resource` and/or `scope`, returns a token for that API and scopes (RFC 8707), obtained
   * with the session's refresh token and cached in the session until it expires.
   *
   * @see https://www.rfc-editor.org/rfc/rfc8707.html#section-2.2
   * @example
   * ```ts
   * const token = await auth.getAccessToken()
   * await fetch('/api/orders', { headers: { Authorization: `Bearer ${token}` } })
   * const reports = await auth.getAccessToken({ resource: 'https://reports.example.com/', scope: 'reports:read' })
   * ```
   */
  getAccessToken(options?: GetAccessTokenOptions): Promise<string>
  /**
   * `fetch()` with the access token: `Authorization: Bearer` (RFC 6750 §2.1), or `Authorization:
   * DPoP` and a DPoP proof when the session's tokens are DPoP-bound (RFC 9449 §7). When the API
   * answers 401 with `error="invalid_token"`, the token is refreshed and the request sent once
   * more, body included (it is read into memory first); a DPoP `use_dpop_nonce` demand is answered
   * once with the server's nonce. Other answers are returned as they came, whatever their status,
   * like `fetch()`. Redirects are not followed, so the token only goes to the URL given: a
   * redirect resolves as an `opaqueredirect` response. There is no timeout: pass a `signal`.
   * Rejects with an `AuthError`: `login_required` without a session, `network_error` when the
   * request fails, `config_error` when `init` already has an `Authorization` header, `timeout`
   * when getting the token waited `lockWaitSeconds` for another tab (see `getAccessToken()`).
   *
   * The token goes only to the app's own origin (`location.origin`), the origins of the `resource`
   * option and `allowedOrigins`: a request for any other origin rejects with `config_error` naming
   * it, and nothing is sent. A relative URL resolves against `location.origin`, never against
   * `document.baseURI` (an injected `<base href>` cannot redirect it). A resource's origin gets
   * that resource's token (RFC 8707); the others the session's own.
   *
   * @see https://www.rfc-editor.org/rfc/rfc6750.html#section-3.1
   * @see https://www.rfc-editor.org/rfc/rfc9700.html#section-4.9
   * @example
   * ```ts
   * const response = await auth.fetch('/api/orders', { method: 'POST', body: JSON.stringify(order) })
   * if (response.ok) console.log(await response.json())
   * ```
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>
  /**
   * The validated ID token claims of the signed-in user, or `undefined`. With `refresh`, first
   * reads the UserInfo endpoint (OIDC Core §5.3) and keeps its claims over the ID token's, in the
   * stored session and the state of every tab; a response about another `sub` rejects with
   * `invalid_response`.
   *
   * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
   * @example
   * ```ts
   * const user = await auth.getUser()
   * const fresh = await auth.getUser({ refresh: true })
   * console.log(user?.name, fresh?.email)
   * ```
   */
  getUser(options?: GetUserOptions): Promise<User | undefined>
  /**
   * Whether there is a session that can give an access token.
   *
   * @example
   * ```ts
   * if (!(await auth.isAuthenticated())) await auth.loginWithRedirect()
   * ```
   */
  isAuthenticated(): Promise<boolean>
  /**
   * Ends the session: clears it locally, revokes the refresh token (RFC 7009) and, unless
   * `localOnly`, navigates to the server's `end_session_endpoint` (OpenID Connect RP-Initiated
   * Logout), or straight to `returnTo` when the server has none. `returnTo` must be an absolute
   * `https:` URL (`http:` on loopback hosts): otherwise `config_error`, and nothing is cleared.
   * A server `end_session_endpoint` that is not such a URL (`javascript:`) rejects with
   * `config_error` after the local logout, without navigating.
   * The session is deleted from memory and from IndexedDB (retried on a fresh connection); when
   * IndexedDB still refuses, it rejects with `storage_error` after clearing the page and revoking,
   * without navigating: a reload could then find the session again. It waits for another tab's
   * refresh to end first, at most `lockWaitSeconds`; then it rejects with `timeout` and nothing
   * has changed.
   *
   * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
   * @example
   * ```ts
   * await auth.logout({ returnTo: 'https://app.example.com/' })
   * ```
   */
  logout(options?: LogoutOptions): Promise<void>
  /**
   * Calls `listener` with the new state after each change; returns the function that unsubscribes.
   *
   * @example
   * ```ts
   * const unsubscribe = auth.subscribe((state) => render(state))
   * ```
   */
  subscribe(listener: AuthStateListener): () => void
  /**
   * The current state, synchronously. `loading` until the stored session has been read; on the
   * redirect URI with an authorization response and no session, until `handleRedirectCallback()`
   * settles.
   *
   * @example
   * ```ts
   * if (auth.getState().status === 'authenticated') showApp()
   * ```
   */
  getState(): AuthState
  /**
   * Stops using the client: when no other client made with the same options is in use, closes
   * its channel to the other tabs and its page listeners. Calling any method afterwards uses it
   * again (React StrictMode unmounts and remounts), so a client is "in use" from its first call
   * to `dispose()`. The bindings dispose of the clients they made; call it yourself for yours,
   * e.g. in a hot module reload's dispose handler.
   *
   * @example
   * ```ts
   * import.meta.hot?.dispose(() => auth.dispose())
   * ```
   */
  dispose(): void
}

/** What clients made with equal options share; each `createAuthClient()` returns a handle to it. */
type SharedClient = Omit<AuthClient, 'dispose'> & { close(): void }

/**
 * Creates a client. Creating it touches no browser API (safe during server-side rendering); the
 * stored session is read on first use.
 *
 * Clients made with equal options in one page (hot module reload, remounts, two bindings) share
 * one state, one channel to the other tabs and one refresh; `dispose()` lets go of one.
 *
 * @example
 * ```ts
 * const auth = createAuthClient({
 *   issuer: 'https://login.example.com',
 *   clientId: 'my-spa',
 *   redirectUri: `${location.origin}/callback`,
 * })
 * ```
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  // Checked now, so a bad option throws here rather than at first use.
  resolveOptions(options)
  const key = optionsKey(options)
  let shared: SharedClient | undefined
  const use = () => (shared ??= acquireShared(key, () => createSharedClient(options)))
  const forward =
    <K extends keyof SharedClient>(name: K) =>
    (...args: Parameters<SharedClient[K]>): ReturnType<SharedClient[K]> =>
      (use()[name] as (...args: Parameters<SharedClient[K]>) => ReturnType<SharedClient[K]>)(...args)
  return {
    loginWithRedirect: forward('loginWithRedirect'),
    loginWithPopup: forward('loginWithPopup'),
    isRedirectCallback: forward('isRedirectCallback'),
    handleRedirectCallback: forward('handleRedirectCallback'),
    getAccessToken: forward('getAccessToken'),
    fetch: forward('fetch'),
    getUser: forward('getUser'),
    isAuthenticated: forward('isAuthenticated'),
    logout: forward('logout'),
    subscribe: forward('subscribe'),
    // Reading the state is not a use: React reads it while rendering, before any effect runs.
    getState: () => (shared ?? peekShared<SharedClient>(key))?.getState() ?? notLoaded,
    dispose() {
      if (!shared) return
      shared = undefined
      releaseShared(key)
    },
  }
}

const notLoaded: AuthState = { status: 'loading' }

function createSharedClient(options: AuthClientOptions): SharedClient {
  const config = resolveOptions(options)
  // Without IndexedDB, the session lives in memory; a login transaction must outlive the redirect,
  // so it goes to this tab's sessionStorage instead.
  const store = browserStore(memoryStore)
  const dpop = config.dpop ? dpopKeys(store, config.namespace) : undefined
  const transactions = browserStore(tabStore)
  const owner = { namespace: config.namespace, issuer: config.issuer.href, clientId: config.clientId }
  const state = createStateStore({ status: 'loading' })
  const lockName = `pixie-auth:${config.namespace}`
  const callbacks = new Map<string, Promise<RedirectCallbackResult>>()
  const transientPolicy = transientRetryPolicy(config.refreshRetries, config.timeoutSeconds * 1000)
  // Offline, another try can only fail too: fail fast instead, and retry when the browser is back.
  const refreshPolicy = { ...transientPolicy, isRetryable: (error: unknown) => transientPolicy.isRetryable(error) && !offline() }
  let session: Session | undefined
  // The version of `session`, or of the deletion that ended it: the newest this tab has seen (-1: none yet).
  let version = -1
  let restoring: Promise<void> | undefined
  // One refresh at a time per target; '' is the session's own access token.
  const refreshing = new Map<string, Promise<Session>>()
  let tabs: TabChannel | undefined
  let stopWatchingPage: (() => void) | undefined
  // Refreshes waiting for the lock, told of each session another tab shares meanwhile.
  const waiting = new Set<(next: Session) => void>()
  // A refresh failed transiently and no session came since: worth one more try when the browser is back.
  let retryDue = false
  let connectivity: Connectivity | undefined
  const offline = () => connectivity?.offline() ?? false

  const adopt = (next: Session | undefined, error?: AuthError) => {
    // Unchanged claims keep the snapshot's user object, so subscribers see no change when only the
    // access token was refreshed. (A new ID token always brings new iat/exp; UserInfo new claims.)
    const sameUser =
      next !== undefined && session !== undefined && JSON.stringify(next.user) === JSON.stringify(session.user)
    session = next
    if (next) retryDue = false
    state.set({
      status: next ? 'authenticated' : 'unauthenticated',
      user: sameUser ? state.get().user : next?.user,
      error,
    })
  }

  /**
   * Takes a stored or announced record unless this tab already holds a newer one: reads and
   * messages from other tabs may arrive in any order, and a login that waited for the lock may carry
   * an older token than the refresh written before it.
   */
  const adoptRecord = (record: SessionRecord, error?: AuthError) => {
    if (record.version <= version) return
    version = record.version
    adopt(record.session, error)
  }

  /** A refresh failed but the session stands: the state says why, and it is tried again later. */
  const refreshFailed = (error: AuthError) => {
    if (!isTransient(error) || !session) return error
    retryDue = true
    // No answer at all (no status) while the browser says it is offline.
    const noNetwork = error.code === 'network_error' && error.status === undefined && offline()
    state.set({ ...state.get(), error, offline: noNetwork || undefined })
    return error
  }

  const sessionEnded = (cause?: AuthError) =>
    new AuthError('login_required', 'The session has ended; log in again', { cause })

  const onTabMessage = (message: TabMessage) => {
    const next = message.type === 'session' ? message.session : undefined
    const error = message.type === 'ended' && message.reason === 'invalid_grant' ? sessionEnded() : undefined
    // A tab still running an SDK from before versions (open across a deploy) sends none: take its
    // news as it comes, without letting it touch this tab's version.
    if (typeof message.version !== 'number') adopt(next, error)
    else adoptRecord({ version: message.version, session: next }, error)
    // Only a session taken as the newest answers a waiting refresh.
    if (next && session === next) for (const waiter of waiting) waiter(next)
  }

  /** Every wait for the cross-tab lock is bounded: its holder may be frozen. */
  const lock = <T>(task: () => Promise<T>, signal?: AbortSignal) =>
    withRefreshLock(lockName, task, { waitMs: config.lockWaitMs, signal })

  /** A response at the redirect URI to a login of this client, not of another one on the origin. */
  const isCallback = (url: string) => {
    const parsed = parseCallbackUrl(url)
    return (
      parsed !== undefined &&
      looksLikeCallback(parsed, config.redirectUri) &&
      isOwnState(config.namespace, parsed.searchParams.get('state'))
    )
  }
  /** Whether this page is the redirect back from the server, with a response still to redeem. */
  const onCallbackPage = () => typeof location !== 'undefined' && isCallback(location.href)

  /**
   * The stored record, without a session this client must not use: with `dpop`, a Bearer session
   * (stored before `dpop` was switched on) is none, so no Bearer token is handed out, nor refreshed
   * with a proof the server may ignore (RFC 9449 §5).
   */
  const readOwn = async (): Promise<SessionRecord> => {
    const record = await readSession(store, config.namespace)
    return dpop && record.session?.tokenType !== 'dpop' ? { version: record.version } : record
  }

  /**
   * The newest record, which under the lock is the stored one: it wins over what this tab holds,
   * and an empty store (version 0, wiped) means logged out. Unless it is older than what this tab
   * holds: then the store missed writes (it is this tab's memory after a fallback, or IndexedDB
   * while a tab that fell back wrote to its memory), and this tab's session, told by the tab that
   * wrote it, is the newer one.
   */
  const readNewest = async (): Promise<SessionRecord> => {
    const stored = await readOwn()
    return stored.version > 0 && stored.version < version ? { version, session } : stored
  }

  /** The stored record, with its session only if that can still give an access token. */
  const readUsable = async (): Promise<SessionRecord> => {
    const { version: stored, session: candidate } = await readOwn()
    return { version: stored, session: candidate && isUsable(candidate) ? candidate : undefined }
  }

  /**
   * After the back/forward cache: the page missed every message meanwhile, so the stored session
   * is the answer, even an older version or none (storage may have been wiped), unless a newer one
   * arrived while reading it.
   */
  const reread = async () => {
    const before = version
    const stored = await readUsable()
    if (version !== before) return
    version = Math.max(version, stored.version)
    adopt(stored.session)
  }

  const restore = () =>
    (restoring ??= (async () => {
      tabs = openTabChannel(lockName, onTabMessage)
      connectivity = watchConnectivity(retryFailedRefresh)
      stopWatchingPage = watchPageLifecycle({
        onHide: () => {
          tabs?.close()
          tabs = undefined
        },
        onRestore: () => {
          tabs ??= openTabChannel(lockName, onTabMessage)
          reread().catch((cause: unknown) => adopt(session, toAuthError(cause)))
        },
      })
      const stored = await readUsable()
      // Another tab may have told us about a newer session while we were reading (adoptRecord keeps
      // it). And on the callback page "no session" is not the answer yet: handleRedirectCallback()
      // gives it, so a route guard does not start a second login meanwhile.
      if (stored.session || !onCallbackPage()) adoptRecord(stored)
    })())

  /** Stores `next` with its version and tells the other tabs; call it under the lock. */
  const share = async (next: Session) => {
    const record = await writeSession(store, config.namespace, next, version)
    adoptRecord(record)
    tabs?.post({ type: 'session', version: record.version, session: next })
    return next
  }

  /** Under the lock: the server ended the session. */
  const endSession = async (cause: AuthError) => {
    const { version: deleted } = await writeSession(store, config.namespace, undefined, version)
    const error = sessionEnded(cause)
    adoptRecord({ version: deleted }, error)
    tabs?.post({ type: 'ended', version: deleted, reason: 'invalid_grant' })
    return error
  }

  /** Whether `candidate` has a token for `target` that is fresh and not the one found stale. */
  const answers = (candidate: Session, staleAccessToken: string | undefined, target?: TokenTarget) => {
    const current = tokenFor(candidate, target)
    return current !== undefined && current.accessToken !== staleAccessToken && isFresh(current, config.refreshLeewaySeconds)
  }

  /** Runs inside the lock, so the stored session is the newest any tab has. */
  async function refreshInsideLock(
    staleAccessToken: string | undefined,
    target?: TokenTarget,
    policy = refreshPolicy,
  ): Promise<Session> {
    const { version: storedVersion, session: stored } = await readNewest()
    version = Math.max(version, storedVersion)
    if (!stored) {
      adopt(undefined)
      throw new AuthError('login_required', 'Not logged in')
    }
    if (answers(stored, staleAccessToken, target)) {
      adopt(stored)
      return stored
    }
    try {
      const proof = await dpop?.handle(stored.clockSkew)
      return await share(await withRetries(() => refreshSession(config, stored, proof, target), policy))
    } catch (cause) {
      // The server may quote the refresh token it was sent in its error.
      const error = redacted(toAuthError(cause), sessionSecrets(stored))
      throw isRefreshTokenDead(error, target) ? await endSession(error) : refreshFailed(error)
    }
  }

  /**
   * Refreshes under the lock. While waiting for it, a session another tab shares that answers the
   * need ends the wait at once: the lock's holder has done the refresh this tab was waiting to do.
   */
  const refreshWhenFree = (staleAccessToken: string | undefined, target?: TokenTarget) =>
    new Promise<Session>((resolve, reject) => {
      const answered = new AbortController()
      const waiter = (next: Session) => {
        if (!answers(next, staleAccessToken, target)) return
        answered.abort()
        resolve(next)
      }
      waiting.add(waiter)
      const inLock = () => {
        waiting.delete(waiter)
        return refreshInsideLock(staleAccessToken, target)
      }
      lock(inLock, answered.signal)
        .then(resolve, reject)
        .finally(() => waiting.delete(waiter))
    })

  const refresh = (staleAccessToken: string | undefined, target?: TokenTarget) => {
    const key = target ? targetKey(target) : ''
    let pending = refreshing.get(key)
    if (!pending) {
      pending = refreshWhenFree(staleAccessToken, target)
        .catch((cause: unknown) => {
          throw refreshFailed(toAuthError(cause))
        })
        .finally(() => refreshing.delete(key))
      refreshing.set(key, pending)
    }
    return pending
  }

  /**
   * Back online, or visible again, after a failed refresh: one more try, by one tab. The lock is
   * taken only if free (a tab holding it is refreshing, and will share its session), and the stored
   * session is read again inside it, so a tab that finds another's fresh session just adopts it.
   * One request at most, without retries: the next event or call tries again.
   */
  function retryFailedRefresh() {
    if (!retryDue || refreshing.has('')) return
    retryDue = false
    const once = { ...refreshPolicy, retries: 0 }
    // One tab retries for all the tabs that heard the same event, even when the retry fails: the
    // retry lock stays held for longer than the events' jitter, so the others find it taken.
    ifLockAvailable(`${lockName}:retry`, async () => {
      await ifLockAvailable(lockName, () => refreshInsideLock(undefined, undefined, once)).catch(() => {})
      await new Promise((resolve) => setTimeout(resolve, 2 * reconnectJitterMs))
    }).catch(() => {})
  }

  async function completeLogin(url: string): Promise<RedirectCallbackResult> {
    await restore()
    const callbackUrl = parseCallbackUrl(url)
    const state = callbackUrl?.searchParams.get('state')
    // Not a response to this client's login: maybe another client's on the same page, which must
    // find its URL, its transaction and its state as they were. So: no cleaning, no error state.
    if (!callbackUrl || !isOwnState(config.namespace, state)) {
      throw new AuthError('invalid_state', 'This URL is not an authorization response to a login of this client')
    }
    try {
      cleanCallbackUrl(callbackUrl)
      // Under the lock, so a refresh running in another tab cannot write over the new session. Taken
      // before the code is redeemed: a wait that times out spends neither the code nor the login.
      const { transaction, next } = await lock(async () => {
        const transaction = await takeTransaction(transactions, owner, state)
        const next = await share(await redeemCallback(config, transaction, callbackUrl, await dpop?.handle()))
        return { transaction, next }
      })
      return { appState: transaction.appState, user: next.user }
    } catch (cause) {
      const error = toAuthError(cause)
      adopt(session, error)
      throw error
    }
  }

  async function startLogin(
    { appState, authorizationParams, redirectUri = config.redirectUri }: LoginOptions,
    navigate = (url: URL) => location.assign(url),
  ) {
    if (!URL.canParse(redirectUri)) throw new AuthError('config_error', 'redirectUri must be an absolute URL')
    try {
      structuredClone(appState)
    } catch (cause) {
      throw new AuthError('config_error', 'appState must be structured-cloneable', { cause })
    }
    const { scope = config.scope, ...params } = { ...config.authorizationParams, ...authorizationParams }
    assertNoProtocolParams(params)
    const metadata = await discoverMetadata(config)
    assertSupportedServer(metadata, config.allowInsecureRequests)
    const maxAge = params.max_age === undefined ? undefined : Number(params.max_age)
    const transaction = createTransaction(owner, { redirectUri, scope, maxAge, appState, metadata })
    const url = await buildAuthorizationUrl(metadata, config.clientId, transaction, params)
    addResourceParams(url, config.resource)
    if (dpop) await bindAuthorizationCode(url, metadata, dpop)
    const destination = await frontChannelUrl(config, metadata, url)
    await saveTransaction(transactions, owner, transaction)
    navigate(destination)
    return transaction.state
  }

  /** A login whose response comes back to a popup or an iframe, redeemed here. */
  const loginSteps = (options: LoginOptions): LoginSteps<RedirectCallbackResult> => ({
    start: (navigate) => startLogin(options, navigate),
    complete: completeLogin,
    abandon: (state) => discardTransaction(transactions, owner, state),
  })

  let silentLogin: Promise<RedirectCallbackResult> | undefined
  /** One silent login at a time. Its failure goes to the state, as a failed redirect login's does. */
  const loginSilently = () =>
    (silentLogin ??= loginInFrame(
      loginSteps({ redirectUri: config.silentRedirectUri, authorizationParams: { prompt: 'none' } }),
      { redirectUri: config.silentRedirectUri, timeoutSeconds: config.silentLoginTimeoutSeconds },
    )
      .catch((cause) => {
        const error = toAuthError(cause)
        adopt(session, error)
        throw error
      })
      .finally(() => {
        silentLogin = undefined
      }))

  /** With `silentLogin`, a `getAccessToken()` that finds no session logs in silently, then tries again. */
  const withSilentLogin =
    (getToken: (options?: GetAccessTokenOptions) => Promise<string>) =>
    async (options: GetAccessTokenOptions = {}) => {
      try {
        return await getToken(options)
      } catch (cause) {
        if (!config.silentLogin || toAuthError(cause).code !== 'login_required') throw cause
        await loginSilently()
        // The new session's token is fresh; forcing a refresh would spend a refresh token for nothing.
        return getToken({ ...options, forceRefresh: false })
      }
    }

  /**
   * The access token for `resource` (default: the session's own), for `auth.fetch()` and UserInfo,
   * with the DPoP handle it is bound to.
   */
  const credentialsFor =
    (resource?: string): CredentialsSource =>
    async (forceRefresh) => {
      const accessToken = await client.getAccessToken({ forceRefresh, resource })
      const token = session && tokenFor(session, requestedTarget(config.resource, resource))
      return { accessToken, dpop: token?.tokenType === 'dpop' ? await dpop?.handle(session?.clockSkew) : undefined }
    }
  const credentials = credentialsFor()

  /** Reads UserInfo and stores its claims in the session, for this tab and the others. */
  async function refreshUser({ metadata, user }: Session) {
    if (!user) throw new AuthError('config_error', 'UserInfo needs an OpenID Connect login: add openid to scope')
    const claims = await fetchUserInfo(config, metadata, user.sub, credentials)
    await lock(async () => {
      // Merged onto the newest stored user (a refresh may have brought a new ID token), never onto
      // another user's session.
      const { session: stored } = await readSession(store, config.namespace)
      if (stored?.user?.sub === claims.sub) await share({ ...stored, user: mergeUserInfo(stored.user, claims) })
    })
  }

  async function endSessionEverywhere({ returnTo, localOnly = false, logoutHint }: LogoutOptions) {
    // Checked before anything is cleared: a call that cannot complete changes nothing.
    if (returnTo !== undefined) assertNavigationUrl('returnTo', returnTo, config.allowInsecureRequests)
    await restore()
    const { ended, deleted, stuck } = await lock(async () => {
      const { session: stored } = await readSession(store, config.namespace)
      const record = await nextSessionRecord(store, config.namespace, undefined, version)
      // Memory and IndexedDB both, or a reload would sign the user in again.
      const failure = await store.setEverywhere(sessionKey(config.namespace), record).then(
        () => undefined,
        (cause: unknown) => ({ cause }),
      )
      return { ended: stored ?? session, deleted: record.version, stuck: failure }
    })
    adoptRecord({ version: deleted })
    tabs?.post({ type: 'ended', version: deleted, reason: 'logout' })
    if (ended) await revokeRefreshToken(config, ended)
    // The tokens bound to the old key are gone; the next login gets a key of its own.
    await dpop?.discard()
    if (stuck) {
      throw new AuthError('storage_error', 'The session could not be removed from IndexedDB; a reload may restore it', stuck)
    }
    if (localOnly) return
    const after = returnTo ?? config.postLogoutRedirectUri
    const metadata = ended?.metadata ?? (await discoverMetadata(config))
    const target = endSessionUrl(metadata, config.clientId, ended?.idToken, after, config.allowInsecureRequests, logoutHint) ?? after
    if (target) location.assign(target)
  }

  /** Every public async method rejects with an AuthError and nothing else. */
  const guarded =
    <A extends unknown[], R>(method: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await method(...args)
      } catch (cause) {
        throw toAuthError(cause)
      }
    }

  const client: SharedClient = {
    loginWithRedirect: guarded(async (options: LoginOptions = {}) => void (await startLogin(options))),

    loginWithPopup: guarded(({ timeoutSeconds = 300, ...options }: PopupLoginOptions = {}) =>
      loginInPopup(loginSteps(options), { redirectUri: options.redirectUri ?? config.redirectUri, timeoutSeconds }),
    ),

    isRedirectCallback: (url = location.href) => isCallback(url),

    handleRedirectCallback: guarded((url: string = location.href) => {
      let pending = callbacks.get(url)
      if (!pending) {
        pending = completeLogin(url).finally(() => callbacks.delete(url))
        callbacks.set(url, pending)
      }
      return pending
    }),

    getAccessToken: guarded(withSilentLogin(async ({ forceRefresh = false, resource, scope }: GetAccessTokenOptions = {}) => {
      await restore()
      if (!session) throw new AuthError('login_required', 'Not logged in')
      const target = requestedTarget(config.resource, resource, scope)
      const current = tokenFor(session, target)
      if (!forceRefresh && current && isFresh(current, config.refreshLeewaySeconds)) return current.accessToken
      const next = await refresh(forceRefresh ? current?.accessToken : undefined, target)
      // A refresh for a target always leaves a token for it in the session it resolves with.
      return tokenFor(next, target)!.accessToken
    })),

    fetch: guarded(async (input: RequestInfo | URL, init?: RequestInit) => {
      // Checked before any token is read: a request to an origin not allowed sends nothing at all.
      const appOrigin = typeof location === 'undefined' ? undefined : location.origin
      const { input: absolute, url } = absoluteInput(input, appOrigin)
      const resource = resourceForUrl(url, { appOrigin, allowedOrigins: config.allowedOrigins, resources: config.resource })
      return authorizedFetch(credentialsFor(resource), config.http, absolute, init)
    }),

    getUser: guarded(async ({ refresh = false }: GetUserOptions = {}) => {
      await restore()
      if (refresh && session) await refreshUser(session)
      return session?.user
    }),

    isAuthenticated: guarded(async () => {
      await restore()
      return session !== undefined
    }),

    logout: guarded((options: LogoutOptions = {}) => endSessionEverywhere(options)),

    subscribe(listener) {
      void restore()
      return state.subscribe(listener)
    },

    getState: state.get,

    close() {
      connectivity?.stop()
      stopWatchingPage?.()
      tabs?.close()
      tabs = undefined
    },
  }
  return client
}
