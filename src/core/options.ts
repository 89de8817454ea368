import * as oauth from 'oauth4webapi'
import { AuthError } from './errors.js'
import { resolveAllowedOrigins } from '../features/fetch-origins.js'
import { resolveResources } from '../features/resource.js'
import { maxRetryWaitMs } from './retry.js'
import { requestTimeout } from './request-timeout.js'
import { assertNavigationUrl, isLoopbackHost } from './url-policy.js'

/**
 * Options for {@link createAuthClient}.
 *
 * @example
 * ```ts
 * const options: AuthClientOptions = {
 *   issuer: 'https://login.example.com',
 *   clientId: 'my-spa',
 *   redirectUri: `${location.origin}/callback`,
 *   refreshLeewaySeconds: 30,
 * }
 * ```
 */
export interface AuthClientOptions {
  /** The authorization server's issuer identifier, exactly as its metadata states it. */
  issuer: string
  /** The client identifier registered at the authorization server (a public client). */
  clientId: string
  /** Where the authorization server sends the browser back; registered exactly at the server. */
  redirectUri: string
  /** Scopes to request. Default `'openid profile offline_access'`. */
  scope?: string
  /**
   * Where the server sends the browser after `logout()`; registered at the server. An absolute
   * `https:` URL (`http:` on loopback hosts, or with `allowInsecureRequests`), else `config_error`.
   */
  postLogoutRedirectUri?: string
  /** Extra authorization request parameters sent with every login (`prompt`, `audience`, `login_hint`...). */
  authorizationParams?: Record<string, string>
  /** Refresh when less than this many seconds are left on the access token. Default 60. */
  refreshLeewaySeconds?: number
  /**
   * Allow `http:` endpoints. Default: true only when the issuer is a loopback host (`localhost`,
   * `127.0.0.0/8`, `[::1]`), for local development. Set explicitly, it also allows `http:` logout
   * URLs on other hosts.
   */
  allowInsecureRequests?: boolean
  /** Authorization server metadata (RFC 8414). When given, discovery is skipped. */
  metadata?: oauth.AuthorizationServer
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch
  /** How long one request to the server may take, in seconds; also the longest `Retry-After` a refresh waits for. Default 10. */
  timeoutSeconds?: number
  /**
   * How many times a refresh that failed transiently (network error, timeout, 5xx, 408, 429) is
   * tried again, with exponential backoff or the server's `Retry-After`, before `getAccessToken()`
   * rejects. Default 2.
   */
  refreshRetries?: number
  /**
   * How long a call waits, in seconds, for another tab that is refreshing (or logging in or out)
   * before it rejects with `timeout` and keeps the session. That tab may be frozen (background tabs
   * on Android, a paused debugger) while it holds the cross-tab lock; waiting is all a tab can do
   * then, because the frozen tab may already have presented the refresh token. Default: as long as
   * a live tab can take, `(refreshRetries + 1) × 2 × timeoutSeconds` (each try may be sent twice
   * for a DPoP nonce), the waits between tries (each at most `timeoutSeconds`, or the backoff when
   * longer) and 5 seconds: 85 seconds with the defaults.
   */
  lockWaitSeconds?: number
  /**
   * Leeway, in seconds, when ID token times (`exp`, `nbf`) are checked by the server's clock, as
   * measured when the tokens arrived (the `Date` header where readable, else the login's ID token
   * `iat`). Default 300. Access token expiry never depends on the clocks agreeing: it is counted
   * from `expires_in` on receipt.
   */
  clockToleranceSeconds?: number
  /**
   * Sender-constrain the tokens with DPoP (RFC 9449): a non-extractable key pair kept in IndexedDB
   * signs a proof for every token request, so a refresh or access token copied out of the browser is
   * useless without the key. A new key is made after `logout()`. Default false.
   *
   * @see https://www.rfc-editor.org/rfc/rfc9449.html
   * @example
   * ```ts
   * createAuthClient({ issuer, clientId, redirectUri, dpop: true })
   * ```
   */
  dpop?: boolean
  /**
   * Send the authorization request by Pushed Authorization Request (RFC 9126), even when the server
   * does not require it; it is used anyway when its metadata says
   * `require_pushed_authorization_requests`. Default false.
   *
   * @see https://www.rfc-editor.org/rfc/rfc9126.html
   * @example
   * ```ts
   * createAuthClient({ issuer, clientId, redirectUri, par: true })
   * ```
   */
  par?: boolean
  /**
   * The API, or APIs, the app wants access tokens for (RFC 8707 resource indicators): absolute
   * URIs without a fragment. All of them are sent with the login, so the grant covers each; the
   * first is the resource of the session's own access token. Tokens for the others come from
   * `getAccessToken({ resource })`.
   *
   * @see https://www.rfc-editor.org/rfc/rfc8707.html
   * @example
   * ```ts
   * createAuthClient({ issuer, clientId, redirectUri, resource: ['https://orders.example.com/', 'https://reports.example.com/'] })
   * ```
   */
  resource?: string | string[]
  /**
   * More origins `auth.fetch()` may send the access token to, besides the app's own
   * (`location.origin`) and those of `resource`: exact origins such as `'https://api.example.com'`
   * (no wildcard, path or trailing slash; else `config_error`). A request to any other origin
   * rejects with `config_error` and is not sent.
   *
   * @see https://www.rfc-editor.org/rfc/rfc9700.html#section-4.9
   * @example
   * ```ts
   * createAuthClient({ issuer, clientId, redirectUri, allowedOrigins: ['https://api.example.com'] })
   * ```
   */
  allowedOrigins?: string[]
  /**
   * `'iframe'`: when there is no session, or it can no longer be refreshed, `getAccessToken()` first
   * tries to log in silently, with `prompt=none` in a hidden iframe (OIDC Core §3.1.2.1). That works
   * only where the browser sends the server's session cookie to a frame inside the app: when the
   * server is on the app's site (`login.example.com` for `app.example.com`), or third-party cookies
   * are allowed. Default: off.
   *
   * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
   */
  silentLogin?: 'iframe'
  /** How long a silent login may take before it gives up with `login_required`, in seconds. Default 10. */
  silentLoginTimeoutSeconds?: number
  /**
   * Where silent logins come back to, on the app's origin; registered at the server. Default
   * `redirectUri`, but it must be a page that does not complete logins itself: a blank page, or the
   * page that calls `handlePopupCallback()`.
   */
  silentRedirectUri?: string
}

