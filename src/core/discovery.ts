import * as oauth from 'oauth4webapi'
import { AuthError, isTransientStatus, toAuthError } from './errors.js'
import type { ResolvedOptions } from './options.js'

const hint = ' (check the issuer, or set the metadata option)'

/**
 * Fetches the authorization server metadata: OpenID Connect Discovery first, then RFC 8414 for
 * plain OAuth servers. oauth4webapi checks that the metadata `issuer` equals ours exactly
 * (RFC 8414 §3.3), which stops a mix-up between servers.
 *
 * The `metadata` option completes it: metadata with `issuer`, `authorization_endpoint` and
 * `token_endpoint` is used as it is, without a request; other metadata (a `revocation_endpoint`
 * the server does not list) is laid over the discovered one. A failure names each URL asked and
 * its answer: `network_error` when the server is down (5xx, 408, 429, no answer), `timeout`, or
 * `invalid_response` (any other status, a redirect, metadata that fails validation).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414.html#section-3
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 */
export async function discoverMetadata(options: ResolvedOptions): Promise<oauth.AuthorizationServer> {
  const given = options.metadata
  if (given?.issuer && given.authorization_endpoint && given.token_endpoint) return given as oauth.AuthorizationServer
  const send = options.http[oauth.customFetch]!
  const answers: string[] = []
  const statuses: number[] = []
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    let url = options.issuer.href
    try {
      const response = await oauth.discoveryRequest(options.issuer, {
        ...options.http,
        algorithm,
        [oauth.customFetch]: (asked, init) => send((url = asked), init),
      })
      const { status, headers } = response
      if (status === 200) {
        const discovered = await oauth.processDiscoveryResponse(options.issuer, response)
        // The server's own spelling of its issuer, which its ID tokens carry: the given one was
        // only checked equal to it as a URL.
        return { ...discovered, ...given, issuer: discovered.issuer }
      }
      await response.body?.cancel()
      statuses.push(status)
      // Not followed (oauth4webapi's `redirect: 'manual'`: the metadata is the issuer's own). A
      // browser hides a redirect's status and Location (status 0, "opaqueredirect"); Node shows them.
      answers.push(`${url}: HTTP ${status || '3xx'}${headers.has('location') ? ` to ${headers.get('location')}` : ''}`)
    } catch (cause) {
      const error = toAuthError(cause)
      throw new AuthError(error.code, `Discovery: ${url}: ${error.message}${hint}`, { cause: error })
    }
  }
  const code = statuses.some(isTransientStatus) ? 'network_error' : 'invalid_response'
  throw new AuthError(code, `Discovery: ${answers.join(', ')}${hint}`, { status: statuses[0] })
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
