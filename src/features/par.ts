import * as oauth from 'oauth4webapi'
import { AuthError } from '../core/errors.js'
import type { ResolvedOptions } from '../core/options.js'

/**
 * Where the browser goes to log in. With Pushed Authorization Requests (RFC 9126), when the client
 * asks for them (`par: true`) or the server requires them (`require_pushed_authorization_requests`),
 * the parameters of `url` are first POSTed to the server, and the browser carries only `client_id`
 * and the `request_uri` the server answered with: nothing of the request can be read or altered
 * in the address bar or history. Otherwise `url` itself. Throws `config_error` when PAR is wanted
 * but the server has no `pushed_authorization_request_endpoint`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9126.html#section-4
 */
export async function frontChannelUrl(options: ResolvedOptions, metadata: oauth.AuthorizationServer, url: URL): Promise<URL> {
  if (!options.par && metadata.require_pushed_authorization_requests !== true) return url
  if (!metadata.pushed_authorization_request_endpoint) {
    throw new AuthError('config_error', 'The server metadata has no pushed_authorization_request_endpoint')
  }
  const response = await oauth.pushedAuthorizationRequest(metadata, options.client, oauth.None(), url.searchParams, options.http)
  const { request_uri } = await oauth.processPushedAuthorizationResponse(metadata, options.client, response)
  const pushed = new URL(url.origin + url.pathname)
  pushed.searchParams.set('client_id', options.clientId)
  pushed.searchParams.set('request_uri', request_uri)
  return pushed
}
