/**
 * The core entry, `pixie-auth`: redirect login, tokens refreshed under the cross-tab lock, the
 * session in IndexedDB shared by the tabs, logout, state and errors. Every other feature is an
 * entry of its own (`pixie-auth/dpop`, `pixie-auth/fetch`...), so what an app does not import
 * never reaches its bundle.
 *
 * @module pixie-auth
 */
export { createAuthClient } from './core/client.js'
export type { AuthClient, GetAccessTokenOptions, LoginOptions, LogoutOptions, RedirectCallbackResult } from './core/types.js'
export type { AuthClientOptions, Plugin } from './core/options.js'
export type { AuthState, AuthStateListener } from './core/auth-state.js'
export { AuthError } from './core/errors.js'
export type { AuthErrorCode } from './core/errors.js'
export type { AddressClaim, StandardClaims, User } from './core/session.js'
export { ensureAuthenticated, handleRedirectCallbackOnce, loginFailure } from './core/guards.js'
export type { RedirectCallbackOnceOptions } from './core/guards.js'
export { restoreReturnTo, returnToPath } from './core/return-to.js'
