import { internalsOf } from '../core/internals.js'
import type { CredentialsSource } from '../core/plugins.js'
import { requestedTarget, tokenFor } from '../core/targets.js'
import type { AuthClient } from '../core/types.js'

/**
 * What the action features send to a protected resource for `resource` (default: the session's own
 * token's): `client.getAccessToken()`'s token (a silent login included, with `silentLogin()`), and
 * the DPoP handle when that token is DPoP-bound (RFC 9449 §7).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449.html#section-7
 */
export const credentialsOf =
  (client: AuthClient, resource?: string): CredentialsSource =>
  async (forceRefresh) => {
    const accessToken = await client.getAccessToken({ forceRefresh, resource })
    const internals = internalsOf(client)
    const session = await internals.session()
    const token = session && tokenFor(session, requestedTarget(internals.resource, resource))
    return { accessToken, dpop: token?.tokenType === 'dpop' ? await internals.dpop?.handle(session?.clockSkew) : undefined }
  }
