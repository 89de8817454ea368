import type * as oauth from 'oauth4webapi'
import { AuthError } from './errors.js'
import type { ResolvedOptions } from './options.js'
import type { ResourceFeature, TokenRequestExtras } from './plugins.js'
import type { AccessToken, Session } from './session.js'

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
 * The target of a `getAccessToken({ resource, scope })` call, validated (`config_error`);
 * `undefined` when that is the session's own access token. `resource` needs `resourceIndicators()`
 * and defaults to the first configured resource.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707.html#section-2
 */
export function requestedTarget(resources: ResourceFeature | undefined, resource?: string, scope?: string): TokenTarget | undefined {
  if (resource !== undefined) {
    if (!resources) throw new AuthError('config_error', 'getAccessToken({ resource }) needs resourceIndicators()')
    resources.assert(resource)
  }
  if (scope !== undefined && (typeof scope !== 'string' || scope.trim() === '')) {
    throw new AuthError('config_error', 'scope must be a non-empty string')
  }
  const own = resources?.resources[0]
  const target = { resource: resource ?? own, scope }
  return target.resource === own && scope === undefined ? undefined : target
}

/**
 * oauth4webapi options for a token request for `target` (RFC 8707 §2.2 `resource`, RFC 6749 §6
 * `scope`), with what the plug-ins add (a DPoP proof, RFC 9449 §5).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707.html#section-2.2
 */
export function tokenRequestOptions(
  options: ResolvedOptions,
  extras: TokenRequestExtras,
  { resource, scope }: TokenTarget,
): oauth.TokenEndpointRequestOptions {
  return {
    ...options.http,
    DPoP: extras.DPoP,
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
