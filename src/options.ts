import * as oauth from 'oauth4webapi'
import { AuthError } from './errors.js'

/** Options for {@link createAuthClient}. */
export interface AuthClientOptions {
  /** The authorization server's issuer identifier, exactly as its metadata states it. */
  issuer: string
  /** The client identifier registered at the authorization server (a public client). */
  clientId: string
  /** Where the authorization server sends the browser back; registered exactly at the server. */
  redirectUri: string
  /** Scopes to request. Default `'openid profile offline_access'`. */
  scope?: string
  /** Where the server sends the browser after `logout()`; registered at the server. */
  postLogoutRedirectUri?: string
  /** Extra authorization request parameters sent with every login (`prompt`, `audience`, `login_hint`...). */
  authorizationParams?: Record<string, string>
  /** Refresh when less than this many seconds are left on the access token. Default 60. */
  refreshLeewaySeconds?: number
  /**
   * Allow `http:` endpoints. Default: true only when the issuer is a loopback host (`localhost`,
   * `127.0.0.1`, `[::1]`), for local development.
   */
  allowInsecureRequests?: boolean
  /** Authorization server metadata (RFC 8414). When given, discovery is skipped. */
  metadata?: oauth.AuthorizationServer
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch
  /** How long one request to the server may take, in seconds. Default 10. */
  timeoutSeconds?: number
  /**
   * How many times a refresh that failed transiently (network error, timeout, 5xx) is tried again,
   * with exponential backoff, before `getAccessToken()` rejects. Default 2.
   */
  refreshRetries?: number
  /**
   * How far, in seconds, the browser's clock may be off the server's when ID token times (`exp`,
   * `nbf`) are checked. Default 300. Access token expiry never depends on the clocks agreeing: it is
   * counted from `expires_in` on receipt.
   */
  clockToleranceSeconds?: number
}

/** The options after defaults and validation: what the rest of the SDK reads. */
export interface ResolvedOptions {
  issuer: URL
  clientId: string
  redirectUri: string
  scope: string
  postLogoutRedirectUri?: string
  authorizationParams: Record<string, string>
  refreshLeewaySeconds: number
  refreshRetries: number
  metadata?: oauth.AuthorizationServer
  client: oauth.Client
  // `any`: one set of transport options serves oauth4webapi's GET and POST requests alike.
  http: oauth.HttpRequestOptions<any, any>
  /** Names the session in storage and the refresh lock, so clients of other issuers never mix. */
  namespace: string
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]'])

function requireUrl(name: string, value: unknown): URL {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw new AuthError('config_error', `${name} must be an absolute URL`)
  }
  return new URL(value)
}

/** Applies defaults and rejects unusable options with a `config_error`. */
export function resolveOptions(options: AuthClientOptions): ResolvedOptions {
  if (!options || typeof options !== 'object') throw new AuthError('config_error', 'options are required')
  const issuer = requireUrl('issuer', options.issuer)
  requireUrl('redirectUri', options.redirectUri)
  if (options.postLogoutRedirectUri !== undefined) requireUrl('postLogoutRedirectUri', options.postLogoutRedirectUri)
  if (typeof options.clientId !== 'string' || options.clientId === '') {
    throw new AuthError('config_error', 'clientId is required')
  }
  const timeoutMs = (options.timeoutSeconds ?? 10) * 1000
  const userFetch = options.fetch
  return {
    issuer,
    clientId: options.clientId,
    redirectUri: options.redirectUri,
    scope: options.scope ?? 'openid profile offline_access',
    postLogoutRedirectUri: options.postLogoutRedirectUri,
    authorizationParams: { ...options.authorizationParams },
    refreshLeewaySeconds: options.refreshLeewaySeconds ?? 60,
    refreshRetries: options.refreshRetries ?? 2,
    metadata: options.metadata,
    client: { client_id: options.clientId, [oauth.clockTolerance]: options.clockToleranceSeconds ?? 300 },
    http: {
      signal: () => AbortSignal.timeout(timeoutMs),
      [oauth.allowInsecureRequests]: options.allowInsecureRequests ?? loopbackHosts.has(issuer.hostname),
      ...(userFetch && { [oauth.customFetch]: (url: string, init: RequestInit) => userFetch(url, init) }),
    },
    namespace: `${issuer.href}#${options.clientId}`,
  }
}
