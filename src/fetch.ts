/**
 * `pixie-auth/fetch`: a `fetch()` that sends the access token, only to the origins it may go to.
 *
 * @module pixie-auth/fetch
 */
export { createFetch, type AuthorizedFetch, type FetchOptions } from './features/fetch.js'