/** The options after defaults and validation: what the rest of the SDK reads. */
export interface ResolvedOptions {
  issuer: URL
  clientId: string
  redirectUri: string
  scope: string
  postLogoutRedirectUri?: string
  /** The `allowInsecureRequests` option as given: `http:` beyond loopback hosts was asked for. */
  allowInsecureRequests: boolean
  authorizationParams: Record<string, string>
  refreshLeewaySeconds: number
  refreshRetries: number
  /** Limit for each request; also the longest `Retry-After` a refresh waits for. */
  timeoutSeconds: number
  /** How long to wait for the cross-tab lock (ms), see {@link AuthClientOptions.lockWaitSeconds}. */
  lockWaitMs: number
  metadata?: oauth.AuthorizationServer
  client: oauth.Client
  // `any`: one set of transport options serves oauth4webapi's GET and POST requests alike.
  http: oauth.HttpRequestOptions<any, any>
  /** Names the session in storage and the refresh lock, so clients of other issuers never mix. */
  namespace: string
  /** Sender-constrained tokens (RFC 9449). */
  dpop: boolean
  /** Pushed authorization requests even when the server does not require them (RFC 9126). */
  par: boolean
  /** The `resource` option as a list, validated; empty when not set (RFC 8707). */
  resource: string[]
  /** The `allowedOrigins` option, validated: more origins `auth.fetch()` sends the token to. */
  allowedOrigins: string[]
  silentLogin?: 'iframe'
  silentLoginTimeoutSeconds: number
  silentRedirectUri: string
}

function requireUrl(name: string, value: unknown): URL {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw new AuthError('config_error', `${name} must be an absolute URL`)
  }
  return new URL(value)
}

