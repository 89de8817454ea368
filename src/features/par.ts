import * as oauth from 'oauth4webapi'
import { AuthError } from '../core/errors.js'
import type { Plugin, PluginContext } from '../core/options.js'
import type { ParFeature } from '../core/plugins.js'

/**
 * Pushed Authorization Requests (RFC 9126), for the `par` option of `createAuthClient()`: the
 * parameters of each authorization request are first POSTed to the server, and the browser carries
 * only `client_id` and the `request_uri` the server answered with, so nothing of the request can be
 * read or altered in the address bar or history. A server without a
 * `pushed_authorization_request_endpoint` makes a login reject with `config_error`. Needed for a
 * server whose metadata says `require_pushed_authorization_requests`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9126.html#section-4
 * @example
 * ```ts
 * import { par } from 'pixie-auth/par'
 * const auth = createAuthClient({ issuer, clientId, redirectUri, par: par() })
 * ```
 */
export function par(): Plugin<ParFeature> {
  return Object.freeze({ option: 'par', setup: parSetup })
}

function parSetup({ config }: PluginContext): ParFeature {
  return {
    async push(url, metadata) {
      if (!metadata.pushed_authorization_request_endpoint) {
        throw new AuthError('config_error', 'The server metadata has no pushed_authorization_request_endpoint')
      }
      const response = await oauth.pushedAuthorizationRequest(metadata, config.client, oauth.None(), url.searchParams, config.http)
      const { request_uri } = await oauth.processPushedAuthorizationResponse(metadata, config.client, response)
      const pushed = new URL(url.origin + url.pathname)
      pushed.searchParams.set('client_id', config.clientId)
      pushed.searchParams.set('request_uri', request_uri)
      return pushed
    },
  }
}
