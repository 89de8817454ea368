export { createAuthClient } from './client.js'
export type {
  AuthClient,
  GetAccessTokenOptions,
  GetUserOptions,
  LoginOptions,
  LogoutOptions,
  PopupLoginOptions,
  RedirectCallbackResult,
} from './client.js'
export { handlePopupCallback } from './response-channel.js'
export type { AuthClientOptions } from './options.js'
export type { AuthState, AuthStateListener } from './auth-state.js'
export { AuthError } from './errors.js'
export type { AuthErrorCode } from './errors.js'
export type { User } from './session.js'
export { ensureAuthenticated, handleRedirectCallbackOnce } from './login-flow.js'
export type { RedirectCallbackOnceOptions } from './login-flow.js'
export { restoreReturnTo, returnToPath } from './return-to.js'
