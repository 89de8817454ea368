/**
 * `pixie-auth/resource`: resource indicators (RFC 8707), a plug-in for `createAuthClient()`.
 *
 * @module pixie-auth/resource
 */
export { resourceIndicators, type ResourcePlugin } from './features/resource.js'
