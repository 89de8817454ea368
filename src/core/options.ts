import * as oauth from 'oauth4webapi'
import { AuthError } from './errors.js'
import type { DPoPFeature, ParFeature, ResourceFeature, SilentLoginFeature } from './plugins.js'
import type { KeyValueStore } from './storage.js'
import { maxRetryWaitMs } from './retry.js'
import { requestTimeout } from './request-timeout.js'
import { assertReturnUrl, isLoopbackHost, requireAppUrl, requireUrl } from './url-policy.js'

/** What a plug-in's `setup` is given when the client is first used. @internal */
export interface PluginContext {
  config: ResolvedOptions
  /** The client's persistent store (IndexedDB, or memory where it is unavailable). */
  store: KeyValueStore
}

/**
 * A feature given to `createAuthClient()`, made by its function (`dpop()`, `par()`...): its own
 * settings as plain fields, and `setup`, called as its method when the client is first used. `setup`
 * is a function of the feature's module, the same for every plug-in it makes, so that two clients
 * made with equal options (hot module reload, remounts) still compare equal and share one instance.
 *
 * @example
 * ```ts
 * import { dpop } from 'pixie-auth/dpop'
 * const plugin: Plugin<unknown> = dpop()
 * ```
 */
export interface Plugin<Feature> {
  /** The option of `createAuthClient()` it is for. @internal */
  readonly option: 'dpop' | 'par' | 'resource' | 'silentLogin' | 'isolation'
  /** @internal */
  setup(context: PluginContext): Feature
}

/**
 * Options for {@link createAuthClient}.
 *
 * @example
 * ```ts
 * const options: AuthClientOptions = {
 *   issuer: 'https://login.example.com',
 *   clientId: 'my-spa',
 *   redirectUri: '/callback',
 *   refreshLeewaySeconds: 30,
 * }
 * ```
 */
export interface AuthClientOptions {
  /** The authorization server's issuer identifier, exactly as its metadata states it. */
  issuer: string
  /** The client identifier registered at the authorization server (a public client). */
  clientId: string
  /**
   * Where the authorization server sends the browser back; registered exactly at the server. An
   * absolute URL, or a path on the page's origin (`'/callback'`), resolved against
   * `location.origin` only when used: a client made where there is no page yet (module scope in
   * code a framework renders on the server, such as Next.js) can be given one.
   */
  redirectUri: string
  /** Scopes to request. Default `'openid profile offline_access'`. */
  scope?: string
  /**
   * Where the server sends the browser after `logout()`; registered at the server. A path on the
   * page's origin (`'/'`, resolved when used, as `redirectUri`), or an absolute `https:` URL
   * (`http:` on loopback hosts, or with `allowInsecureRequests`), else `config_error`.
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
  /**
   * Authorization server metadata (RFC 8414 §2), for a server whose discovery fails or leaves
   * something out. With `issuer`, `authorization_endpoint` and `token_endpoint` it is used as it
   * is, and discovery is skipped. Anything less is laid over the discovered metadata, its fields
   * winning: `{ revocation_endpoint }` adds the endpoint a server does not list. An `issuer`, when
   * given, must equal the `issuer` option (`config_error` otherwise), as discovery's must.
   *
   * @see https://www.rfc-editor.org/rfc/rfc8414.html#section-2
   */
  metadata?: Partial<oauth.AuthorizationServer>
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
   * Sender-constrained tokens (RFC 9449): `dpop()` from `pixie-auth/dpop`.
   *
   * @see https://www.rfc-editor.org/rfc/rfc9449.html
   * @example
   * ```ts
   * import { dpop } from 'pixie-auth/dpop'
   * createAuthClient({ issuer, clientId, redirectUri, dpop: dpop() })
   * ```
   */
  dpop?: Plugin<DPoPFeature>
  /**
   * Pushed Authorization Requests (RFC 9126): `par()` from `pixie-auth/par`. Without it, a server
   * whose metadata says `require_pushed_authorization_requests` makes a login reject with `config_error`.
   *
   * @see https://www.rfc-editor.org/rfc/rfc9126.html
   * @example
   * ```ts
   * import { par } from 'pixie-auth/par'
   * createAuthClient({ issuer, clientId, redirectUri, par: par() })
   * ```
   */
  par?: Plugin<ParFeature>
  /**
   * The APIs the app wants access tokens for (RFC 8707 resource indicators):
   * `resourceIndicators(...)` from `pixie-auth/resource`.
   *
   * @see https://www.rfc-editor.org/rfc/rfc8707.html
   * @example
   * ```ts
   * import { resourceIndicators } from 'pixie-auth/resource'
   * createAuthClient({ issuer, clientId, redirectUri, resource: resourceIndicators('https://orders.example.com/') })
   * ```
   */
  resource?: Plugin<ResourceFeature>
  /**
   * Log in silently (`prompt=none` in a hidden iframe) when there is no session: `silentLogin()`
   * from `pixie-auth/silent-login`.
   *
   * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
   * @example
   * ```ts
   * import { silentLogin } from 'pixie-auth/silent-login'
   * createAuthClient({ issuer, clientId, redirectUri, silentLogin: silentLogin() })
   * ```
   */
  silentLogin?: Plugin<SilentLoginFeature>
  /**
   * Token isolation: `tokenIsolation()` from `pixie-auth/isolation`. The code exchange and every
   * refresh happen in a worker that pixie-auth ships; the page's scripts never hold the refresh
   * token. Not with the `fetch` option (a function cannot be sent to the worker).
   *
   * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps
   * @example
   * ```ts
   * import { tokenIsolation } from 'pixie-auth/isolation'
   * createAuthClient({ issuer, clientId, redirectUri, isolation: tokenIsolation() })
   * ```
   */
  isolation?: Plugin<unknown>
}

