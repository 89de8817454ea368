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
  /** `loading` until the stored session (or a pending callback) gives the answer. */
  status: 'loading' | 'authenticated' | 'unauthenticated'
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
      if (same && next.offline === state.offline) return
      state = next
      for (const listener of [...listeners]) listener(state)
    },
    subscribe(listener: AuthStateListener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  }
}
