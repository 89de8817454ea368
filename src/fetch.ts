// `pixie-auth/fetch`: a `fetch()` that sends the access token, only to the origins it may go to.
export { createFetch, type AuthorizedFetch, type FetchOptions } from './features/fetch.js'