/** The options after defaults and validation: what the rest of the SDK reads. */
export interface ResolvedOptions {
  issuer: URL
  clientId: string
  /** As given: an absolute URL, or a path to resolve with `resolveAppUrl()` when used. */
  redirectUri: string
  scope: string
  /** As given, like `redirectUri`. */
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
  metadata?: Partial<oauth.AuthorizationServer>
  client: oauth.Client
  // `any`: one set of transport options serves oauth4webapi's GET and POST requests alike.
  http: oauth.HttpRequestOptions<any, any>
  /** Names the session in storage and the refresh lock, so clients of other issuers never mix. */
  namespace: string
  dpop?: Plugin<DPoPFeature>
  par?: Plugin<ParFeature>
  resource?: Plugin<ResourceFeature>
  silentLogin?: Plugin<SilentLoginFeature>
  /** Its `setup` makes the client (`SharedClient`), a type these options cannot name without an import cycle. */
  isolation?: Plugin<unknown>
}

/** The plug-in options, and what makes each. */
const pluginMakers = [
  ['dpop', "dpop() from 'pixie-auth/dpop'"],
  ['par', "par() from 'pixie-auth/par'"],
  ['resource', "resourceIndicators() from 'pixie-auth/resource'"],
  ['silentLogin', "silentLogin() from 'pixie-auth/silent-login'"],
  ['isolation', "tokenIsolation() from 'pixie-auth/isolation'"],
] as const

/** Options of 0.1 that moved into a feature: a JavaScript app that still passes one is told where. */
const movedOptions = [
  ['allowedOrigins', 'createFetch(auth, { allowedOrigins })'],
  ['silentRedirectUri', 'silentLogin({ redirectUri })'],
  ['silentLoginTimeoutSeconds', 'silentLogin({ timeoutSeconds })'],
]

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
      throw new AuthError('network_error', 'No answer from the server', { cause })
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
  requireAppUrl('redirectUri', options.redirectUri)
  const allowInsecureRequests = options.allowInsecureRequests === true
  assertReturnUrl('postLogoutRedirectUri', options.postLogoutRedirectUri, allowInsecureRequests)
  if (typeof options.clientId !== 'string' || options.clientId === '') {
    throw new AuthError('config_error', 'clientId is required')
  }
  // Compared as oauth4webapi compares a discovered issuer (RFC 8414 §3.3).
  const given = options.metadata?.issuer
  if (given !== undefined && requireUrl('metadata.issuer', given).href !== issuer.href) {
    throw new AuthError('config_error', 'metadata.issuer must equal issuer')
  }
  for (const [name, maker] of pluginMakers) {
    // Another feature's plug-in too (JavaScript, a cast): its `setup` would make the wrong feature.
    const plugin = options[name] as { option?: unknown; setup?: unknown } | undefined
    if (plugin !== undefined && (plugin?.option !== name || typeof plugin.setup !== 'function')) {
      throw new AuthError('config_error', `${name} takes ${maker}`)
    }
  }
  if (options.isolation && options.fetch) throw new AuthError('config_error', 'fetch cannot go to the isolation worker')
  for (const [name, replacement] of movedOptions) {
    if (name in options) throw new AuthError('config_error', `${name} moved to ${replacement}`)
  }
  const timeoutSeconds = options.timeoutSeconds ?? 10
  const refreshRetries = options.refreshRetries ?? 2
  return {
    issuer,
    // Read as checked above, not spread: a spread copies own enumerable properties only, and would
    // drop a plug-in that options made by a class give through a getter.
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
    dpop: options.dpop,
    par: options.par,
    resource: options.resource,
    silentLogin: options.silentLogin,
    isolation: options.isolation,
  }
}
