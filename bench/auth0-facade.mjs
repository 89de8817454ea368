// Auth0's endpoint paths in front of a mock provider, served at the root of the bench pages' own
// origin. auth0-spa-js calls fixed paths at its `domain` (/authorize, /oauth/token, /v2/logout) with
// no discovery, and its token worker accepts no other path; the mock has the standard ones.
// Redirects for browser navigations, a forwarded POST for the token request. Same-origin, so the
// Auth0-Client header needs no CORS preflight here (against a real tenant it does).
import { Readable } from 'node:stream'

/** Returns the `extraRoutes` handler for the page server, forwarding to `providerUrl`. */
export function auth0Facade(providerUrl) {
  const redirect = (res, location) => res.writeHead(302, { Location: location, 'Cache-Control': 'no-store' }).end()
  return async function route(req, res) {
    const url = new URL(req.url, 'http://localhost')
    const path = url.pathname
    if (req.method === 'GET' && path === '/authorize') {
      redirect(res, `${providerUrl}/authorize${url.search}`)
    } else if (req.method === 'POST' && path === '/oauth/token') {
      const answer = await fetch(`${providerUrl}/token`, {
        method: 'POST',
        headers: { 'Content-Type': req.headers['content-type'] ?? '' },
        body: Readable.toWeb(req),
        duplex: 'half',
        signal: AbortSignal.timeout(10_000),
      })
      res.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'application/json', 'Cache-Control': 'no-store' })
      res.end(Buffer.from(await answer.arrayBuffer()))
    } else if (req.method === 'GET' && path === '/v2/logout') {
      // Auth0's logout takes client_id and returnTo; OpenID RP-Initiated Logout names the latter post_logout_redirect_uri.
      const query = new URLSearchParams({ client_id: url.searchParams.get('client_id') ?? '' })
      const returnTo = url.searchParams.get('returnTo')
      if (returnTo) query.set('post_logout_redirect_uri', returnTo)
      redirect(res, `${providerUrl}/end-session?${query}`)
    } else {
      return false
    }
    return true
  }
}
