import type { AuthState } from './auth-state.js'
import type { AuthClient, RedirectCallbackResult } from './types.js'
import type { AuthError, AuthErrorCode } from './errors.js'
import { sharedRun } from './shared-run.js'

// Keyed by client: one page load has one callback, and one login at a time, per client.
const callbacks = new WeakMap<AuthClient, Promise<RedirectCallbackResult | undefined>>()
const logins = new WeakMap<AuthClient, Promise<boolean>>()

/**
 * Options for {@link handleRedirectCallbackOnce}.
 *
 * @example
 * ```ts
 * await handleRedirectCallbackOnce(auth, { skip: true }) // the app calls handleRedirectCallback() itself
 * ```
 */
export interface RedirectCallbackOnceOptions {
  /**
   * Leave the callback to the app, which calls `client.handleRedirectCallback()` itself: this call,
   * and every later one for the client (route guards), only wait until that settles.
   */
  skip?: boolean
}

/**
 * Completes the login when the page was loaded as `client`'s redirect callback (its redirect URI,
 * origin and path, with a response to one of its logins), once per client however often it is
 * called: effects run twice under React StrictMode, and route guards run on every navigation but
 * must all wait for the same callback. Resolves with the callback's result, or `undefined` when
 * the page is not a callback, the login failed (the failure is in `client.getState().error`,
 * where the UI renders it) or the first call for the client said `skip`.
 *
 * @example
 * ```ts
 * const result = await handleRedirectCallbackOnce(auth)
 * if (result) restoreReturnTo(result.appState)
 * ```
 */
export function handleRedirectCallbackOnce(
  client: AuthClient,
  { skip = false }: RedirectCallbackOnceOptions = {},
): Promise<RedirectCallbackResult | undefined> {
  let completion = callbacks.get(client)
  if (!completion) {
    const isCallback = typeof location !== 'undefined' && client.isRedirectCallback()
    // Resolving instead of rejecting: many callers wait on this, and the failure is already in the
    // state, so no caller is left with a rejection that only one of them could handle.
    completion = !isCallback
      ? Promise.resolve(undefined)
      : skip
        ? settled(client)
        : client.handleRedirectCallback().catch(() => undefined)
    callbacks.set(client, completion)
  }
  return completion
}

/** Resolves once the client's state has left `loading`: on its callback page, once the app's own callback settled. */
function settled(client: AuthClient): Promise<undefined> {
  return new Promise((resolve) => {
    let unsubscribe: (() => void) | undefined
    // Called by subscribe() itself too when the state is known at once, before `unsubscribe` is set:
    // it resolves then, and the call after subscribing lets go.
    const check = () => {
      if (client.getState().status === 'loading') return
      unsubscribe?.()
      resolve(undefined)
    }
    unsubscribe = client.subscribe(check)
    check()
  })
}

/**
 * What a protected route needs before it renders: resolves `true` when there is a session read
 * from IndexedDB (after any pending redirect callback; the start-up hint alone never counts);
 * otherwise starts a login that comes back to `returnTo` (default: the current path, search and
 * hash) and resolves `false`. Concurrent calls for one client share one login. When the last login
 * failed for a reason other than `login_required` or `invalid_state` (the user refused, the server
 * is misconfigured), it resolves `false` without redirecting, so the app can show the failure
 * ({@link loginFailure}) instead of sending the user round the server in a loop. An
 * `invalid_state` is a response to no login of this browser: a replayed or expired callback, or a
 * link anyone can craft (the client's tag in `state` is public). A new login is the answer;
 * refusing one would let such a link lock the user out.
 *
 * @example
 * ```ts
 * if (await ensureAuthenticated(auth, '/orders')) showOrders()
 * ```
 */
export function ensureAuthenticated(
  client: AuthClient,
  returnTo = location.pathname + location.search + location.hash,
): Promise<boolean> {
  return sharedRun(logins, client, () => authenticatedOrLogin(client, returnTo))
}

/** Failures that a new login answers, and that no server or user decision will repeat. */
const restartingCodes = new Set<AuthErrorCode>(['login_required', 'invalid_state'])

/**
 * Why the guards stopped: the failure of the last login, when it is one that
 * {@link ensureAuthenticated} does not answer with a new login by itself: the user refused
 * consent (`oauth_error` with `error: 'access_denied'`), the server is misconfigured or was
 * unreachable. A route guard renders it with a "Try again" that calls `loginWithRedirect()`,
 * rather than waiting for a login that will not come. `undefined` while loading, signed in, or
 * when a new login is the answer.
 *
 * @example
 * ```ts
 * if (!(await ensureAuthenticated(auth))) {
 *   const failed = loginFailure(auth.getState())
 *   if (failed) showError(failed.message, () => auth.loginWithRedirect())
 * }
 * ```
 */
export function loginFailure({ status, error }: AuthState): AuthError | undefined {
  return status === 'unauthenticated' && error && !restartingCodes.has(error.code) ? error : undefined
}

async function authenticatedOrLogin(client: AuthClient, returnTo: string): Promise<boolean> {
  // A pending callback decides whether there is a session: wait for it before logging in again.
  await handleRedirectCallbackOnce(client)
  // Read from IndexedDB, never the start-up hint (see `AuthState.unconfirmed`).
  if (await client.isAuthenticated()) return true
  if (loginFailure(client.getState())) return false
  await client.loginWithRedirect({ appState: { returnTo } })
  return false
}
