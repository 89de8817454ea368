// What the protocol plug-ins (DPoP, PAR, resource indicators, silent login) do for the core, as
// the core calls them. Internal: typed so that the features and the core agree.
import type * as oauth from 'oauth4webapi'
import type { LoginOptions } from './types.js'

/** oauth4webapi options a plug-in adds to a token request: a DPoP handle, and the token types it accepts. */
export type TokenRequestExtras = Pick<oauth.TokenEndpointRequestOptions, 'DPoP'> & {
  recognizedTokenTypes?: oauth.RecognizedTokenTypes
}

/** Sends one token request (code or refresh) with what the plug-ins add to it. */
export type TokenSender = <T>(send: (extras: TokenRequestExtras) => Promise<T>) => Promise<T>

/** DPoP (RFC 9449), from `pixie-auth/dpop`. @internal */
export interface DPoPFeature {
  /** The oauth4webapi handle of the current key, its proofs dated by the server's clock. */
  handle(clockSkew?: number): Promise<oauth.DPoPHandle>
  /**
   * Sends a token request with a proof; once more on `use_dpop_nonce`; a Bearer answer is refused.
   * With `login` (a `state`), the code exchange of that login, signed with its own key, which
   * becomes the current key once the response is accepted.
   */
  sender(clockSkew?: number, login?: string): TokenSender
  /** Binds the authorization code to a new key for the login in `url` (`dpop_jkt`), failing closed without server support. */
  bindCode(url: URL, metadata: oauth.AuthorizationServer): Promise<void>
  /** Deletes the key at logout, so the next login gets a new one. */
  discard(): Promise<void>
}

/** Pushed Authorization Requests (RFC 9126), from `pixie-auth/par`. @internal */
export interface ParFeature {
  /** POSTs the request in `url` and returns the URL the browser goes to, with `request_uri`. */
  push(url: URL, metadata: oauth.AuthorizationServer): Promise<URL>
}

/** Resource indicators (RFC 8707), from `pixie-auth/resource`. @internal */
export interface ResourceFeature {
  /** The configured resources; the first is the session's own access token's. */
  resources: string[]
  /** Throws `config_error` unless `resource` is an absolute URI without a fragment. */
  assert(resource: unknown): void
}

/** A login's steps, as the facade runs them for `loginWithRedirect()`: same transaction, same checks. */
export interface LoginSteps<R> {
  /** Stores the transaction, hands the authorization URL to `navigate` and resolves with the `state`. */
  start(navigate: (url: URL) => void): Promise<string>
  /** Validates and redeems the response URL, as `handleRedirectCallback()` does. */
  complete(url: string): Promise<R>
  /** Deletes the transaction of a login that will not complete. */
  abandon(state: string): Promise<void>
}

/** What a login started elsewhere than by redirect may set for itself: what a redirect login may. */
export type LoginStepOptions = LoginOptions

/** Silent login (`prompt=none` in a hidden iframe), from `pixie-auth/silent-login`. @internal */
export interface SilentLoginFeature {
  /** Logs in silently with the steps made by `steps`; one at a time. */
  login(steps: (options: LoginStepOptions) => LoginSteps<unknown>): Promise<unknown>
}

/** What a request to a protected resource needs: the access token, and the DPoP handle for a DPoP-bound one. */
export interface ResourceCredentials {
  accessToken: string
  /** Present when the token is DPoP-bound (RFC 9449): signs the proofs and remembers the servers' nonces. */
  dpop?: oauth.DPoPHandle
}

/** Gives the credentials to send; with `forceRefresh` after the resource server rejected the access token. */
export type CredentialsSource = (forceRefresh: boolean) => Promise<ResourceCredentials>
