/**
 * `pixie-auth/silent-login`: log in with `prompt=none` in a hidden iframe, a plug-in for `createAuthClient()`.
 *
 * @module pixie-auth/silent-login
 */
export { silentLogin, type SilentLoginOptions, type SilentLoginPlugin } from './features/silent-login.js'
