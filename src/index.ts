export { createAuthClient } from './client.js'
export type {
  AuthClient,
  GetAccessTokenOptions,
  LoginOptions,
  LogoutOptions,
  RedirectCallbackResult,
} from './client.js'
export type { AuthClientOptions } from './options.js'
export type { AuthState, AuthStateListener } from './auth-state.js'
export { AuthError } from './errors.js'
export type { AuthErrorCode } from './errors.js'
export type { User } from './session.js'
export { ensureAuthenticated, handleRedirectCallbackOnce } from './login-flow.js'
export { restoreReturnTo, returnToPath } from './return-to.js'
