export { createAuthClient } from './core/client.js'
export type {
  AuthClient,
  GetAccessTokenOptions,
  GetUserOptions,
  LoginOptions,
  LogoutOptions,
  PopupLoginOptions,
  RedirectCallbackResult,
} from './core/client.js'
export { handlePopupCallback } from './features/response-channel.js'
export type { AuthClientOptions } from './core/options.js'
export type { AuthState, AuthStateListener } from './core/auth-state.js'
export { AuthError } from './core/errors.js'
export type { AuthErrorCode } from './core/errors.js'
export type { User } from './core/session.js'
export { ensureAuthenticated, handleRedirectCallbackOnce } from './core/login-flow.js'
export type { RedirectCallbackOnceOptions } from './core/login-flow.js'
export { restoreReturnTo, returnToPath } from './core/return-to.js'
