import type { AuthError } from './errors.js'
import type { User } from './session.js'

/** What the UI needs to know, as a synchronous snapshot (see `getState()` and `subscribe()`). */
export interface AuthState {
  status: 'loading' | 'authenticated' | 'unauthenticated'
  user?: User
  /** The last error that ended a session or a login, cleared by the next change. */
  error?: AuthError
}

export type AuthStateListener = (state: AuthState) => void

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
      if (next.status === state.status && next.user === state.user && next.error === state.error) return
      state = next
      for (const listener of [...listeners]) listener(state)
    },
    subscribe(listener: AuthStateListener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  }
}
