import type * as oauth from 'oauth4webapi'
import { AuthError } from '../core/errors.js'
import type { ResolvedOptions } from '../core/options.js'
import type { AccessToken, Session } from '../core/session.js'

/**
 * Which access token a request is for: the API (`resource`, RFC 8707) and the scopes (RFC 6749
 * §3.3). An undefined field is left for the server to choose.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707.html#section-2
 */
export interface TokenTarget {
  resource?: string
  scope?: string
}

/**
 * Validates the `resource` option: each value an absolute URI without a fragment (RFC 8707 §2).
 * Returns the values as a list, the first being the resource of the session's own access token.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707.html#section-2
 */
export function resolveResources(value: unknown): string[] {
  if (value === undefined) return []
  const values = Array.isArray(value) ? value : [value]
  if (values.length === 0) throw new AuthError('config_error', 'resource must not be an empty list')
  values.forEach((resource) => assertResource(resource))
  return values as string[]
}

function assertResource(value: unknown): asserts value is string {
  // Without a base URL, URL.canParse accepts absolute URIs only, `urn:` ones included.
  if (typeof value !== 'string' || !URL.canParse(value) || value.includes('#')) {
    throw new AuthError('config_error', `resource must be an absolute URI without a fragment: ${String(value)}`)
  }
}

/**
 * Adds every configured resource to the authorization request, so the grant (and the user's
 * consent) covers each API the app will ask tokens for (RFC 8707 §2.1).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707.html#section-2.1
 */
export function addResourceParams(url: URL, resources: string[]) {
  for (const resource of resources) url.searchParams.append('resource', resource)
}

/**
 * The session's own access token: for the first configured resource, with the granted scopes.
 * Only one, because many servers issue one audience per access token (RFC 8707 §2.2 lets them).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707.html#section-2.2
 */
export const defaultTarget = (resources: string[]): TokenTarget => ({ resource: resources[0] })

/**
 * The target of a `getAccessToken({ resource, scope })` call, validated (`config_error`);
 * `undefined` when that is the session's own access token. `resource` defaults to the first
 * configured one.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707.html#section-2
 */
export function requestedTarget(resources: string[], resource?: string, scope?: string): TokenTarget | undefined {
  if (resource !== undefined) assertResource(resource)
  if (scope !== undefined && (typeof scope !== 'string' || scope.trim() === '')) {
    throw new AuthError('config_error', 'scope must be a non-empty string')
  }
  const target = { resource: resource ?? resources[0], scope }
  return target.resource === resources[0] && scope === undefined ? undefined : target
}

/**
 * oauth4webapi options for a token request for `target` (RFC 8707 §2.2 `resource`, RFC 6749 §6
 * `scope`; default: the session's own token), with a DPoP proof when `dpop` is given (RFC 9449 §5).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707.html#section-2.2
 * @see https://www.rfc-editor.org/rfc/rfc9449.html#section-5
 */
export function tokenRequestOptions(
  options: ResolvedOptions,
  dpop: oauth.DPoPHandle | undefined,
  { resource, scope }: TokenTarget = defaultTarget(options.resource),
): oauth.TokenEndpointRequestOptions {
  return {
    ...options.http,
    DPoP: dpop,
    additionalParameters: { ...(resource !== undefined && { resource }), ...(scope !== undefined && { scope }) },
  }
}

/**
 * The key of `target`'s token in `Session.resourceTokens`: `resource + ' ' + scope`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707.html#section-2.2
 */
export const targetKey = ({ resource, scope }: TokenTarget) => `${resource ?? ''} ${scope ?? ''}`

/**
 * The cached access token for `target` (the session's own one when `target` is undefined).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707.html#section-2.2
 */
export function tokenFor(session: Session, target: TokenTarget | undefined): AccessToken | undefined {
  return target ? session.resourceTokens?.[targetKey(target)] : session
}

/**
 * The session after a refresh for `target`: the new access token joins the cache, and what the
 * grant shares (the rotated refresh token, a new ID token) replaces the old one. `refreshed` is the
 * session built from the token response, so its user was already checked against the old one.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707.html#section-2.2
 */
export function withTargetToken(previous: Session, refreshed: Session, target: TokenTarget): Session {
  const { accessToken, tokenType, receivedAt, expiresAt, scope } = refreshed
  return {
    ...previous,
    refreshToken: refreshed.refreshToken,
    idToken: refreshed.idToken,
    user: refreshed.user,
    resourceTokens: {
      ...previous.resourceTokens,
      [targetKey(target)]: { accessToken, tokenType, receivedAt, expiresAt, scope },
    },
  }
}