/**
 * `fetch` (the caller's, or the global one) whose failure to get any answer becomes a
 * `network_error`. Only here is a rejection known to come from the network rather than from a bug.
 * A timeout, from the request's own signal, is left as it is to become `timeout`.
 */
function networkTransport(userFetch: typeof fetch | undefined) {
  return async (url: string, init: RequestInit) => {
    try {
      return await (userFetch ?? fetch)(url, init)
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === 'TimeoutError') throw cause
      throw new AuthError('network_error', 'The request failed before the server answered', { cause })
    }
  }
}

/**
 * The lock wait: the option, or the longest a live holder can take, so that only a frozen (or
 * vanished) holder makes a waiter give up. A holder makes `retries + 1` tries, each of up to two
 * requests (the DPoP nonce retry) of `timeoutMs`, with waits between them (see `retry.ts`), then
 * an IndexedDB write: 5 seconds cover that and the holder's IndexedDB reads.
 */
function lockWaitMs(seconds: number | undefined, timeoutMs: number, retries: number): number {
  if (seconds === undefined) return 2 * (retries + 1) * timeoutMs + maxRetryWaitMs(retries, timeoutMs) + 5000
  if (!(typeof seconds === 'number' && seconds > 0 && Number.isFinite(seconds))) {
    throw new AuthError('config_error', 'lockWaitSeconds must be a positive number')
  }
  return seconds * 1000
}

/** Applies defaults and rejects unusable options with a `config_error`. */
export function resolveOptions(options: AuthClientOptions): ResolvedOptions {
  if (!options || typeof options !== 'object') throw new AuthError('config_error', 'options are required')
  const issuer = requireUrl('issuer', options.issuer)
  requireUrl('redirectUri', options.redirectUri)
  const allowInsecureRequests = options.allowInsecureRequests === true
  if (options.postLogoutRedirectUri !== undefined) {
    assertNavigationUrl('postLogoutRedirectUri', options.postLogoutRedirectUri, allowInsecureRequests)
  }
  if (typeof options.clientId !== 'string' || options.clientId === '') {
    throw new AuthError('config_error', 'clientId is required')
  }
  if (options.silentLogin !== undefined && options.silentLogin !== 'iframe') {
    throw new AuthError('config_error', "silentLogin must be 'iframe' or left out")
  }
  if (options.silentRedirectUri !== undefined) requireUrl('silentRedirectUri', options.silentRedirectUri)
  const timeoutSeconds = options.timeoutSeconds ?? 10
  const refreshRetries = options.refreshRetries ?? 2
  return {
    issuer,
    clientId: options.clientId,
    redirectUri: options.redirectUri,
    scope: options.scope ?? 'openid profile offline_access',
    postLogoutRedirectUri: options.postLogoutRedirectUri,
    allowInsecureRequests,
    authorizationParams: { ...options.authorizationParams },
    refreshLeewaySeconds: options.refreshLeewaySeconds ?? 60,
    refreshRetries,
    timeoutSeconds,
    lockWaitMs: lockWaitMs(options.lockWaitSeconds, timeoutSeconds * 1000, refreshRetries),
    metadata: options.metadata,
    client: { client_id: options.clientId, [oauth.clockTolerance]: options.clockToleranceSeconds ?? 300 },
    http: {
      signal: () => requestTimeout(timeoutSeconds * 1000),
      [oauth.allowInsecureRequests]: options.allowInsecureRequests ?? isLoopbackHost(issuer.hostname),
      [oauth.customFetch]: networkTransport(options.fetch),
    },
    namespace: `${issuer.href}#${options.clientId}`,
    dpop: options.dpop ?? false,
    par: options.par ?? false,
    resource: resolveResources(options.resource),
    allowedOrigins: resolveAllowedOrigins(options.allowedOrigins),
    silentLogin: options.silentLogin,
    silentLoginTimeoutSeconds: options.silentLoginTimeoutSeconds ?? 10,
    silentRedirectUri: options.silentRedirectUri ?? options.redirectUri,
  }
}
