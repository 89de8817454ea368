import type { ClientInternals } from '../core/internals.js'
import type { CredentialsSource } from '../core/plugins.js'
import { requestedTarget, tokenFor } from '../core/targets.js'

/**
 * What the action features send to a protected resource for `resource` (default: the session's own
 * token's): the client's `getAccessToken()` token (a silent login included, with `silentLogin()`),
 * and the DPoP handle when that token is DPoP-bound (RFC 9449 §7). From the `internals` the feature
 * took when it was called, so that a handle disposed of meanwhile stays disposed.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449.html#section-7
 */
export const credentialsOf =
  (internals: ClientInternals, resource?: string): CredentialsSource =>
  async (forceRefresh) => {
    const accessToken = await internals.getAccessToken({ forceRefresh, resource })
    const session = await internals.session()
    const token = session && tokenFor(session, requestedTarget(internals.resource, resource))
    return { accessToken, dpop: token?.tokenType === 'dpop' ? await internals.dpop?.handle(session?.clockSkew) : undefined }
  }
