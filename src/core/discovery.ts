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

/**
 * The server metadata of one client: the configured `metadata`, or the discovery of the configured
 * issuer, fetched once per page (again after a failure). The only source of the endpoints that
 * tokens, codes and verifiers are sent to: never storage or a tab message, which any script on the
 * origin can write (draft-ietf-oauth-browser-based-apps §5.1.2, persistent token theft).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414.html#section-3.3
 */
export function metadataSource(options: ResolvedOptions): () => Promise<oauth.AuthorizationServer> {
  let discovered: Promise<oauth.AuthorizationServer> | undefined
  return () =>
    (discovered ??= discoverMetadata(options).catch((cause: unknown) => {
      discovered = undefined
      throw cause
    }))
}
