/**
 * `pixie-auth/par`: Pushed Authorization Requests (RFC 9126), a plug-in for `createAuthClient()`.
 *
 * @module pixie-auth/par
 */
export { par } from './features/par.js'
