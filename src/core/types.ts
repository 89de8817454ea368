// The public types of the core client: what `createAuthClient()` returns and what its methods take.
import type { AuthState, AuthStateListener } from './auth-state.js'
import type { User } from './session.js'

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
  /** A redirect URI for this login, instead of the client's `redirectUri`; it must be registered too. An absolute URL or a path, as the client's. */
  redirectUri?: string
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
export interface RedirectCallbackResult<Claims extends object = {}> {
  /** The `appState` given to `loginWithRedirect()`. */
  appState?: unknown
  /** The validated ID token claims, when the login used OpenID Connect. */
  user?: User<Claims>
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
   * The API to get a token for (RFC 8707), one the login asked for with `resourceIndicators()`
   * (`pixie-auth/resource`); without it, `config_error`. Default: the first configured resource,
   * whose token is the session's own.
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
   * A path on the page's origin (`'/bye'`), or an absolute `https:` URL (`http:` on loopback hosts,
   * or with `allowInsecureRequests`); anything else (`javascript:`, `data:`, `bye.html`, `//host`)
   * rejects with `config_error` before anything is done.
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
 * `Claims` types the app's own claims of the user (see {@link User}).
 *
 * @example
 * ```ts
 * const auth: AuthClient = createAuthClient({ issuer, clientId, redirectUri })
 * if (auth.isRedirectCallback()) await auth.handleRedirectCallback()
 * const token = await auth.getAccessToken()
 * ```
 */
export interface AuthClient<Claims extends object = {}> {
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
  handleRedirectCallback(url?: string): Promise<RedirectCallbackResult<Claims>>
  /**
   * Returns a valid access token, refreshing it when less than `refreshLeewaySeconds` are left.
   * Concurrent calls, in this tab and in others, share one refresh. Rejects with `login_required`
   * when there is no session or the server ended it; with `silentLogin()` (`pixie-auth/silent-login`), a silent login
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
   * The validated ID token claims of the signed-in user, or `undefined`. For the UserInfo
   * endpoint's claims, see `fetchUser()` in `pixie-auth/userinfo`.
   *
   * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
   * @example
   * ```ts
   * const user = await auth.getUser()
   * console.log(user?.name)
   * ```
   */
  getUser(): Promise<User<Claims> | undefined>
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
   * Logout), or straight to `returnTo` when the server has none. The `state` sent there is kept
   * in this browser; back at `returnTo` with it, the client (its first use on that page) removes
   * it from the address bar, once. `returnTo` must be an absolute
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
  subscribe(listener: AuthStateListener<Claims>): () => void
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
  getState(): AuthState<Claims>
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
