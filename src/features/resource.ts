import { AuthError } from '../core/errors.js'
import type { Plugin } from '../core/options.js'
import type { ResourceFeature } from '../core/plugins.js'

/**
 * Throws `config_error` unless `value` is an absolute URI without a fragment (RFC 8707 §2).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707.html#section-2
 */
function assertResource(value: unknown): asserts value is string {
  // Without a base URL, URL.canParse accepts absolute URIs only, `urn:` ones included.
  if (typeof value !== 'string' || !URL.canParse(value) || value.includes('#')) {
    throw new AuthError('config_error', `resource must be an absolute URI without a fragment: ${String(value)}`)
  }
}

/**
 * The APIs the app wants access tokens for (RFC 8707 resource indicators), for the `resource`
 * option of `createAuthClient()`: absolute URIs without a fragment, else `config_error` at once.
 * All of them are sent with the login, and with every token request for the session's own access
 * token the first, so the grant (and the user's consent) covers each API. Tokens for the others
 * come from `getAccessToken({ resource })`; `createFetch()` (`pixie-auth/fetch`) sends each
 * resource's origin its own token.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707.html
 * @example
 * ```ts
 * import { resourceIndicators } from 'pixie-auth/resource'
 * const auth = createAuthClient({
 *   issuer, clientId, redirectUri,
 *   resource: resourceIndicators('https://orders.example.com/', 'https://reports.example.com/'),
 * })
 * const reports = await auth.getAccessToken({ resource: 'https://reports.example.com/' })
 * ```
 */
export function resourceIndicators(...resources: string[]): ResourcePlugin {
  if (resources.length === 0) throw new AuthError('config_error', 'resourceIndicators() needs at least one resource')
  resources.forEach((resource) => assertResource(resource))
  // Frozen: a resource added later would get tokens from createFetch() without being checked.
  return Object.freeze({ option: 'resource', setup: resourceSetup, resources: Object.freeze(resources) as string[] })
}

/**
 * What `resourceIndicators()` makes, for the `resource` option of `createAuthClient()`.
 *
 * @example
 * ```ts
 * const resource: ResourcePlugin = resourceIndicators('https://orders.example.com/')
 * ```
 */
export interface ResourcePlugin extends Plugin<ResourceFeature> {
  /** The resources, validated; the first is the session's own access token's. */
  readonly resources: string[]
}

function resourceSetup(this: ResourcePlugin): ResourceFeature {
  return { resources: this.resources, assert: assertResource }
}
