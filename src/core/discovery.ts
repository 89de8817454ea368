import * as oauth from 'oauth4webapi'
import type { ResolvedOptions } from './options.js'

/**
 * Fetches the authorization server metadata: OpenID Connect Discovery first, then RFC 8414 for
 * plain OAuth servers. oauth4webapi checks that the metadata `issuer` equals ours exactly
 * (RFC 8414 §3.3), which stops a mix-up between servers.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414.html#section-3
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 */
export async function discoverMetadata(options: ResolvedOptions): Promise<oauth.AuthorizationServer> {
  if (options.metadata) return options.metadata
  let response = await oauth.discoveryRequest(options.issuer, { ...options.http, algorithm: 'oidc' })
  if (!response.ok) {
    await response.body?.cancel()
    response = await oauth.discoveryRequest(options.issuer, { ...options.http, algorithm: 'oauth2' })
  }
  return oauth.processDiscoveryResponse(options.issuer, response)
}
