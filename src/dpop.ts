/**
 * `pixie-auth/dpop`: sender-constrained tokens (RFC 9449), a plug-in for `createAuthClient()`.
 *
 * @module pixie-auth/dpop
 */
export { dpop } from './features/dpop.js'
