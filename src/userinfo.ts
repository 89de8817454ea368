/**
 * `pixie-auth/userinfo`: the user's claims from the UserInfo endpoint (OIDC Core §5.3).
 *
 * @module pixie-auth/userinfo
 */
export { fetchUser } from './features/userinfo.js'
