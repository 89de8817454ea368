// The bench's own mock OpenID providers, on loopback ports the e2e tests and the demo never use,
// with a client whose redirect URIs are the bench pages.
import { startMockProvider } from '../e2e/provider/mock-provider.mjs'

export const CLIENT_ID = 'pixie-bench'
export const PROVIDER_PORT = 4011

function benchClient(pageUrls) {
  return {
    client_id: CLIENT_ID,
    token_endpoint_auth_method: 'none',
    redirect_uris: pageUrls,
    post_logout_redirect_uris: pageUrls,
  }
}

/** The provider on 127.0.0.1:4011 (fails if taken). */
export function startBenchProvider(pageUrls) {
  return startMockProvider({ port: PROVIDER_PORT, clients: [benchClient(pageUrls)] }).catch((error) => {
    if (error.code !== 'EADDRINUSE') throw error
    throw new Error(`bench: port ${PROVIDER_PORT} is taken; the bench's mock provider needs it`)
  })
}

/**
 * A second provider, on a free port, whose issuer identifier is `issuer` instead of its own URL.
 * auth0-spa-js accepts only the issuer form of an Auth0 tenant (`https://<domain>/`, or
 * `<domain URL>/` for an http domain) and has no option for another; this lets it run against the
 * mock through the auth0 façade at that URL, with the ID tokens' `iss` matching and validly signed.
 */
export async function startProviderWithIssuer(pageUrls, issuer) {
  const provider = await startMockProvider({ port: 0, clients: [benchClient(pageUrls)] })
  // The mock derives its issuer from its origin and profile (a getter): this instance's own value shadows it.
  Object.defineProperty(provider.state, 'issuer', { value: issuer })
  return provider
}
