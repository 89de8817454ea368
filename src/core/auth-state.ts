import type { AuthError } from './errors.js'
import type { User } from './session.js'

/**
 * What the UI needs to know, as a synchronous snapshot (see `getState()` and `subscribe()`).
 * `Claims` types the app's own claims of `user` (see {@link User}).
 *
 * @example
 * ```ts
 * const { status, user, error } = auth.getState()
 * ```
 */
export interface AuthState<Claims extends object = {}> {
  /**
   * `loading` until the start-up hint, the stored session or a pending callback gives the answer.
   * `authenticated` may come from the hint alone: see `unconfirmed`.
   */
  status: 'loading' | 'authenticated' | 'unauthenticated'
  /**
   * `true` while `authenticated` comes only from the start-up hint in localStorage (any script on
   * the origin can write it, and it outlives a lost session), before the session was read from
   * IndexedDB: enough to draw the signed-in layout without a flash, never to show what the session
   * protects. The guards (`ensureAuthenticated()`, `<RequireAuth>`, `authGuard`) wait while it is
   * set, and the bindings' `isAuthenticated` is false and `isLoading` true meanwhile. Absent
   * otherwise: a hint of no session grants nothing, so it is never marked.
   */
  unconfirmed?: true
  /** The signed-in user's validated ID token claims, when authenticated with OpenID Connect. */
  user?: User<Claims>
  /**
   * The last error that ended a session or a login, or of a refresh that failed transiently
   * (`network_error`, `timeout`: the status stays `authenticated`, the session is kept). Cleared by
   * the next change.
   */
  error?: AuthError
  /**
   * `true` when that refresh failed because the browser is offline (`navigator.onLine` is false),
   * so the UI can say "offline" rather than "the server is down"; the refresh is tried again when
   * the browser is back online. Absent otherwise.
   */
  offline?: true
}

/**
 * Called by {@link AuthClient.subscribe} with each new state.
 *
 * @example
 * ```ts
 * const listener: AuthStateListener = (state) => console.log(state.status)
 * const unsubscribe = auth.subscribe(listener)
 * ```
 */
export type AuthStateListener<Claims extends object = {}> = (state: AuthState<Claims>) => void

/**
 * A minimal observable value, shaped for React's `useSyncExternalStore` and Vue refs alike: the
 * snapshot object only changes when something in it does, and listeners hear each change once.
 */
export function createStateStore(initial: AuthState) {
  let state = initial
  const listeners = new Set<AuthStateListener>()
  return {
    get: () => state,
    set(next: AuthState) {
      const same = next.status === state.status && next.user === state.user && next.error === state.error
      if (same && next.offline === state.offline && next.unconfirmed === state.unconfirmed) return
      state = next
      for (const listener of [...listeners]) listener(state)
    },
    subscribe(listener: AuthStateListener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  }
}
