import * as oauth from 'oauth4webapi'
import { AuthError } from './errors.js'
import type { Transaction } from './transaction.js'
import { assertNavigationUrl } from './url-policy.js'

/** Parameters the SDK owns; letting callers set them would undo PKCE, `state` or `nonce`. */
const protocolParams = [
  'client_id',
  'response_type',
  'redirect_uri',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'request_uri',
  'dpop_jkt',
]

/**
 * Throws `config_error` unless the server can do what this SDK requires: an authorization endpoint
 * the browser may be sent to (`https:`, or `http:` on loopback or with `allowInsecure`: never a
 * `javascript:` URL that would run in the app's origin), and PKCE with S256 (RFC 9700 §2.1.1: no
 * silent fallback to `plain` or to no PKCE).
 */
export function assertSupportedServer(metadata: oauth.AuthorizationServer, allowInsecure: boolean) {
  if (!metadata.authorization_endpoint) {
    throw new AuthError('config_error', 'The server metadata has no authorization_endpoint')
  }
  assertNavigationUrl("The server's authorization_endpoint", metadata.authorization_endpoint, allowInsecure)
  const methods = metadata.code_challenge_methods_supported
  if (methods && !methods.includes('S256')) {
    throw new AuthError('config_error', 'The server does not support PKCE with S256')
  }
}

/** Throws `config_error` when extra parameters try to override one the SDK owns. */
export function assertNoProtocolParams(params: Record<string, string>) {
  const clash = Object.keys(params).find((name) => protocolParams.includes(name))
  if (clash) throw new AuthError('config_error', `authorizationParams must not set "${clash}"`)
}

/**
 * The authorization request URL (RFC 6749 §4.1.1) with PKCE S256 (RFC 7636 §4.3).
 * `extraParams` is everything else: `prompt`, `login_hint`, `max_age`, `audience`...
 */
export async function buildAuthorizationUrl(
  metadata: oauth.AuthorizationServer,
  clientId: string,
  transaction: Transaction,
  extraParams: Record<string, string>,
): Promise<URL> {
  const url = new URL(metadata.authorization_endpoint!)
  const params: Record<string, string> = {
    ...extraParams,
    client_id: clientId,
    response_type: 'code',
    redirect_uri: transaction.redirectUri,
    scope: transaction.scope,
    state: transaction.state,
    code_challenge: await oauth.calculatePKCECodeChallenge(transaction.codeVerifier),
    code_challenge_method: 'S256',
  }
  if (transaction.nonce) params.nonce = transaction.nonce
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  return url
}
