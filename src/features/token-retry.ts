import * as oauth from 'oauth4webapi'
import type { CredentialsSource, ResourceCredentials } from '../core/plugins.js'

/** Whether the server says the access token itself is bad: expired, revoked or malformed (RFC 6750 §3.1). */
function rejectsToken(error: oauth.WWWAuthenticateChallengeError) {
  return error.cause.some((challenge) => challenge.parameters.error === 'invalid_token')
}

/**
 * Runs `attempt` (one request to a protected resource, oauth4webapi style: a `WWW-Authenticate`
 * challenge rejects with `WWWAuthenticateChallengeError`) and tries again after a 401 that can be
 * cured, each cure at most once per set of credentials, so this ends after four attempts at most:
 *
 * - `invalid_token` (RFC 6750 §3.1): the token expired early or was revoked; refresh it and resend.
 * - `use_dpop_nonce` (RFC 9449 §9): resend with the nonce the DPoP handle took from that answer.
 *
 * Any other failure, and a cure that did not help, is rethrown for the caller to handle.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750.html#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc9449.html#section-9
 */
export async function withTokenRetries<T>(
  credentials: CredentialsSource,
  attempt: (credentials: ResourceCredentials) => Promise<T>,
): Promise<T> {
  let current = await credentials(false)
  let refreshed = false
  let nonceUsed = false
  for (;;) {
    try {
      return await attempt(current)
    } catch (error) {
      if (!(error instanceof oauth.WWWAuthenticateChallengeError) || error.status !== 401) throw error
      const wantsNonce = current.dpop !== undefined && !nonceUsed && oauth.isDPoPNonceError(error)
      const refresh = !wantsNonce && !refreshed && rejectsToken(error)
      if (!wantsNonce && !refresh) throw error
      // Only lets the refused answer go. The 401 arrived whatever happens to its body: a connection
      // dropped while the body was arriving, or the caller's signal aborting now, rejects the
      // cancel with that failure (the caller's own abort reason, whatever it is), which would
      // escape the transport's classification. The resend meets the same failure in the transport.
      await error.response.body?.cancel().catch(() => {})
      if (wantsNonce) nonceUsed = true
      else {
        refreshed = true
        // New credentials may come with a new DPoP handle that has not learnt the nonce yet.
        nonceUsed = false
        current = await credentials(true)
      }
    }
  }
}
