import * as oauth from 'oauth4webapi'
import { AuthError, redacted, toAuthError } from './errors.js'
import type { ResolvedOptions } from './options.js'
import type { TokenSender } from './plugins.js'
import { tokenRequestOptions, type TokenTarget } from './targets.js'
import { isOwnState } from './transaction.js'
import { measureClockSkew, onServerClock } from './server-clock.js'
import { sessionFromTokens, type Session } from './session.js'
import { isAtRedirectUri, looksLikeCallback, parseCallbackUrl } from './callback-url.js'
import type { Transaction } from './transaction.js'

/**
 * Whether `url` carries a response to a login of the client named `namespace`, at its
 * `redirectUri` (see {@link looksLikeCallback}), not to another client's on the same origin.
 */
export function isCallbackFor(redirectUri: string, namespace: string, url: string): boolean {
  const parsed = parseCallbackUrl(url)
  return parsed !== undefined && looksLikeCallback(parsed, redirectUri) && isOwnState(namespace, parsed.searchParams.get('state'))
}

/**
 * Throws `invalid_response` unless the response came back to the login's own redirect URI: one
 * that arrives anywhere else was sent there by a server that is not the one the login went to
 * (RFC 9700 §4.4), and its code is never redeemed.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700.html#section-4.4.2
 */
function assertAtRedirectUri(callbackUrl: URL, redirectUri: string) {
  if (!isAtRedirectUri(callbackUrl, redirectUri)) {
    throw new AuthError(
      'invalid_response',
      `The response came to ${callbackUrl.origin}${callbackUrl.pathname}, not the login's redirect URI`,
    )
  }
}

/**
 * Validates the authorization response (at the login's redirect URI, RFC 9207 `iss`, `state`,
 * error) and redeems the code with its PKCE verifier, then validates the token response and ID
 * token (`iss`, `aud`, `azp`, `exp`, `nonce`, `auth_time` when `max_age` was sent). One network
 * request: the token request for the session's own token (`own`, RFC 8707), sent by `send` with
 * what the plug-ins add (a DPoP proof, RFC 9449 §5).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9207.html#section-2.4
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 */
export async function redeemCallback(
  options: ResolvedOptions,
  metadata: oauth.AuthorizationServer,
  transaction: Transaction,
  callbackUrl: URL,
  send: TokenSender,
  own: TokenTarget,
): Promise<Session> {
  assertAtRedirectUri(callbackUrl, transaction.redirectUri)
  const params = oauth.validateAuthResponse(metadata, options.client, callbackUrl, transaction.state)
  try {
    const { tokens, clockSkew } = await send(async (extras) => {
      const response = await oauth.authorizationCodeGrantRequest(
        metadata,
        options.client,
        oauth.None(),
        params,
        transaction.redirectUri,
        transaction.codeVerifier,
        tokenRequestOptions(options, extras, own),
      )
      // The ID token's times are judged by the server's clock: the browser's may be hours off.
      const clockSkew = await measureClockSkew(response, true)
      const client = onServerClock(options.client, clockSkew)
      const tokens = await oauth.processAuthorizationCodeResponse(metadata, client, response, {
        expectedNonce: transaction.nonce ?? oauth.expectNoNonce,
        maxAge: transaction.maxAge ?? oauth.skipAuthTimeCheck,
        requireIdToken: transaction.nonce !== undefined,
        recognizedTokenTypes: extras.recognizedTokenTypes,
      })
      return { tokens, clockSkew }
    })
    return { ...sessionFromTokens(tokens), clockSkew, resource: own.resource }
  } catch (cause) {
    // The server may quote the code and verifier it was sent in its error.
    throw redacted(toAuthError(cause), [callbackUrl.searchParams.get('code') ?? undefined, transaction.codeVerifier])
  }
}
